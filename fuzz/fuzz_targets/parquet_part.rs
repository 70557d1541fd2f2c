//! The Parquet reader: any bytes as one CUR part read into an aggregator (the in-memory path S3
//! objects take). A broken file is an error; never a panic. The read runs under the guard
//! curtop's reads run each part under (`panics::catch_quietly`, as `source::local` does): a
//! decoder panic inside parquet/arrow is the part's `unreadable-file` diagnosis there, so what
//! this target finds is what would still take curtop down (an abort, a hang, memory blow-up).
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
    let _ = curtop::panics::catch_quietly(|| read_parquet_part(input, None, "fuzz.parquet", &mut agg));
    let _ = agg.into_partial();
});
