//! libFuzzer entry point of the `config_json` target: see `chalice_fuzz::config_json`. Run with `fuzz/run config_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| chalice_fuzz::config_json(data));
