#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| samkoer_fuzz::person_file(data));
