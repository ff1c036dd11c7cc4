//! libFuzzer entry point of the `local_request` target: see `chalice_fuzz::local_request`. Run with `fuzz/run local_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chalice_fuzz::local_request(data));
