//! The TOML config: any text as a config file. A broken one is an error naming file, line and
//! key; never a panic, and the message is built too (its spans must point into the text).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = curtop::config::Config::parse(text, "fuzz.toml") {
        let _ = e.to_string();
    }
});
