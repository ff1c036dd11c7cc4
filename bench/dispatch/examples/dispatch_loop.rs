//! `dispatch_loop SIDE EVENT N`: dispatches one event N times, for profilers.
//!
//! SIDE is `ours`, `lambda_http_axum` or `floor`; EVENT one of `v1_get_user`,
//! `v1_post_echo`, `v2_get_user`, `v2_post_echo`. Under callgrind, the difference between
//! N = 10001 and N = 1 divided by 10,000 is the instructions per event, setup excluded:
//!
//! ```text
//! cargo build --profile profiling --example dispatch_loop
//! valgrind --tool=callgrind target/profiling/examples/dispatch_loop ours v2_get_user 10001
//! ```
//! `bench/scripts/callgrind-dispatch.sh` does this for every side and event.

use std::hint::black_box;

use bench_dispatch::{EVENTS, LambdaHttpAxum, Ours, floor};

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: dispatch_loop ours|lambda_http_axum|floor EVENT N";
    let side = args.next().expect(usage);
    let event = args.next().expect(usage);
    let n: usize = args.next().and_then(|n| n.parse().ok()).expect(usage);
    let (_, bytes, _) = EVENTS
        .iter()
        .find(|(name, _, _)| *name == event)
        .unwrap_or_else(|| panic!("unknown event {event}"));
    let mut total = 0usize;
    match side.as_str() {
        "ours" => {
            let ours = Ours::new();
            for _ in 0..n {
                total += ours.dispatch(black_box(bytes.as_bytes())).len();
            }
        }
        "lambda_http_axum" => {
            let mut theirs = LambdaHttpAxum::new();
            for _ in 0..n {
                total += theirs.dispatch(black_box(bytes.as_bytes())).len();
            }
        }
        "floor" => {
            for _ in 0..n {
                total += floor(black_box(bytes));
            }
        }
        other => panic!("unknown side {other}"),
    }
    black_box(total);
}
