#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samkoer_fuzz::consent_state(data));
