//! What a local "invocation" knows about itself: its request id and Lambda context, and
//! the environment variables of its function.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chalice_core::adapter::{EnvVars, HttpRequest, with_env_vars};
use chalice_core::{LambdaContext, Method};
use chalice_manifest::FUNCTION_ENV_VARS_ENV;

/// The Lambda function a local request pretends to run in: its name, memory and timeout,
/// from the stage's configuration (Chalice's local `LambdaContext`).
///
/// ```
/// use chalice_local::LocalFunction;
/// use chalice_core::Method;
///
/// let function = LocalFunction::new("todo-dev");
/// let request = function.request(Method::GET, "/todos?limit=2");
/// assert_eq!(request.path, "/todos");
/// assert_eq!(request.query.as_deref(), Some("limit=2"));
/// let context = request.lambda_context.as_ref().expect("a context");
/// assert_eq!(&*context.function_name, "todo-dev");
/// assert_eq!(context.aws_request_id.len(), 36);
/// ```
#[derive(Debug, Clone)]
pub struct LocalFunction {
    /// Shared with every context made here, as Lambda's constants are.
    name: Arc<str>,
    version: Arc<str>,
    memory_mb: u32,
    timeout: Duration,
    /// The process's random seed for request ids.
    seed: u64,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl LocalFunction {
    /// A function named `name` with Chalice's defaults: 128 MB, and the 900 s Lambda allows
    /// at most (Chalice's local server uses that when no timeout is configured).
    pub fn new(name: impl Into<String>) -> Self {
        LocalFunction {
            name: name.into().into(),
            version: "$LATEST".into(),
            memory_mb: 128,
            timeout: Duration::from_secs(900),
            seed: RandomState::new().hash_one(0u64),
        }
    }

    /// Sets the memory reported in the context, in MB.
    #[must_use]
    pub fn memory_mb(mut self, memory_mb: u32) -> Self {
        self.memory_mb = memory_mb;
        self
    }

    /// Sets the timeout that makes the context's deadline.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A request for `method` on `target` (path and optional `?query`) arriving now, with a
    /// fresh request id and this function's Lambda context.
    pub fn request(&self, method: Method, target: &str) -> HttpRequest {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let context = self.context_at(now);
        let mut request = HttpRequest::new(method, target);
        request.request_id.clone_from(&context.aws_request_id);
        request.time_epoch_ms = millis(now);
        request.lambda_context = Some(context);
        request
    }

    /// The Lambda context of an invocation starting now (of an event handler or a pure
    /// function, which get no HTTP request): a fresh request id, this function's name,
    /// memory and deadline.
    ///
    /// ```
    /// use chalice_local::LocalFunction;
    ///
    /// let context = LocalFunction::new("jobs-dev-nightly").context();
    /// assert_eq!(&*context.function_name, "jobs-dev-nightly");
    /// assert_eq!(context.memory_limit_in_mb, 128);
    /// ```
    pub fn context(&self) -> LambdaContext {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.context_at(now)
    }

    fn context_at(&self, now: Duration) -> LambdaContext {
        let mut context = LambdaContext::new(self.request_id(), millis(now + self.timeout));
        context.function_name.clone_from(&self.name);
        context.function_version.clone_from(&self.version);
        context.memory_limit_in_mb = self.memory_mb;
        context
    }

    /// A random-looking id shaped like Lambda's (a UUID v4), from the process's random hash
    /// seed and a counter: unique within the process, with no dependency for one string.
    fn request_id(&self) -> String {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        // SplitMix64 over the seeded counter: two bijections of `n`, so ids never repeat
        // within the process, for a tenth of what two SipHash rounds cost per request.
        let seed = self.seed;
        let (a, b) = (
            split_mix(seed.wrapping_add(n.wrapping_mul(GOLDEN))),
            split_mix(!seed ^ n.wrapping_mul(GOLDEN)),
        );
        // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, written digit by digit: `format!` with five
        // hex fields cost more than the rest of the request's setup.
        let fields: [(u64, usize); 5] = [
            (a >> 32, 8),
            ((a >> 16) & 0xffff, 4),
            (0x4000 | (a & 0x0fff), 4),
            ((b >> 48) & 0x3fff | 0x8000, 4),
            (b & 0xffff_ffff_ffff, 12),
        ];
        let mut id = String::with_capacity(36);
        for (i, (value, width)) in fields.into_iter().enumerate() {
            if i > 0 {
                id.push('-');
            }
            for shift in (0..width).rev() {
                let digit = (value >> (shift * 4)) & 0xf;
                id.push(char::from(b"0123456789abcdef"[digit as usize]));
            }
        }
        id
    }
}

/// Runs `future` as the app's function `name` (a schedule, an event handler, a WebSocket
/// handler) sees its environment: with what its own variables change from the process's
/// (the API handler's), as `chalice local` passes them in [`FUNCTION_ENV_VARS_ENV`].
pub(crate) async fn in_function<F: Future>(name: &str, future: F) -> F::Output {
    match function_env_vars().get(name) {
        Some(vars) => with_env_vars(Arc::clone(vars), future).await,
        None => future.await,
    }
}

/// Each function's variables, read from the process's environment once.
fn function_env_vars() -> &'static HashMap<String, EnvVars> {
    static VARS: OnceLock<HashMap<String, EnvVars>> = OnceLock::new();
    VARS.get_or_init(|| {
        let Ok(text) = std::env::var(FUNCTION_ENV_VARS_ENV) else {
            return HashMap::new();
        };
        parse_function_env_vars(&text).unwrap_or_else(|error| {
            tracing::error!(target: "chalice::local", "{error}");
            HashMap::new()
        })
    })
}

/// [`FUNCTION_ENV_VARS_ENV`]'s value: function names to variables, `null` for unset.
fn parse_function_env_vars(text: &str) -> Result<HashMap<String, EnvVars>, String> {
    if text.trim().is_empty() {
        return Ok(HashMap::new());
    }
    let table: BTreeMap<String, BTreeMap<String, Option<String>>> = serde_json::from_str(text)
        .map_err(|error| {
            format!(
                "{FUNCTION_ENV_VARS_ENV} must be a JSON object of function names to objects of \
                 variables (a string, or null for unset), as {{\"nightly\": {{\"TABLE\": \"jobs\"}}}}; \
                 every function runs with the API handler's variables: {error}"
            )
        })?;
    Ok(table
        .into_iter()
        .map(|(name, vars)| (name, Arc::new(vars)))
        .collect())
}

/// SplitMix64's increment, the golden ratio in 64 bits.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finalizer: a bijection of `u64` that scatters every bit.
fn split_mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_env_vars_as_chalice_local_passes_them() {
        // (the variable's value, each function's variables or the error's start)
        let cases: &[(&str, Result<&[(&str, &[(&str, Option<&str>)])], &str>)] = &[
            ("", Ok(&[])),
            (
                r#"{"nightly": {"TABLE": "jobs", "API_ONLY": null}, "worker": {}}"#,
                Ok(&[
                    ("nightly", &[("API_ONLY", None), ("TABLE", Some("jobs"))]),
                    ("worker", &[]),
                ]),
            ),
            (
                r#"{"nightly": {"PORT": 80}}"#,
                Err("CHALICE_FUNCTION_ENV_VARS must be a JSON object of function names"),
            ),
            ("[]", Err("CHALICE_FUNCTION_ENV_VARS must be a JSON object")),
        ];
        for (text, expected) in cases {
            let got = parse_function_env_vars(text);
            match (got, expected) {
                (Ok(got), Ok(expected)) => {
                    let expected: HashMap<String, EnvVars> = expected
                        .iter()
                        .map(|(name, vars)| {
                            let vars = vars
                                .iter()
                                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                                .collect();
                            ((*name).to_owned(), Arc::new(vars))
                        })
                        .collect();
                    assert_eq!(got, expected, "{text}");
                }
                (Err(got), Err(start)) => assert!(got.starts_with(start), "{text}: {got}"),
                (got, _) => panic!("{text}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let function = LocalFunction::new("f");
        let ids: Vec<String> = (0..1000).map(|_| function.request_id()).collect();
        for id in &ids {
            let parts: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
            assert_eq!(&id[14..15], "4", "{id}");
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }
}
