//! `ours`: the benchmark app's one binary. `--port N` serves HTTP on 127.0.0.1 (what
//! `chalice local` runs); with `AWS_LAMBDA_RUNTIME_API` set it is the Lambda bootstrap.
//!
//! `BENCH_QUIET=1` turns the local server's one-line-per-request log off (by installing a
//! subscriber that takes nothing, which `run()` respects), so the harness can show what that
//! line costs.

fn main() {
    if std::env::var_os("BENCH_QUIET").is_some() {
        let _ =
            tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    }
    chalice::run(bench_ours::app());
}
