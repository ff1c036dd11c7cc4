//! libFuzzer entry point of the `route_definitions` target: see `chalice_fuzz::route_definitions`. Run with `fuzz/run route_definitions`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chalice_fuzz::route_definitions(data));
