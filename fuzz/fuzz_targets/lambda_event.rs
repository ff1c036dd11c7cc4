//! libFuzzer entry point of the `lambda_event` target: see `chalice_fuzz::lambda_event`. Run with `fuzz/run lambda_event`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chalice_fuzz::lambda_event(data));
