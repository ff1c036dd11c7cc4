//! Typed app state: what [`Chalice::state`](crate::Chalice::state) gives views — a database
//! client, a store, settings — one instance per app.
//!
//! The app keeps one value per type; each request carries a handle to its app's values
//! (one `Arc` clone per request, none when the app has no state), so a view reads them with
//! [`Request::state`](crate::Request::state) or, in a `#[route]` view, a [`State<T>`]
//! parameter. Two apps never share state: each test's app is its own.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::ChaliceError;

/// The state values of one app, by type.
#[derive(Clone, Default)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<&Arc<dyn Any + Send + Sync>> {
        self.values.get(&TypeId::of::<T>())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A view's handle on a value of the app's state (given with
/// [`Chalice::state`](crate::Chalice::state)): derefs to `T`, costs one reference count to
/// take, and may be moved into spawned tasks.
///
/// In a `#[route]` view, a parameter typed `State<T>` (any name) receives it; elsewhere,
/// [`State::from_request`] or [`Request::state`](crate::Request::state). An app that was
/// given no `T` answers such a request with a 500 that names the type (and says how to give
/// it), as an unhandled error.
///
/// ```
/// use std::sync::Mutex;
/// use chalice_core::{Chalice, Request, State};
///
/// #[derive(Default)]
/// struct Counter(Mutex<u32>);
///
/// let mut app = Chalice::new("counter");
/// app.state(Counter::default());
/// app.route("/hits", |request: &Request| -> Result<String, chalice_core::ChaliceError> {
///     let counter = State::<Counter>::from_request(request)?;
///     let mut hits = counter.0.lock().unwrap();
///     *hits += 1;
///     Ok(hits.to_string())
/// });
/// ```
pub struct State<T: ?Sized>(Arc<T>);

impl<T: Send + Sync + 'static> State<T> {
    /// The app's `T`, as the request carries it; a 500 naming `T` if the app has none.
    ///
    /// # Errors
    ///
    /// An unhandled error (500) when the app was given no `T` with
    /// [`Chalice::state`](crate::Chalice::state).
    pub fn from_request(request: &crate::Request) -> Result<Self, ChaliceError> {
        request
            .state_map()
            .and_then(StateMap::get::<T>)
            .and_then(|value| Arc::clone(value).downcast::<T>().ok())
            .map(State)
            .ok_or_else(|| missing::<T>())
    }
}

impl<T: ?Sized> State<T> {
    /// The shared value itself, for keeping beyond the request.
    pub fn into_inner(self) -> Arc<T> {
        self.0
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        State(Arc::clone(&self.0))
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&&*self.0).finish()
    }
}

/// The 500 for a view that asks for state its app was not given.
pub(crate) fn missing<T>() -> ChaliceError {
    let name = type_name::<T>();
    ChaliceError::from(MissingState(format!(
        "the app has no state of type {name}: give it one with app.state(value) before the \
         app is served"
    )))
}

/// An app asked for a type of state it was not given: an unhandled error, so a 500 (with
/// this text in the log, and in the answer when `debug` is on).
#[derive(Debug)]
struct MissingState(String);

impl fmt::Display for MissingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MissingState {}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::Request;

    #[test]
    fn a_request_carries_its_apps_values_by_type() {
        let mut app = crate::Chalice::new("app");
        app.state(7_u32).state(String::from("db"));
        let request = Request::builder(Method::GET, "/").state_of(&app).build();
        // (what is asked for, what comes back)
        assert_eq!(
            State::<u32>::from_request(&request).map(|s| *s).ok(),
            Some(7)
        );
        assert_eq!(
            State::<String>::from_request(&request)
                .map(|s| s.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("db")
        );
        assert_eq!(request.state::<u32>(), Some(&7));
        let cases = [
            (request.clone(), "u64"),
            (Request::builder(Method::GET, "/").build(), "u64"),
        ];
        for (request, name) in cases {
            let error = State::<u64>::from_request(&request).expect_err("no u64");
            assert!(error.is_unhandled());
            assert_eq!(error.to_response().status_code, 500);
            let report = error.report();
            assert!(
                report.contains(&format!("the app has no state of type {name}")),
                "{report}"
            );
            assert!(report.contains("app.state(value)"), "{report}");
        }
    }
}
