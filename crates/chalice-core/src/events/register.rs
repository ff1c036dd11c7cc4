//! The declaration methods of [`Chalice`] and [`Blueprint`]: one per source, with Chalice's
//! names, each returning a builder for the source's other parameters.

use std::panic::Location;

use chalice_manifest::EventSource;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::chain::{EventMiddlewareFn, EventMiddlewareList};
use super::cloudwatch::CloudWatchEvent;
use super::declare::{
    FunctionDecl, LambdaFunction, OnCwEvent, OnDynamoDbRecord, OnKinesisRecord, OnS3Event,
    OnSchedule, OnSnsMessage, OnSqsMessage, SqsQueue, decoders, pattern, reporting, sqs_source,
};
use super::dynamodb::DynamoDbEvent;
use super::handler::{BatchHandler, EventHandler, FunctionHandler};
use super::kinesis::KinesisEvent;
use super::s3::S3Event;
use super::schedule::ScheduleExpression;
use super::sns::SnsEvent;
use super::sqs::SqsEvent;
use crate::app::Chalice;
use crate::blueprint::Blueprint;
use crate::definition_error::{DefinitionError, DefinitionErrorKind};
use crate::middleware::EventType;
use crate::websocket::Websockets;

/// The functions and event middleware an app or a blueprint declares.
#[derive(Clone, Default)]
pub(crate) struct Functions {
    pub(crate) decls: Vec<FunctionDecl>,
    pub(crate) middleware: EventMiddlewareList,
    /// Event middleware registered for `EventType::Http`, which takes a `Request`.
    pub(crate) misplaced_middleware: Vec<&'static Location<'static>>,
    /// WebSocket routes and their handlers.
    pub(crate) websockets: Websockets,
}

impl Functions {
    fn push(&mut self, decl: FunctionDecl) -> &mut FunctionDecl {
        self.decls.push(decl);
        let last = self.decls.len() - 1;
        &mut self.decls[last]
    }

    pub(crate) fn add_middleware<F, M>(
        &mut self,
        event_type: EventType,
        function: F,
        location: &'static Location<'static>,
    ) where
        F: EventMiddlewareFn<M>,
    {
        if event_type == EventType::Http {
            self.misplaced_middleware.push(location);
        }
        self.middleware.entries.push((event_type, function.erase()));
    }

    /// Adds a blueprint's functions (their names prefixed) and event middleware.
    pub(crate) fn extend(&mut self, other: &Functions, name_prefix: Option<&str>) {
        for decl in &other.decls {
            let mut decl = decl.clone();
            if let (Some(prefix), Some(name)) = (name_prefix, &decl.name) {
                decl.name = Some(format!("{prefix}{name}"));
            }
            self.decls.push(decl);
        }
        self.middleware
            .entries
            .extend(other.middleware.entries.iter().cloned());
        self.misplaced_middleware
            .extend(other.misplaced_middleware.iter().copied());
        self.websockets.extend(&other.websockets, name_prefix);
    }

    /// The mistakes in the declarations (names are compared with `taken` too).
    pub(crate) fn check(&self, taken: &[&str], errors: &mut Vec<DefinitionError>) {
        for decl in &self.decls {
            decl.check(errors);
        }
        super::declare::check_names(taken, &self.decls, errors);
        let mut names: Vec<&str> = taken.to_vec();
        names.extend(self.decls.iter().filter_map(|decl| decl.name.as_deref()));
        self.websockets.check(&names, errors);
        for location in &self.misplaced_middleware {
            errors.push(DefinitionError::new(
                DefinitionErrorKind::HttpEventMiddleware,
                location,
            ));
        }
    }
}

/// The declaration methods, the same on the app and on blueprints.
macro_rules! declarations {
    ($owner:ty, $field:ident) => {
        impl $owner {
            /// Runs `handler` on a schedule (Chalice's `@app.schedule`): a [`crate::Rate`],
            /// a [`crate::Cron`], or a `rate(...)` / `cron(...)` expression, checked when the
            /// app is built. Cron expressions are in UTC. The handler gets a
            /// [`CloudWatchEvent`]; `chalice local` runs it on its schedule.
            ///
            /// ```
            /// use chalice_core::{Chalice, CloudWatchEvent, Rate};
            ///
            /// fn nightly(event: CloudWatchEvent) {
            ///     println!("tick at {}", event.time);
            /// }
            ///
            /// let mut app = Chalice::new("jobs");
            /// app.schedule(Rate::hours(1), nightly).description("every hour");
            /// app.schedule("cron(0 3 * * ? *)", nightly).name("at_three");
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn schedule<H, M>(
                &mut self,
                expression: impl Into<ScheduleExpression>,
                handler: H,
            ) -> OnSchedule<'_>
            where
                H: EventHandler<CloudWatchEvent, M>,
            {
                let source = EventSource::schedule(expression.into().as_str());
                let decl = FunctionDecl::new::<H>(
                    source,
                    decoders::scheduled,
                    handler.erase(),
                    Location::caller(),
                );
                OnSchedule {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on EventBridge events matching `event_pattern` (Chalice's
            /// `@app.on_cw_event`), on the default bus unless
            /// [`OnCwEvent::event_bus`] says otherwise. The detail is JSON, or any `serde`
            /// type the handler names (`CloudWatchEvent<MyDetail>`).
            ///
            /// ```
            /// use chalice_core::{Chalice, CloudWatchEvent};
            /// use serde_json::json;
            ///
            /// let mut app = Chalice::new("app");
            /// app.on_cw_event(json!({"source": ["aws.codecommit"]}), |event: CloudWatchEvent| {
            ///     println!("{}", event.detail["repositoryName"]);
            /// })
            /// .name("on_commit")
            /// .event_bus("builds");
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_cw_event<H, M, D>(
                &mut self,
                event_pattern: Value,
                handler: H,
            ) -> OnCwEvent<'_>
            where
                H: EventHandler<CloudWatchEvent<D>, M>,
                D: DeserializeOwned + Send + 'static,
            {
                let decl = FunctionDecl::new::<H>(
                    pattern(event_pattern),
                    decoders::cloudwatch,
                    handler.erase(),
                    Location::caller(),
                );
                OnCwEvent {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on notifications of `bucket` (Chalice's `@app.on_s3_event`):
            /// by default for created objects, every key. The handler gets every record of
            /// the event.
            ///
            /// ```
            /// use chalice_core::{Chalice, S3Event};
            ///
            /// fn thumbnail(event: S3Event) {
            ///     for record in &event.records {
            ///         println!("new image: {}/{}", record.bucket, record.key);
            ///     }
            /// }
            ///
            /// let mut app = Chalice::new("images");
            /// app.on_s3_event("uploads", thumbnail).prefix("images/").suffix(".jpg");
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_s3_event<H, M>(
                &mut self,
                bucket: impl Into<String>,
                handler: H,
            ) -> OnS3Event<'_>
            where
                H: EventHandler<S3Event, M>,
            {
                let decl = FunctionDecl::new::<H>(
                    EventSource::s3(bucket),
                    decoders::s3,
                    handler.erase(),
                    Location::caller(),
                );
                OnS3Event {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on messages published to `topic`, by name or ARN (Chalice's
            /// `@app.on_sns_message`).
            ///
            /// ```
            /// use chalice_core::{Chalice, SnsEvent};
            ///
            /// let mut app = Chalice::new("app");
            /// app.on_sns_message("alerts", |event: SnsEvent| {
            ///     for record in &event.records {
            ///         println!("{:?}: {}", record.subject, record.message);
            ///     }
            /// })
            /// .name("on_alert");
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_sns_message<H, M>(
                &mut self,
                topic: impl Into<String>,
                handler: H,
            ) -> OnSnsMessage<'_>
            where
                H: EventHandler<SnsEvent, M>,
            {
                let source = EventSource::Sns {
                    topic: topic.into(),
                };
                let decl = FunctionDecl::new::<H>(
                    source,
                    decoders::sns,
                    handler.erase(),
                    Location::caller(),
                );
                OnSnsMessage {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on batches of messages from an SQS queue, by name or
            /// [`SqsQueue::Arn`] (Chalice's `@app.on_sqs_message`; batches of 1 unless
            /// [`OnSqsMessage::batch_size`] says otherwise). A handler that returns
            /// [`crate::BatchItemFailures`] reports the messages that failed, and only those
            /// are retried.
            ///
            /// ```
            /// use chalice_core::{BatchItemFailures, Chalice, SqsEvent};
            ///
            /// fn worker(event: SqsEvent) -> BatchItemFailures {
            ///     event
            ///         .records
            ///         .iter()
            ///         .filter(|message| message.body.is_empty())
            ///         .map(|message| message.message_id.clone())
            ///         .collect()
            /// }
            ///
            /// let mut app = Chalice::new("app");
            /// app.on_sqs_message("jobs", worker).batch_size(10);
            /// assert!(app.manifest().functions[0].source.reports_batch_item_failures());
            /// ```
            #[track_caller]
            pub fn on_sqs_message<H, M>(
                &mut self,
                queue: impl Into<SqsQueue>,
                handler: H,
            ) -> OnSqsMessage<'_>
            where
                H: BatchHandler<SqsEvent, M>,
            {
                let source = sqs_source(queue.into(), H::REPORTS_FAILURES);
                let decl = FunctionDecl::new::<H>(
                    source,
                    decoders::sqs,
                    handler.erase(),
                    Location::caller(),
                );
                OnSqsMessage {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on batches of records of a Kinesis stream (Chalice's
            /// `@app.on_kinesis_record`; 100 records from the latest unless told otherwise).
            /// Each record's data is decoded from base64. A handler that returns
            /// [`crate::BatchItemFailures`] reports the records that failed.
            ///
            /// ```
            /// use chalice_core::{Chalice, KinesisEvent, StartingPosition};
            ///
            /// let mut app = Chalice::new("app");
            /// app.on_kinesis_record("clicks", |event: KinesisEvent| {
            ///     let bytes: usize = event.records.iter().map(|r| r.data.len()).sum();
            ///     println!("{bytes} bytes");
            /// })
            /// .name("count_clicks")
            /// .starting_position(StartingPosition::TrimHorizon);
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_kinesis_record<H, M>(
                &mut self,
                stream: impl Into<String>,
                handler: H,
            ) -> OnKinesisRecord<'_>
            where
                H: BatchHandler<KinesisEvent, M>,
            {
                let source = reporting(EventSource::kinesis(stream), H::REPORTS_FAILURES);
                let decl = FunctionDecl::new::<H>(
                    source,
                    decoders::kinesis,
                    handler.erase(),
                    Location::caller(),
                );
                OnKinesisRecord {
                    decl: self.$field.push(decl),
                }
            }

            /// Runs `handler` on batches of a DynamoDB stream's records, by the stream's ARN
            /// (Chalice's `@app.on_dynamodb_record`; 100 records from the latest unless told
            /// otherwise). A handler that returns [`crate::BatchItemFailures`] reports the
            /// records that failed.
            ///
            /// ```
            /// use chalice_core::{Chalice, DynamoDbEvent};
            ///
            /// let mut app = Chalice::new("app");
            /// app.on_dynamodb_record(
            ///     "arn:aws:dynamodb:us-west-2:123456789012:table/Users/stream/2024-01-01T00:00:00.000",
            ///     |event: DynamoDbEvent| {
            ///         for record in &event.records {
            ///             println!("{} {:?}", record.event_name, record.keys);
            ///         }
            ///     },
            /// )
            /// .name("audit");
            /// assert!(app.check().is_ok());
            /// ```
            #[track_caller]
            pub fn on_dynamodb_record<H, M>(
                &mut self,
                stream_arn: impl Into<String>,
                handler: H,
            ) -> OnDynamoDbRecord<'_>
            where
                H: BatchHandler<DynamoDbEvent, M>,
            {
                let source = reporting(EventSource::dynamodb(stream_arn), H::REPORTS_FAILURES);
                let decl = FunctionDecl::new::<H>(
                    source,
                    decoders::dynamodb,
                    handler.erase(),
                    Location::caller(),
                );
                OnDynamoDbRecord {
                    decl: self.$field.push(decl),
                }
            }

            /// Declares a pure Lambda function (Chalice's `@app.lambda_function`): it takes
            /// its payload as any `serde` type (and, optionally, the Lambda context) and
            /// answers any serializable value. Invoke it with the AWS SDK, `chalice invoke`,
            /// or `client.lambda_().invoke(name, payload)` in tests.
            ///
            /// ```
            /// use chalice_core::{Chalice, Json};
            ///
            /// fn add(numbers: Vec<i64>) -> Json<i64> {
            ///     Json(numbers.iter().sum())
            /// }
            ///
            /// let mut app = Chalice::new("app");
            /// app.lambda_function(add);
            /// assert_eq!(app.manifest().functions[0].name, "add");
            /// ```
            #[track_caller]
            pub fn lambda_function<H, M>(&mut self, handler: H) -> LambdaFunction<'_>
            where
                H: FunctionHandler<M>,
            {
                let decl = FunctionDecl::new::<H>(
                    EventSource::LambdaFunction,
                    decoders::payload,
                    handler.erase(),
                    Location::caller(),
                );
                LambdaFunction {
                    decl: self.$field.push(decl),
                }
            }

            /// Adds middleware around event handlers and pure functions of `event_type`
            /// (Chalice's `@app.middleware('sqs')`, ...; [`EventType::All`] for every one).
            /// It gets the [`crate::Event`], typed for its source, and [`crate::EventNext`], the
            /// rest of the chain; it may change the event, answer by itself, or see the
            /// handler's answer or error. Middleware run in registration order, the first
            /// outermost. (HTTP requests have their own middleware, `middleware`, which takes
            /// the `Request`.)
            ///
            /// ```
            /// use chalice_core::{Chalice, Event, EventNext, EventType};
            ///
            /// let mut app = Chalice::new("app");
            /// app.event_middleware(EventType::All, |event: Event, next: EventNext| async move {
            ///     let kind = event.event_type();
            ///     let answer = next.run(event).await;
            ///     if answer.is_err() {
            ///         eprintln!("a {} handler failed", kind.as_str());
            ///     }
            ///     answer
            /// });
            /// ```
            #[track_caller]
            pub fn event_middleware<F, M>(
                &mut self,
                event_type: EventType,
                function: F,
            ) -> &mut Self
            where
                F: EventMiddlewareFn<M>,
            {
                self.$field
                    .add_middleware(event_type, function, Location::caller());
                self
            }
        }
    };
}

declarations!(Chalice, functions);
declarations!(Blueprint, functions);
