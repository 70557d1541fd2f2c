//! The CSV row parser: any bytes as one CUR part (plain, gzip or zip by the first byte), read
//! into an aggregator. A malformed row is counted, an unreadable part an error; never a panic.
#![no_main]

use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::facts::Aggregator;
use curtop::source::read_csv::{Compression, read_csv_part};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let compression = match first % 3 {
        0 => Compression::None,
        1 => Compression::Gzip,
        _ => Compression::Zip,
    };
    let plan = TagPlan::new(&TagMapping::default(), &["team".to_string()]);
    let env = EnvRules::default();
    let mut agg = Aggregator::new(&plan, &env, None);
    let _ = read_csv_part(Box::new(std::io::Cursor::new(rest.to_vec())), compression, "fuzz.csv", &mut agg);
    let _ = agg.into_partial();
});
