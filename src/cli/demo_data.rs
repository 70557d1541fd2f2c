//! `curtop demo-data`: a deterministic generated CUR delivery, in any layout AWS writes, with
//! its truth in `DIR/truth.json`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, ValueEnum};

use crate::clock::{Clock, parse_as_of};
use crate::demo::{Compression, Cur2Format, DemoSpec, Granularity, Layout, Scale, Versioning};

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is one command-line flag"
)]
pub(super) struct DemoDataArgs {
    /// Where to write (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Days of data ending today (default 45; 7 with --bench-rows).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=400))]
    days: Option<u32>,
    /// Generator seed.
    #[arg(long, value_name = "S", default_value_t = 7)]
    seed: u64,
    /// How the delivery is laid out (legacy CUR as CSV or for the Athena integration, or a
    /// CUR 2.0 Data Export).
    #[arg(long, value_enum, value_name = "L", default_value = "legacy-csv-gz")]
    layout: LayoutArg,
    /// CSV parts per billing period.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    parts: u16,
    /// Legacy report versioning.
    #[arg(long, value_enum, value_name = "V", default_value = "create-new")]
    versioning: VersioningArg,
    /// Hourly line items (default daily).
    #[arg(long)]
    hourly: bool,
    /// ~155 columns, as a real report with every option has.
    #[arg(long)]
    wide: bool,
    /// Net (discounted) columns.
    #[arg(long)]
    net: bool,
    /// A report created without resource IDs.
    #[arg(long)]
    no_resource_ids: bool,
    /// Benchmark size: about N hourly, wide line items (default 7 days).
    #[arg(long, value_name = "N")]
    bench_rows: Option<u64>,
    /// The demo bill's last day instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<DateTime<Utc>>,
}

/// `demo-data --layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LayoutArg {
    LegacyCsvGz,
    LegacyCsvZip,
    LegacyCsv,
    /// The Athena integration's Parquet.
    LegacyParquet,
    /// A CUR 2.0 Data Export as Parquet.
    Cur2Parquet,
    /// A CUR 2.0 Data Export as CSV.gz.
    Cur2CsvGz,
    /// A FOCUS 1.0 Data Export (AWS columns) as CSV.gz.
    Focus,
    /// The FOCUS export with an Azure (AKS) and a Google Cloud (GKE) FOCUS file beside it.
    FocusMulticloud,
}

/// `demo-data --versioning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VersioningArg {
    CreateNew,
    Overwrite,
}

impl DemoDataArgs {
    /// The generator's spec for a bill ending on `today` (included).
    fn spec(&self, today: NaiveDate) -> DemoSpec {
        let versioning = match self.versioning {
            VersioningArg::CreateNew => Versioning::CreateNew,
            VersioningArg::Overwrite => Versioning::Overwrite,
        };
        let csv = |compression| Layout::LegacyCsv {
            versioning,
            compression,
            parts: usize::from(self.parts),
        };
        let layout = match self.layout {
            LayoutArg::LegacyCsvGz => csv(Compression::Gzip),
            LayoutArg::LegacyCsvZip => csv(Compression::Zip),
            LayoutArg::LegacyCsv => csv(Compression::None),
            LayoutArg::LegacyParquet => Layout::LegacyParquet,
            LayoutArg::Cur2Parquet => Layout::Cur2 {
                format: Cur2Format::Parquet,
            },
            LayoutArg::Cur2CsvGz => Layout::Cur2 {
                format: Cur2Format::CsvGz,
            },
            LayoutArg::Focus => Layout::Focus {
                other_clouds: false,
            },
            LayoutArg::FocusMulticloud => Layout::Focus { other_clouds: true },
        };
        let days = self
            .days
            .unwrap_or(if self.bench_rows.is_some() { 7 } else { 45 });
        let end = today.succ_opt().unwrap_or(today);
        let mut spec = DemoSpec::demo(self.seed, days, end);
        spec.layout = layout;
        spec.with_net = self.net;
        spec.with_resource_ids = !self.no_resource_ids;
        spec.wide = self.wide;
        if self.hourly {
            spec.granularity = Granularity::Hourly;
        }
        if let Some(rows) = self.bench_rows {
            spec.granularity = Granularity::Hourly;
            spec.wide = true;
            spec.scale = Scale::with_target_rows(rows, days, Granularity::Hourly);
        }
        spec
    }
}

pub(super) fn run(a: &DemoDataArgs) -> i32 {
    let today = a
        .as_of
        .map_or_else(|| Clock::system().now().today(), |t| t.date_naive());
    let spec = a.spec(today);
    match crate::demo::generate_to_dir(&spec, &a.out) {
        Ok(truth) => {
            println!(
                "wrote {} line items ({} days, seed {}) to {}; truth in {}",
                truth.rows,
                spec.days,
                spec.seed,
                a.out.display(),
                a.out.join("truth.json").display()
            );
            if matches!(spec.layout, Layout::Focus { .. }) {
                // `--cur` reads FOCUS too, but only a `focus` profile adds the providers'
                // Kubernetes tag keys (AKS, GKE).
                println!(
                    "read it with a profile `source = \"focus\"`, `path = {:?}`, then: curtop \
                     report --profile NAME --window all --by provider,cluster",
                    a.out.display().to_string()
                );
            } else {
                println!(
                    "read it with: curtop report --cur {} --window all",
                    a.out.display()
                );
            }
            0
        }
        Err(e) => {
            eprintln!("curtop demo-data: cannot write {}: {e}", a.out.display());
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn args(s: &str) -> Result<DemoDataArgs, clap::Error> {
        let argv = ["curtop", "demo-data"]
            .into_iter()
            .chain(s.split_whitespace());
        match Cli::try_parse_from(argv)?.command {
            Some(Command::DemoData(a)) => Ok(a),
            other => panic!("not demo-data: {other:?}"),
        }
    }

    #[test]
    fn demo_data_options_build_the_spec() {
        let today = NaiveDate::from_ymd_opt(2024, 5, 20).unwrap();
        let d = args("--out x --layout cur2-parquet --days 3 --hourly --net")
            .unwrap()
            .spec(today);
        assert_eq!(
            d.layout,
            Layout::Cur2 {
                format: Cur2Format::Parquet
            }
        );
        assert_eq!(
            (d.days, d.granularity, d.with_net),
            (3, Granularity::Hourly, true)
        );
        assert_eq!(d.end, NaiveDate::from_ymd_opt(2024, 5, 21).unwrap());
        let b = args("--out x --bench-rows 100000").unwrap().spec(today);
        assert!(b.wide && b.days == 7);
        let err = |s: &str| args(s).unwrap_err().to_string();
        assert!(err("--layout xml --out x").contains("possible values"));
        assert!(err("--days 5").contains("--out <DIR>"));
        assert!(err("--out x --parts 0").contains("1..=64"));
        assert!(err("--out x --days 401").contains("1..=400"));
        let pinned = args("--out x --as-of 2026-11-18").unwrap();
        assert_eq!(
            pinned.as_of.map(|t| t.date_naive()),
            NaiveDate::from_ymd_opt(2026, 11, 18)
        );
    }
}
