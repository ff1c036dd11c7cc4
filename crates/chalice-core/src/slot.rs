//! A future polled with a value in a thread-local slot: how the core makes something
//! "current" for the code a future runs (the WebSocket backend and endpoint, the test
//! client's environment variables), set around each *poll* rather than the whole future, as
//! tokio's `task_local!` does, so that futures of different apps interleaved on one thread
//! never see each other's. Written here so the core stays runtime-free.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub(crate) type Key<T> = std::thread::LocalKey<RefCell<Option<T>>>;

pin_project_lite::pin_project! {
    /// A future polled with a value in a thread-local slot (see
    /// [`with_websocket_backend`](crate::adapter::with_websocket_backend)).
    pub struct WithSlot<F, T: 'static> {
        #[pin]
        future: F,
        value: Option<T>,
        key: &'static Key<T>,
    }
}

impl<F: Future, T: 'static> Future for WithSlot<F, T> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let key: &'static Key<T> = this.key;
        let previous = key.with(|slot| slot.replace(this.value.take()));
        // Put things back even if the future panics.
        struct Restore<T: 'static> {
            key: &'static Key<T>,
            previous: Option<Option<T>>,
        }
        impl<T: 'static> Drop for Restore<T> {
            fn drop(&mut self) {
                if let Some(previous) = self.previous.take() {
                    self.key.with(|slot| *slot.borrow_mut() = previous);
                }
            }
        }
        let mut restore = Restore {
            key,
            previous: Some(previous),
        };
        let output = this.future.poll(cx);
        let previous = restore.previous.take().unwrap_or_default();
        *this.value = key.with(|slot| slot.replace(previous));
        output
    }
}

impl<F, T> fmt::Debug for WithSlot<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithSlot").finish_non_exhaustive()
    }
}

impl<F, T: 'static> WithSlot<F, T> {
    /// `future`, polled with `value` in the slot `key`.
    pub(crate) fn new(future: F, value: T, key: &'static Key<T>) -> Self {
        WithSlot {
            future,
            value: Some(value),
            key,
        }
    }
}
