//! What a local "invocation" knows about itself: its request id and Lambda context.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chalice_core::adapter::HttpRequest;
use chalice_core::{LambdaContext, Method};

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
/// assert_eq!(context.function_name, "todo-dev");
/// assert_eq!(context.aws_request_id.len(), 36);
/// ```
#[derive(Debug, Clone)]
pub struct LocalFunction {
    name: String,
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
            name: name.into(),
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
    /// assert_eq!(context.function_name, "jobs-dev-nightly");
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
        context.function_version = "$LATEST".to_owned();
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
