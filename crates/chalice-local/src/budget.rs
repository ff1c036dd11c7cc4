//! The memory all request bodies in flight may hold together.
//!
//! Each body is at most 10 MB (API Gateway's limit), but fifty clients sending that much at
//! once would make the server hold 500 MB. A body reserves its bytes here before it is read:
//! all of them at once when its `Content-Length` says how many, chunk by chunk when it comes
//! chunked. A reservation that does not fit is refused (the client gets 503) rather than
//! waited for: a waiting client would hold its connection, and the server would hold the
//! client's unread bytes in the kernel. Reservations are returned when the request is
//! answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The bytes request bodies in flight may take, shared by all connections of a server.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    total: usize,
    used: AtomicUsize,
    /// A reservation was refused since the last one that fit: the refusals are said once.
    refusing: AtomicBool,
}

impl BodyBudget {
    pub(crate) fn new(total: usize) -> Arc<Self> {
        Arc::new(BodyBudget {
            total,
            used: AtomicUsize::new(0),
            refusing: AtomicBool::new(false),
        })
    }

    /// The total the budget was made with.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Takes `bytes` of the budget, if they fit.
    pub(crate) fn reserve(self: &Arc<Self>, bytes: usize) -> Option<Reservation> {
        let mut reservation = Reservation {
            budget: Arc::clone(self),
            bytes: 0,
        };
        reservation.grow(bytes).then_some(reservation)
    }

    /// Whether this refusal is the first since a reservation last fit (so worth a word).
    pub(crate) fn first_refusal(&self) -> bool {
        !self.refusing.swap(true, Ordering::Relaxed)
    }

    fn take(&self, bytes: usize) -> bool {
        let taken = self
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&after| after <= self.total)
            })
            .is_ok();
        if taken && self.refusing.load(Ordering::Relaxed) {
            self.refusing.store(false, Ordering::Relaxed);
        }
        taken
    }
}

/// Bytes of the budget held by one body until dropped.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<BodyBudget>,
    bytes: usize,
}

impl Reservation {
    /// Holds at least `bytes` in all, taking more if they fit; else holds what it held.
    pub(crate) fn grow_to(&mut self, bytes: usize) -> bool {
        self.grow(bytes.saturating_sub(self.bytes))
    }

    /// Takes `bytes` more, if they fit; else holds what it held.
    pub(crate) fn grow(&mut self, bytes: usize) -> bool {
        if bytes == 0 {
            return true;
        }
        let taken = self.budget.take(bytes);
        if taken {
            self.bytes += bytes;
        }
        taken
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_fit_the_total_and_return_it_when_dropped() {
        let budget = BodyBudget::new(100);
        let a = budget.reserve(60).expect("60 of 100");
        assert!(budget.reserve(41).is_none(), "60 + 41 > 100");
        let mut b = budget.reserve(40).expect("60 + 40 = 100");
        assert!(!b.grow(1), "the budget is spent");
        assert!(b.grow(0));
        drop(a);
        assert!(b.grow(60), "a's 60 came back");
        assert!(b.grow_to(50), "b holds 100 already");
        assert!(budget.reserve(1).is_none());
        drop(b);
        assert!(budget.reserve(100).is_some(), "all of it came back");
        assert!(budget.reserve(usize::MAX).is_none(), "no overflow");
        assert!(budget.first_refusal(), "the first refusal of an episode");
        assert!(!budget.first_refusal(), "then quiet");
        drop(budget.reserve(1));
        assert!(
            budget.first_refusal(),
            "a reservation that fit ends the episode"
        );
    }
}
