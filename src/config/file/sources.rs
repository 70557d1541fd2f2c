//! The source kinds a profile may name, the one table of which keys belong to which kinds (and
//! the refusal of a key its profile's kind does not take), and the local and demo sources.

use std::ops::Range;
use std::path::PathBuf;

use toml::Spanned;

use super::Check;
use super::raw::RawProfile;
use crate::config::{ConfigError, FocusPath, FocusSpec, Profile, S3Spec, SourceSpec};

/// The kinds of source a profile may name, as written in `source = "…"`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Local,
    Demo,
    S3,
    Athena,
    Focus,
    Combined,
}

impl SourceKind {
    /// Every kind, in the order the unknown-source message lists them.
    const ALL: [SourceKind; 6] = [
        SourceKind::Local,
        SourceKind::Demo,
        SourceKind::S3,
        SourceKind::Athena,
        SourceKind::Focus,
        SourceKind::Combined,
    ];

    /// The name as written in `source = "…"`.
    fn name(self) -> &'static str {
        match self {
            SourceKind::Local => "local",
            SourceKind::Demo => "demo",
            SourceKind::S3 => "s3",
            SourceKind::Athena => "athena",
            SourceKind::Focus => "focus",
            SourceKind::Combined => "combined",
        }
    }

    fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Read from AWS: these take the shared access keys (region, role, endpoint, …).
    fn is_aws(self) -> bool {
        matches!(self, SourceKind::S3 | SourceKind::Athena)
    }
}

/// Where a key's value is in the file, if the profile gives it.
type SpanOf = fn(&RawProfile) -> Option<Range<usize>>;

fn span_of<T>(value: Option<&Spanned<T>>) -> Option<Range<usize>> {
    value.map(Spanned::span)
}

/// The keys that belong to some source kinds only, with the kinds they belong to, in the order
/// they are checked: the first one a profile gives for a source not among its kinds is refused.
const SOURCE_KEYS: [(&str, &[SourceKind], SpanOf); 22] = {
    use SourceKind::{Athena, Combined, Demo, Focus, Local, S3};
    // A `focus` profile may read from S3 (`path = "s3://…"`), so it takes the access keys.
    const AWS: &[SourceKind] = &[S3, Athena, Focus];
    [
        ("bucket", &[S3], |r| span_of(r.bucket.as_ref())),
        ("prefix", &[S3], |r| span_of(r.prefix.as_ref())),
        ("report", &[S3], |r| span_of(r.report.as_ref())),
        ("export", &[S3], |r| span_of(r.export.as_ref())),
        ("database", &[Athena], |r| span_of(r.database.as_ref())),
        ("table", &[Athena], |r| span_of(r.table.as_ref())),
        ("workgroup", &[Athena], |r| span_of(r.workgroup.as_ref())),
        ("output-location", &[Athena], |r| {
            span_of(r.output_location.as_ref())
        }),
        ("catalog", &[Athena], |r| span_of(r.catalog.as_ref())),
        ("table-location", &[Athena], |r| {
            span_of(r.table_location.as_ref())
        }),
        ("region", AWS, |r| span_of(r.region.as_ref())),
        ("aws-profile", AWS, |r| span_of(r.aws_profile.as_ref())),
        ("role-arn", AWS, |r| span_of(r.role_arn.as_ref())),
        ("external-id", AWS, |r| span_of(r.external_id.as_ref())),
        ("endpoint-url", AWS, |r| span_of(r.endpoint_url.as_ref())),
        ("max-attempts", AWS, |r| span_of(r.max_attempts.as_ref())),
        ("read-timeout", AWS, |r| span_of(r.read_timeout.as_ref())),
        ("path", &[Local, Focus], |r| span_of(r.path.as_ref())),
        ("currency", &[Focus], |r| span_of(r.currency.as_ref())),
        ("sources", &[Combined], |r| span_of(r.sources.as_ref())),
        ("seed", &[Demo], |r| span_of(r.seed.as_ref())),
        ("days", &[Demo], |r| span_of(r.days.as_ref())),
    ]
};

/// A combined profile's name and the profile names of its `sources`, each where it is written.
pub(super) type CombinedRefs = (String, Vec<(String, Range<usize>)>);

/// Demo defaults and limits.
const DEMO_SEED: u64 = 7;
const DEMO_DAYS: u32 = 45;
const DEMO_MAX_DAYS: u32 = 400;

impl Check<'_> {
    /// The profile's source: its keys checked against [`SOURCE_KEYS`], then read by kind.
    pub(super) fn source(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let kind = SourceKind::from_name(raw.source.get_ref());
        self.refuse_foreign_keys(raw, name, kind)?;
        Ok(match kind {
            Some(SourceKind::S3) => self.s3(raw, span, name)?,
            Some(SourceKind::Athena) => self.athena(raw, span, name)?,
            Some(SourceKind::Local) => self.local(raw.path.as_ref(), span, name)?,
            Some(SourceKind::Demo) => self.demo(raw, name)?,
            Some(SourceKind::Focus) => self.focus(raw, span, name)?,
            Some(SourceKind::Combined) => self.combined(raw, span, name)?,
            None => {
                let known = SourceKind::ALL
                    .map(|kind| format!("`{}`", kind.name()))
                    .join(" or ");
                let message = format!(
                    "unknown source `{}`; expected {known}",
                    raw.source.get_ref()
                );
                return Err(self.err(
                    Some(raw.source.span()),
                    &["profiles", name, "source"],
                    message,
                ));
            }
        })
    }

    /// Refuses the first key of [`SOURCE_KEYS`] the profile gives that its source (`None`:
    /// unknown) does not take.
    fn refuse_foreign_keys(
        &self,
        raw: &RawProfile,
        name: &str,
        source: Option<SourceKind>,
    ) -> Result<(), ConfigError> {
        for (key, owners, span_of) in SOURCE_KEYS {
            let Some(value_span) = span_of(raw) else {
                continue;
            };
            let owned_by_aws = owners.iter().any(|kind| kind.is_aws());
            let message = match source {
                Some(kind) if owners.contains(&kind) => continue,
                // A local or demo key on an AWS profile is refused in the name of the profile's
                // source, not as belonging to `local` or `demo`: the wording the AWS sources have
                // always used.
                Some(kind) if kind.is_aws() && !owned_by_aws => {
                    format!("not allowed with source = \"{}\"", kind.name())
                }
                // An unknown source: only the AWS keys are refused here; the unknown-source error
                // that follows covers the rest (a `path` with `source = "gcs"` is a wrong source,
                // not a wrong key).
                None if !owned_by_aws => continue,
                _ => {
                    let owners = owners
                        .iter()
                        .map(|kind| format!("\"{}\"", kind.name()))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    format!("only allowed with source = {owners}")
                }
            };
            return Err(self.err(Some(value_span), &["profiles", name, key], message));
        }
        Ok(())
    }

    /// `source = "local"`: a path, resolved against the config file's folder.
    fn local(
        &self,
        path: Option<&Spanned<String>>,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = ["profiles", name, "path"];
        let Some(path) = path else {
            return Err(self.err(
                Some(span),
                &at,
                "missing; source = \"local\" needs the CUR delivery folder or file",
            ));
        };
        if path.get_ref().trim().is_empty() {
            return Err(self.err(Some(path.span()), &at, "empty path"));
        }
        Ok(SourceSpec::Local {
            path: self.resolve(path.get_ref()),
        })
    }

    /// `source = "focus"`: a FOCUS export's `path`, local (resolved like `local`'s) or
    /// `s3://bucket/prefix/export`; `currency` optional.
    fn focus(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = ["profiles", name, "path"];
        let Some(path) = raw.path.as_ref() else {
            return Err(self.err(
                Some(span),
                &at,
                "missing; source = \"focus\" needs the FOCUS export's folder or file \
                 (local, or s3://bucket/prefix/export)",
            ));
        };
        let text = path.get_ref().trim();
        if text.is_empty() {
            return Err(self.err(Some(path.span()), &at, "empty path"));
        }
        let location = if let Some(rest) = text.strip_prefix("s3://") {
            let rest = rest.trim_matches('/');
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() || key.is_empty() {
                return Err(self.err(
                    Some(path.span()),
                    &at,
                    "expected s3://BUCKET/PREFIX/EXPORT (the export's folder, under which \
                     AWS writes data/ and metadata/)",
                ));
            }
            let (prefix, export) = key.rsplit_once('/').unwrap_or(("", key));
            FocusPath::S3(S3Spec {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
                report: export.to_string(),
                access: self.access(raw, name)?,
            })
        } else {
            FocusPath::Local(self.resolve(text))
        };
        let currency = self
            .text_value(raw.currency.as_ref(), name, "currency")?
            .map(|c| c.to_ascii_uppercase());
        Ok(SourceSpec::Focus(FocusSpec { location, currency }))
    }

    /// `source = "combined"`: two or more profile names, each once. That they name other,
    /// non-combined profiles is checked once every profile is read
    /// ([`Check::resolve_combined`]); until then the list holds placeholders.
    fn combined(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = ["profiles", name, "sources"];
        let Some(list) = raw.sources.as_ref() else {
            return Err(self.err(
                Some(span),
                &at,
                "missing; source = \"combined\" needs `sources = [\"PROFILE\", \"PROFILE\", …]`",
            ));
        };
        if list.get_ref().len() < 2 {
            return Err(self.err(
                Some(list.span()),
                &at,
                "name at least two profiles whose bills to combine",
            ));
        }
        let mut names: Vec<String> = Vec::new();
        for n in list.get_ref() {
            if names.contains(n.get_ref()) {
                return Err(self.err(
                    Some(n.span()),
                    &at,
                    format!(
                        "`{}` is named twice; its bill would count twice",
                        n.get_ref()
                    ),
                ));
            }
            names.push(n.get_ref().clone());
        }
        Ok(SourceSpec::Combined(
            names.into_iter().map(Profile::placeholder).collect(),
        ))
    }

    /// Replaces each combined profile's placeholders with the profiles they name: every name
    /// must be another profile of the file, and not a combined one.
    pub(super) fn resolve_combined(
        &self,
        profiles: &mut [Profile],
        spans: &[CombinedRefs],
    ) -> Result<(), ConfigError> {
        let all: Vec<Profile> = profiles.to_vec();
        for (name, refs) in spans {
            let Some(p) = profiles.iter_mut().find(|p| p.name == *name) else {
                continue;
            };
            let SourceSpec::Combined(parts) = &mut p.source else {
                continue;
            };
            let at = ["profiles", name.as_str(), "sources"];
            for (part, (want, span)) in parts.iter_mut().zip(refs) {
                let found = all.iter().find(|q| q.name == *want);
                match found {
                    Some(q) if q.name == *name || matches!(q.source, SourceSpec::Combined(_)) => {
                        return Err(self.err(
                            Some(span.clone()),
                            &at,
                            format!(
                                "`{want}` is a combined profile; name the profiles it combines"
                            ),
                        ));
                    }
                    Some(q) => *part = q.clone(),
                    None => {
                        return Err(self.err(
                            Some(span.clone()),
                            &at,
                            format!("no profile named `{want}`"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// `source = "demo"`: seed and days optional, days bounded.
    fn demo(&self, raw: &RawProfile, name: &str) -> Result<SourceSpec, ConfigError> {
        let days = raw.days.as_ref().map_or(Ok(DEMO_DAYS), |days| {
            if (1..=DEMO_MAX_DAYS).contains(days.get_ref()) {
                Ok(*days.get_ref())
            } else {
                Err(self.err(
                    Some(days.span()),
                    &["profiles", name, "days"],
                    format!(
                        "{} is out of range; expected 1 to {DEMO_MAX_DAYS}",
                        days.get_ref()
                    ),
                ))
            }
        })?;
        Ok(SourceSpec::Demo {
            seed: raw.seed.as_ref().map_or(DEMO_SEED, |seed| *seed.get_ref()),
            days,
        })
    }

    /// A `path` as written, or joined to the config file's folder when relative.
    fn resolve(&self, path: &str) -> PathBuf {
        let path = PathBuf::from(path);
        match self.base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path,
        }
    }
}
