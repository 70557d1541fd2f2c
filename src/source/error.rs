//! Why a source could not produce facts. Each variant says what was seen and where; the
//! diagnostics layer maps them to codes and fixes.

use std::fmt;

use crate::untrusted::{self, shown};

/// The share of malformed rows (of the rows read) beyond which a read is an error rather than
/// a warning: more than half.
pub const MAX_MALFORMED_SHARE: (u64, u64) = (1, 2);

/// A failed read of a CUR delivery.
#[derive(Debug)]
pub enum SourceError {
    /// A file or folder could not be read.
    Io { path: String, error: std::io::Error },
    /// No CUR delivery (manifest, partition folder or CUR file) under the path.
    NoDelivery { path: String, seen: Vec<String> },
    /// Several reports under the path: reading them together would double count.
    SeveralReports { path: String, reports: Vec<String> },
    /// A manifest that is not the JSON AWS writes.
    BadManifest { file: String, reason: String },
    /// Columns without which no cost can be computed.
    MissingColumns {
        file: String,
        columns: Vec<&'static str>,
    },
    /// A file curtop cannot read (FOCUS export, unknown compression, broken Parquet).
    Unreadable { file: String, reason: String },
    /// The window holds no billing period of the delivery.
    NothingInWindow {
        path: String,
        window: String,
        available: String,
    },
    /// A billing period's manifest changed during every one of several reads in a row.
    DeliveryChanging { manifest: String, restarts: usize },
    /// The read was cancelled (a refresh or quit replaced it).
    Cancelled,
    /// Amounts whose sum is beyond what curtop holds (±$9.2 billion): no total would be true.
    SumOverflow { path: String },
    /// More than [`MAX_MALFORMED_SHARE`] of the rows read are malformed: what is left is
    /// not the bill.
    MostlyMalformed {
        path: String,
        malformed: u64,
        rows: u64,
        examples: Vec<crate::facts::Malformed>,
    },
    /// `--offline` and the cache holds nothing of the window.
    NotCached { profile: String, cache: String },
    /// An Athena call or query failed.
    Athena(Box<super::athena::AthenaFailure>),
}

impl fmt::Display for SourceError {
    /// Paths, keys and reasons come from outside (a manifest, a folder's listing, AWS): each
    /// is shown escaped and cut ([`untrusted::shown`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |items: &[String]| {
            items
                .iter()
                .map(|s| untrusted::shown(s).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Io { path, error } => write!(f, "cannot read {}: {error}", shown(path)),
            Self::NoDelivery { path, seen } => {
                write!(
                    f,
                    "no CUR delivery under {}: no `*-Manifest.json`, no `year=/month=` Parquet folder, no CUR file",
                    shown(path)
                )?;
                if seen.is_empty() {
                    write!(f, " (the folder is empty)")
                } else {
                    write!(f, "; found: {}", list(seen))
                }
            }
            Self::SeveralReports { path, reports } => write!(
                f,
                "{} holds several reports ({}); point --cur at one report's folder so no cost is counted twice",
                shown(path),
                list(reports)
            ),
            Self::BadManifest { file, reason } => {
                write!(
                    f,
                    "manifest {} is not a CUR manifest: {}",
                    shown(file),
                    shown(reason)
                )
            }
            Self::MissingColumns { file, columns } => write!(
                f,
                "{} lacks the column(s) {} without which no cost can be computed; is this a Cost and Usage Report or a FOCUS export?",
                shown(file),
                columns.join(", ")
            ),
            Self::Unreadable { file, reason } => {
                write!(f, "cannot read {}: {}", shown(file), shown(reason))
            }
            Self::NothingInWindow {
                path,
                window,
                available,
            } => write!(
                f,
                "{} has no billing data in the window {window}; it covers {available}",
                shown(path)
            ),
            Self::DeliveryChanging { manifest, restarts } => write!(
                f,
                "{} changed during each of {restarts} reads in a row (AWS is rewriting the report)",
                shown(manifest)
            ),
            Self::Cancelled => write!(f, "the read was cancelled"),
            Self::SumOverflow { path } => write!(
                f,
                "{path}: the amounts sum beyond ±$9.2 billion, more than curtop can hold exactly"
            ),
            Self::MostlyMalformed {
                path,
                malformed,
                rows,
                examples,
            } => {
                write!(f, "{path}: {malformed} of {rows} rows are malformed")?;
                if let Some(e) = examples.first() {
                    write!(f, "; first: {}:{}: {}", e.file, e.line, e.reason)?;
                }
                Ok(())
            }
            Self::NotCached { profile, cache } => write!(
                f,
                "nothing of profile `{profile}` in the window is cached in {cache}"
            ),
            Self::Athena(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
