//! [`run`]: the Runtime API loop. Each invocation's event goes from the Runtime API's body
//! bytes to the decoder as they are: one pass over every event.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use chalice_core::{Chalice, LambdaContext};

use chalice_core::HANDLER_ENV;

use crate::authorizer::policy_for;
use crate::error::EventError;
use crate::function::handle_function_event;
use crate::handle::respond;
use crate::runtime_api::{self, BoxError, Invocation, RuntimeApi};
use crate::websocket::handle_websocket_event;

/// Serves API Gateway events to `app` through the Lambda Runtime API until the process
/// ends.
///
/// Installs the core's panic hook for the process
/// ([`chalice_core::adapter::install_panic_hook`]), then checks the app
/// ([`Chalice::check`]): an app with definition mistakes is reported to Lambda as an init
/// error (`/runtime/init/error`, error type `Chalice.DefinitionError`,
/// every mistake in the message) and `run` returns the mistakes as its error. So does a
/// Lambda environment without the variables the runtime needs (`Runtime.ConfigInvalid`).
///
/// Each event goes through [`crate::handle_event`]'s pipeline, straight from the bytes the
/// Runtime API sent: its response is posted to `/invocation/{id}/response`. An event that
/// is not exactly one API Gateway proxy event (not JSON, more than one JSON value, another
/// event source, a field missing or of the wrong type) fails the invocation
/// (`/invocation/{id}/error`, error type `Chalice.InvalidEvent`, a message saying what is
/// wrong), logged once. The Lambda context reaches views as
/// [`chalice_core::Request::lambda_context`], and `_X_AMZN_TRACE_ID` holds the invocation's
/// X-Ray trace header, as Lambda's runtimes set it.
///
/// Invocations are served one at a time, or as many at once as `AWS_LAMBDA_MAX_CONCURRENCY`
/// says on Lambda Managed Instances (each on a connection of its own; `_X_AMZN_TRACE_ID` is
/// then left alone, since it cannot hold several invocations' traces).
///
/// # Errors
///
/// Definition mistakes, a missing Lambda environment, or a Runtime API that cannot be
/// reached or answers out of its contract.
///
/// ```no_run
/// use std::sync::Arc;
/// use chalice_core::Chalice;
///
/// #[tokio::main(flavor = "current_thread")]
/// async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     let mut app = Chalice::new("helloworld");
///     app.route("/", || "hello");
///     chalice_lambda::run(Arc::new(app)).await
/// }
/// ```
pub async fn run(app: Arc<Chalice>) -> Result<(), BoxError> {
    // The runtime owns its process: panicking views are logged with their location.
    chalice_core::adapter::install_panic_hook();
    let address = runtime_api::address()?;
    let mut api = RuntimeApi::new(address.clone())?;
    let function = match Function::from_env() {
        Ok(function) => Arc::new(function),
        Err(problem) => {
            api.init_error("Runtime.ConfigInvalid", &problem).await?;
            return Err(problem.into());
        }
    };
    if let Err(mistakes) = app.check() {
        let message = mistakes.to_string();
        // Logged as well: Lambda shows the init error to the invoker, the log line stays in
        // CloudWatch with the function's logs.
        tracing::error!(target: "chalice::lambda", "{message}");
        api.init_error("Chalice.DefinitionError", &message).await?;
        return Err(Box::new(mistakes));
    }
    let job = match std::env::var(HANDLER_ENV) {
        Ok(name) => match Job::named(&app, name) {
            Ok(job) => job,
            Err(error) => {
                tracing::error!(target: "chalice::lambda", "{error}");
                api.init_error("Chalice.DefinitionError", error.message())
                    .await?;
                return Err(Box::new(error));
            }
        },
        Err(_) => Job::Api,
    };
    // `websocket_api()` from any handler or view: API Gateway's management API.
    let _ = chalice_core::adapter::install_websocket_backend(crate::websocket_backend::backend());
    #[cfg(not(feature = "websocket-api"))]
    if app.has_websocket() {
        tracing::warn!(
            target: "chalice::lambda",
            "the app has WebSocket handlers, and this bootstrap was built without the \
             `websocket-api` feature of chalice: websocket_api().send/close/info will fail"
        );
    }
    let workers = max_concurrency();
    if workers <= 1 {
        return serve(app, job, function, api, true).await;
    }
    let mut set = tokio::task::JoinSet::new();
    for _ in 1..workers {
        let api = RuntimeApi::new(address.clone())?;
        let (app, job, function) = (Arc::clone(&app), job.clone(), Arc::clone(&function));
        set.spawn(serve(app, job, function, api, false));
    }
    set.spawn(serve(app, job, function, api, false));
    // Workers serve until the Runtime API fails them; the first to stop ends the function
    // (Lambda then starts a new execution environment).
    match set.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(error)) => Err(Box::new(error)),
        None => Ok(()),
    }
}

/// What the function serves: the app's API, or the built-in authorizer, event handler or
/// pure function its `CHALICE_HANDLER` names (one entry of the app's handler table, picked
/// once, at init).
#[derive(Clone)]
enum Job {
    Api,
    Authorizer(Arc<str>),
    Function(Arc<str>),
    Websocket,
}

impl Job {
    /// The job of the handler `name`, or why the app has none of that name.
    fn named(app: &Chalice, name: String) -> Result<Job, EventError> {
        if app.builtin_authorizers().any(|known| known == name) {
            return Ok(Job::Authorizer(name.into()));
        }
        if app.function_names().any(|known| known == name) {
            return Ok(Job::Function(name.into()));
        }
        // A WebSocket route's function: the event names its route, which dispatch follows.
        if app.websocket_routes().any(|(_, known)| known == name) {
            return Ok(Job::Websocket);
        }
        let known: Vec<String> = app
            .builtin_authorizers()
            .chain(app.function_names())
            .chain(app.websocket_routes().map(|(_, handler)| handler))
            .map(|n| format!("\"{n}\""))
            .collect();
        Err(EventError::new(format!(
            "{HANDLER_ENV} names \"{name}\", but the app has no function of that name ({})",
            if known.is_empty() {
                "it has none besides its API".to_owned()
            } else {
                format!("it has {}", known.join(", "))
            }
        )))
    }
}

/// One worker: the next invocation, its answer, again.
async fn serve(
    app: Arc<Chalice>,
    job: Job,
    function: Arc<Function>,
    mut api: RuntimeApi,
    set_trace_env: bool,
) -> Result<(), BoxError> {
    loop {
        let Invocation {
            id,
            deadline_ms,
            invoked_function_arn,
            trace_id,
            event,
        } = api.next().await?;
        if set_trace_env {
            set_trace_header(trace_id.as_deref());
        }
        let mut context = function.context(id.clone(), deadline_ms);
        context.invoked_function_arn = invoked_function_arn;
        context.xray_trace_id = trace_id;
        let result = match (CatchUnwind {
            future: answer(&app, &job, event, context),
        })
        .await
        {
            Ok(result) => result,
            Err(panic) => Err(EventError::with_type(
                "Chalice.Panic",
                format!("the function panicked: {}", panic_text(&*panic)),
            )),
        };
        match result {
            Ok(body) => api.respond(&id, body).await?,
            Err(error) => {
                // Logged here and only here; a refusal is the authorizer's answer, not a
                // failure.
                if error.error_type() != "Chalice.Unauthorized" {
                    tracing::error!(target: "chalice::lambda", "invocation failed: {error}");
                }
                api.fail(&id, &error).await?;
            }
        }
    }
}

/// The answer to one event: the response's (or the policy's) JSON.
async fn answer(
    app: &Chalice,
    job: &Job,
    event: Bytes,
    context: LambdaContext,
) -> Result<Vec<u8>, EventError> {
    let written = match job {
        Job::Api => respond(app, event, context).await?.to_vec(),
        Job::Authorizer(name) => serde_json::to_vec(&policy_for(app, name, &event).await?),
        Job::Function(name) => return handle_function_event(app, name, &event, context).await,
        Job::Websocket => return handle_websocket_event(app, &event, context).await,
    };
    written.map_err(|e| EventError::new(format!("could not write the response: {e}")))
}

/// The function's configuration, from the variables Lambda sets for every function.
struct Function {
    name: Arc<str>,
    version: Arc<str>,
    memory_mb: u32,
    log_group: Arc<str>,
    log_stream: Arc<str>,
}

impl Function {
    fn from_env() -> Result<Self, String> {
        let required = |name: &str| {
            std::env::var(name)
                .map_err(|_| format!("{name} is not set; Lambda sets it for every function"))
        };
        let name = required("AWS_LAMBDA_FUNCTION_NAME")?;
        let version = required("AWS_LAMBDA_FUNCTION_VERSION")?;
        let memory = required("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")?;
        let memory_mb = memory.parse().map_err(|_| {
            format!("AWS_LAMBDA_FUNCTION_MEMORY_SIZE is not a number of megabytes: {memory:?}")
        })?;
        Ok(Function {
            name: name.into(),
            version: version.into(),
            memory_mb,
            log_group: std::env::var("AWS_LAMBDA_LOG_GROUP_NAME")
                .unwrap_or_default()
                .into(),
            log_stream: std::env::var("AWS_LAMBDA_LOG_STREAM_NAME")
                .unwrap_or_default()
                .into(),
        })
    }

    /// The core's context for one invocation.
    fn context(&self, id: String, deadline_ms: u64) -> LambdaContext {
        let mut context = LambdaContext::new(id, deadline_ms);
        context.function_name.clone_from(&self.name);
        context.function_version.clone_from(&self.version);
        context.memory_limit_in_mb = self.memory_mb;
        context.log_group_name.clone_from(&self.log_group);
        context.log_stream_name.clone_from(&self.log_stream);
        context
    }
}

/// `AWS_LAMBDA_MAX_CONCURRENCY` (Lambda Managed Instances): how many invocations at once.
fn max_concurrency() -> usize {
    std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
}

/// Sets `_X_AMZN_TRACE_ID` to the invocation's X-Ray trace header, as Lambda's runtime
/// contract asks of a custom runtime: the AWS SDKs read it to carry the trace into the
/// calls a view makes.
/// <https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-build>
#[allow(unsafe_code)]
fn set_trace_header(trace_id: Option<&str>) {
    // SAFETY: called between invocations by the only worker (one invocation at a time), on
    // the runtime's thread, when no view of ours runs. std's own readers of the environment
    // take the same lock; only a thread a view left running and reading the environment
    // through libc could race, as with every Lambda runtime that sets this variable
    // (lambda_runtime does the same).
    unsafe {
        match trace_id {
            Some(id) => std::env::set_var("_X_AMZN_TRACE_ID", id),
            None => std::env::remove_var("_X_AMZN_TRACE_ID"),
        }
    }
}

pin_project_lite::pin_project! {
    /// A future whose panic is caught and returned: one broken invocation is reported as
    /// such, and the worker serves the next. (Views' panics are already 500s in the core;
    /// this is for everything around them.)
    struct CatchUnwind<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}
