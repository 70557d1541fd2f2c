//! The manifest parser: any bytes as a legacy or CUR 2.0 manifest.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = curtop::source::manifest::parse(data, "report");
});
