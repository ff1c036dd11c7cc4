//! libFuzzer entry point of the `authorizer_event` target: see `chalice_fuzz::authorizer_event`. Run with `fuzz/run authorizer_event`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chalice_fuzz::authorizer_event(data));
