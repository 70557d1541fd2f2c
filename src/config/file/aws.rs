//! The AWS sources: `s3` and `athena` profiles, and the access keys they share (region, named
//! AWS profile, role and external id, endpoint).

use std::ops::Range;

use toml::Spanned;

use super::Check;
use super::raw::RawProfile;
use crate::config::{AthenaSpec, AwsAccess, ConfigError, S3Spec, SourceSpec};

/// `max-attempts`: 1 (no retry) to 10 tries of a call.
const MAX_ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=10;
/// `read-timeout`: 1 second to an hour.
const READ_TIMEOUT_SECS: std::ops::RangeInclusive<u32> = 1..=3600;

impl Check<'_> {
    /// `source = "s3"`: bucket and report (or export) required, the rest optional.
    pub(super) fn s3(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let Some(bucket) = text(&raw.bucket, "bucket")? else {
            return Err(self.err(
                Some(span),
                &at("bucket"),
                "missing; source = \"s3\" needs the bucket the CUR is delivered to",
            ));
        };
        if bucket.contains('/') || bucket.starts_with("s3:") {
            return Err(self.err(
                raw.bucket.as_ref().map(Spanned::span),
                &at("bucket"),
                "a bucket name only (no s3:// and no path); put the path in `prefix`",
            ));
        }
        let report = match (text(&raw.report, "report")?, text(&raw.export, "export")?) {
            (Some(r), None) | (None, Some(r)) => r,
            (Some(_), Some(_)) => {
                return Err(self.err(
                    raw.export.as_ref().map(Spanned::span),
                    &at("export"),
                    "give `report` (legacy CUR) or `export` (CUR 2.0 Data Export), not both",
                ));
            }
            (None, None) => {
                return Err(self.err(
                    Some(span),
                    &at("report"),
                    "missing; name the legacy CUR `report` or the CUR 2.0 `export`",
                ));
            }
        };
        let access = self.access(raw, name)?;
        Ok(SourceSpec::S3(S3Spec {
            bucket,
            prefix: text(&raw.prefix, "prefix")?
                .unwrap_or_default()
                .trim_matches('/')
                .to_string(),
            report: report.trim_matches('/').to_string(),
            access,
        }))
    }

    /// An optional text value, trimmed; present but empty is an error naming the key.
    pub(super) fn text_value(
        &self,
        v: Option<&Spanned<String>>,
        name: &str,
        key: &'static str,
    ) -> Result<Option<String>, ConfigError> {
        match v {
            None => Ok(None),
            Some(v) if v.get_ref().trim().is_empty() => Err(self.err(
                Some(v.span()),
                &["profiles", name, key],
                "empty; remove it or give a value",
            )),
            Some(v) => Ok(Some(v.get_ref().trim().to_string())),
        }
    }

    /// The keys every AWS source shares: region, named profile, role + external id, endpoint.
    pub(super) fn access(&self, raw: &RawProfile, name: &str) -> Result<AwsAccess, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let role_arn = text(&raw.role_arn, "role-arn")?;
        let external_id = text(&raw.external_id, "external-id")?;
        if external_id.is_some() && role_arn.is_none() {
            return Err(self.err(
                raw.external_id.as_ref().map(Spanned::span),
                &at("external-id"),
                "only meaningful with `role-arn` (the role whose trust policy requires it)",
            ));
        }
        if let Some(arn) = &role_arn
            && !(arn.starts_with("arn:") && arn.contains(":role/"))
        {
            return Err(self.err(
                raw.role_arn.as_ref().map(Spanned::span),
                &at("role-arn"),
                "not a role ARN; expected arn:aws:iam::ACCOUNT:role/NAME",
            ));
        }
        let endpoint_url = text(&raw.endpoint_url, "endpoint-url")?;
        if let Some(url) = &endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(self.err(
                raw.endpoint_url.as_ref().map(Spanned::span),
                &at("endpoint-url"),
                "expected an http:// or https:// URL",
            ));
        }
        Ok(AwsAccess {
            region: text(&raw.region, "region")?,
            profile: text(&raw.aws_profile, "aws-profile")?,
            role_arn,
            external_id,
            endpoint_url,
            max_attempts: self.bounded(
                raw.max_attempts.as_ref(),
                name,
                "max-attempts",
                MAX_ATTEMPTS,
            )?,
            read_timeout: self.bounded(
                raw.read_timeout.as_ref(),
                name,
                "read-timeout",
                READ_TIMEOUT_SECS,
            )?,
        })
    }

    /// An optional `s3://BUCKET…` URL; anything else is an error saying `expected`.
    fn s3_url(
        &self,
        v: Option<&Spanned<String>>,
        name: &str,
        key: &'static str,
        expected: &str,
    ) -> Result<Option<String>, ConfigError> {
        let url = self.text_value(v, name, key)?;
        match &url {
            Some(u) if !(u.starts_with("s3://") && u.len() > "s3://".len()) => {
                Err(self.err(v.map(Spanned::span), &["profiles", name, key], expected))
            }
            _ => Ok(url),
        }
    }

    /// An optional number within `range`; outside it an error naming the key and the range.
    fn bounded(
        &self,
        v: Option<&Spanned<u32>>,
        name: &str,
        key: &'static str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<Option<u32>, ConfigError> {
        match v {
            None => Ok(None),
            Some(v) if range.contains(v.get_ref()) => Ok(Some(*v.get_ref())),
            Some(v) => Err(self.err(
                Some(v.span()),
                &["profiles", name, key],
                format!(
                    "{} is out of range; expected {} to {}",
                    v.get_ref(),
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// `source = "athena"`: database and table required; workgroup, output location (an
    /// `s3://` URL; optional when the workgroup manages results) and catalog optional.
    pub(super) fn athena(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let Some(database) = text(&raw.database, "database")? else {
            return Err(self.err(
                Some(span),
                &at("database"),
                "missing; source = \"athena\" needs the Glue database holding the CUR table",
            ));
        };
        let Some(table) = text(&raw.table, "table")? else {
            return Err(self.err(
                Some(span),
                &at("table"),
                "missing; source = \"athena\" needs the CUR table's name",
            ));
        };
        let output_location = self.s3_url(
            raw.output_location.as_ref(),
            name,
            "output-location",
            "expected an s3:// URL (s3://BUCKET/PATH/) where Athena writes query results",
        )?;
        let table_location = self.s3_url(
            raw.table_location.as_ref(),
            name,
            "table-location",
            "expected an s3:// URL (s3://BUCKET/PREFIX/) where the table's data lives",
        )?;
        Ok(SourceSpec::Athena(AthenaSpec {
            database,
            table,
            workgroup: text(&raw.workgroup, "workgroup")?,
            output_location,
            catalog: text(&raw.catalog, "catalog")?,
            table_location,
            access: self.access(raw, name)?,
        }))
    }
}
