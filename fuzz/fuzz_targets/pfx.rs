#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bankkey_fuzz::pfx(data));
