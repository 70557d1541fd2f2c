//! The Parquet reader: any bytes as one CUR part read into an aggregator (the in-memory path S3
//! objects take). A broken file is an error; never a panic.
#![no_main]

use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::facts::Aggregator;
use curtop::source::parquet::{ParquetInput, read_parquet_part};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let mut agg = Aggregator::new(&plan, &env, None);
    let input = ParquetInput::Bytes(bytes::Bytes::copy_from_slice(data));
    let _ = read_parquet_part(input, None, "fuzz.parquet", &mut agg);
    let _ = agg.into_partial();
});
