//! [`CheckId`]: the identity of each `doctor` check, written as the name the text, the JSON
//! (`"name": "config valid"`) and the dashboard show.

use std::fmt;

use serde::{Serialize, Serializer};

/// One of `doctor`'s checks. [`CheckId::as_str`] is its name; `Display` and `Serialize` write
/// it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    /// `config valid`: the profile parsed and names a source.
    ConfigValid,
    /// `credentials resolve`: STS says who the base credentials are.
    CredentialsResolve,
    /// `role assumable`: the profile's role can be assumed with them.
    RoleAssumable,
    /// `output location writable`: Athena's `SELECT 1` ran through the workgroup and output location.
    OutputLocationWritable,
    /// `database and table found`: the Athena table exists, with a layout curtop reads.
    DatabaseAndTableFound,
    /// `test query`: the facts query ran.
    TestQuery,
    /// `data status READY`: `cost_and_usage_data_status` says READY (or there is none).
    DataStatusReady,
    /// `bucket reachable in its region`: the S3 bucket answers, in the region configured.
    BucketReachable,
    /// `manifest present and fresh`: an S3 delivery's manifest exists and is recent.
    ManifestPresentAndFresh,
    /// `delivery found`: a local folder holds a CUR delivery.
    DeliveryFound,
    /// `manifest fresh`: a local delivery's manifest is recent and complete.
    ManifestFresh,
    /// `report settings`: resource IDs, split cost data, hourly granularity.
    ReportSettings,
    /// `required columns present`: the columns every view needs are there.
    RequiredColumnsPresent,
    /// `tag coverage`: how much of the bill the Kubernetes tags reach.
    TagCoverage,
    /// `environment coverage`: how much of the bill has an environment, and which keys seem to
    /// hold environments without being mapped.
    EnvironmentCoverage,
}

impl CheckId {
    /// Every check, each once.
    pub const ALL: [CheckId; 15] = [
        CheckId::ConfigValid,
        CheckId::CredentialsResolve,
        CheckId::RoleAssumable,
        CheckId::OutputLocationWritable,
        CheckId::DatabaseAndTableFound,
        CheckId::TestQuery,
        CheckId::DataStatusReady,
        CheckId::BucketReachable,
        CheckId::ManifestPresentAndFresh,
        CheckId::DeliveryFound,
        CheckId::ManifestFresh,
        CheckId::ReportSettings,
        CheckId::RequiredColumnsPresent,
        CheckId::TagCoverage,
        CheckId::EnvironmentCoverage,
    ];

    /// The check's name as shown (`config valid`, `data status READY`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::ConfigValid => "config valid",
            CheckId::CredentialsResolve => "credentials resolve",
            CheckId::RoleAssumable => "role assumable",
            CheckId::OutputLocationWritable => "output location writable",
            CheckId::DatabaseAndTableFound => "database and table found",
            CheckId::TestQuery => "test query",
            CheckId::DataStatusReady => "data status READY",
            CheckId::BucketReachable => "bucket reachable in its region",
            CheckId::ManifestPresentAndFresh => "manifest present and fresh",
            CheckId::DeliveryFound => "delivery found",
            CheckId::ManifestFresh => "manifest fresh",
            CheckId::ReportSettings => "report settings",
            CheckId::RequiredColumnsPresent => "required columns present",
            CheckId::TagCoverage => "tag coverage",
            CheckId::EnvironmentCoverage => "environment coverage",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::CheckId;

    #[test]
    fn names_are_distinct() {
        let mut names: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CheckId::ALL.len());
    }
}
