#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samkoer_fuzz::check_index(data));
