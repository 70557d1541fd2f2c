//! [`DiagCode`]: the stable identity of a [`super::Diagnosis`], one variant per code, each
//! written as the kebab-case string scripts match on (`curtop doctor --json`, the panes).

use std::fmt;

use serde::{Serialize, Serializer};

/// What a diagnosis is about. [`DiagCode::as_str`] is its stable, kebab-case name; `Display`
/// and `Serialize` write that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagCode {
    /// `access-denied`
    AccessDenied,
    /// `amount-overflow`: the amounts sum beyond what curtop holds.
    AmountOverflow,
    /// `athena-managed-results`
    AthenaManagedResults,
    /// `athena-output-location`
    AthenaOutputLocation,
    /// `athena-query-failed`
    AthenaQueryFailed,
    /// `athena-schema-mismatch`
    AthenaSchemaMismatch,
    /// `athena-table-missing`
    AthenaTableMissing,
    /// `athena-workgroup-missing`
    AthenaWorkgroupMissing,
    /// `bad-manifest`
    BadManifest,
    /// `bucket-not-found`
    BucketNotFound,
    /// `cancelled`
    Cancelled,
    /// `connection-lost`
    ConnectionLost,
    /// `credentials-missing`
    CredentialsMissing,
    /// `data-updating`
    DataUpdating,
    /// `delivery-changing`
    DeliveryChanging,
    /// `endpoint-unreachable`
    EndpointUnreachable,
    /// `environments-unmapped`
    EnvironmentsUnmapped,
    /// `internal-error`
    InternalError,
    /// `io-error`
    IoError,
    /// `malformed-rows`
    MalformedRows,
    /// `missing-parts`
    MissingParts,
    /// `no-manifest`
    NoManifest,
    /// `not-cached`
    NotCached,
    /// `nothing-in-window`
    NothingInWindow,
    /// `object-missing`
    ObjectMissing,
    /// `path-not-found`
    PathNotFound,
    /// `period-restarted`
    PeriodRestarted,
    /// `permission-denied`
    PermissionDenied,
    /// `read-warning`
    ReadWarning,
    /// `report-misconfigured`
    ReportMisconfigured,
    /// `required-columns-missing`
    RequiredColumnsMissing,
    /// `role-assume-failed`
    RoleAssumeFailed,
    /// `s3-error`
    S3Error,
    /// `several-reports`
    SeveralReports,
    /// `stale-data`
    StaleData,
    /// `tags-not-activated`
    TagsNotActivated,
    /// `throttled`
    Throttled,
    /// `timeout`
    Timeout,
    /// `unreadable-file`
    UnreadableFile,
    /// `wrong-region`
    WrongRegion,
}

impl DiagCode {
    /// Every code, in the order of their names.
    pub const ALL: [DiagCode; 40] = [
        DiagCode::AccessDenied,
        DiagCode::AmountOverflow,
        DiagCode::AthenaManagedResults,
        DiagCode::AthenaOutputLocation,
        DiagCode::AthenaQueryFailed,
        DiagCode::AthenaSchemaMismatch,
        DiagCode::AthenaTableMissing,
        DiagCode::AthenaWorkgroupMissing,
        DiagCode::BadManifest,
        DiagCode::BucketNotFound,
        DiagCode::Cancelled,
        DiagCode::ConnectionLost,
        DiagCode::CredentialsMissing,
        DiagCode::DataUpdating,
        DiagCode::DeliveryChanging,
        DiagCode::EndpointUnreachable,
        DiagCode::EnvironmentsUnmapped,
        DiagCode::InternalError,
        DiagCode::IoError,
        DiagCode::MalformedRows,
        DiagCode::MissingParts,
        DiagCode::NoManifest,
        DiagCode::NotCached,
        DiagCode::NothingInWindow,
        DiagCode::ObjectMissing,
        DiagCode::PathNotFound,
        DiagCode::PeriodRestarted,
        DiagCode::PermissionDenied,
        DiagCode::ReadWarning,
        DiagCode::ReportMisconfigured,
        DiagCode::RequiredColumnsMissing,
        DiagCode::RoleAssumeFailed,
        DiagCode::S3Error,
        DiagCode::SeveralReports,
        DiagCode::StaleData,
        DiagCode::TagsNotActivated,
        DiagCode::Throttled,
        DiagCode::Timeout,
        DiagCode::UnreadableFile,
        DiagCode::WrongRegion,
    ];

    /// The stable kebab-case name (`path-not-found`, …): safe to match on in scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagCode::AccessDenied => "access-denied",
            DiagCode::AmountOverflow => "amount-overflow",
            DiagCode::AthenaManagedResults => "athena-managed-results",
            DiagCode::AthenaOutputLocation => "athena-output-location",
            DiagCode::AthenaQueryFailed => "athena-query-failed",
            DiagCode::AthenaSchemaMismatch => "athena-schema-mismatch",
            DiagCode::AthenaTableMissing => "athena-table-missing",
            DiagCode::AthenaWorkgroupMissing => "athena-workgroup-missing",
            DiagCode::BadManifest => "bad-manifest",
            DiagCode::BucketNotFound => "bucket-not-found",
            DiagCode::Cancelled => "cancelled",
            DiagCode::ConnectionLost => "connection-lost",
            DiagCode::CredentialsMissing => "credentials-missing",
            DiagCode::DataUpdating => "data-updating",
            DiagCode::DeliveryChanging => "delivery-changing",
            DiagCode::EndpointUnreachable => "endpoint-unreachable",
            DiagCode::EnvironmentsUnmapped => "environments-unmapped",
            DiagCode::InternalError => "internal-error",
            DiagCode::IoError => "io-error",
            DiagCode::MalformedRows => "malformed-rows",
            DiagCode::MissingParts => "missing-parts",
            DiagCode::NoManifest => "no-manifest",
            DiagCode::NothingInWindow => "nothing-in-window",
            DiagCode::NotCached => "not-cached",
            DiagCode::ObjectMissing => "object-missing",
            DiagCode::PathNotFound => "path-not-found",
            DiagCode::PeriodRestarted => "period-restarted",
            DiagCode::PermissionDenied => "permission-denied",
            DiagCode::ReadWarning => "read-warning",
            DiagCode::ReportMisconfigured => "report-misconfigured",
            DiagCode::RequiredColumnsMissing => "required-columns-missing",
            DiagCode::RoleAssumeFailed => "role-assume-failed",
            DiagCode::S3Error => "s3-error",
            DiagCode::SeveralReports => "several-reports",
            DiagCode::StaleData => "stale-data",
            DiagCode::TagsNotActivated => "tags-not-activated",
            DiagCode::Throttled => "throttled",
            DiagCode::Timeout => "timeout",
            DiagCode::UnreadableFile => "unreadable-file",
            DiagCode::WrongRegion => "wrong-region",
        }
    }
}

impl fmt::Display for DiagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for DiagCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::DiagCode;

    #[test]
    fn names_are_kebab_case_distinct_and_sorted() {
        let names: Vec<&str> = DiagCode::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for n in names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
    }
}
