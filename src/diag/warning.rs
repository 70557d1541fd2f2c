//! Read warnings as diagnoses: what the data cannot show (missing resource IDs, no split cost
//! data, malformed rows, an unusable cache, …), why, and how to get it back, at warning
//! severity.

use super::{DOC_CUR_CREATE, DOC_SPLIT, DiagCode, Diagnosis, Severity, strings};
use crate::facts::{Warning, WarningCode};

/// The diagnosis of a read warning: something the data cannot show, and how to get it.
pub fn diagnose_warning(w: &Warning) -> Diagnosis {
    let (code, causes, fixes): (DiagCode, Vec<String>, Vec<String>) = match w.code {
        WarningCode::NoResourceIds => (
            DiagCode::ReportMisconfigured,
            strings(["the report was created without \"Include resource IDs\""]),
            strings([
                "create a new report (or Data Export) with resource IDs included; existing reports cannot be changed",
                "keep the old report until the new one has a full month",
            ]),
        ),
        WarningCode::NoSplitCost => (
            DiagCode::ReportMisconfigured,
            strings([
                "split cost allocation data for EKS is not enabled, or the report does not include it",
            ]),
            strings([
                "Billing console → Cost Management preferences → enable split cost allocation data (Amazon EKS)",
                "edit the report to include split cost allocation data; data appears from the next delivery",
            ]),
        ),
        WarningCode::MissingParts => (
            DiagCode::MissingParts,
            strings([
                "the local copy is incomplete, or AWS was rewriting the report during the copy",
                "a part is a symlink (refused: curtop reads only regular files inside the folder)",
            ]),
            strings(["copy the report folder again (aws s3 sync)"]),
        ),
        WarningCode::DailyGranularity => (
            DiagCode::ReportMisconfigured,
            strings([
                "the report (or Data Export) was created with daily or monthly time granularity",
            ]),
            strings([
                "create a report with hourly granularity (TIME_GRANULARITY = HOURLY); keep the old one until the new one has a full month",
            ]),
        ),
        WarningCode::CacheInvalid | WarningCode::CacheUnwritable => (
            DiagCode::ReadWarning,
            strings([
                "the cache folder is read-only, full, or was changed by something other than curtop",
                "a cache file written by another version of curtop",
            ]),
            strings([
                "see what is cached: curtop cache",
                "start afresh: curtop cache clear (the next start reads the source again)",
            ]),
        ),
        WarningCode::StaleData => (
            DiagCode::StaleData,
            strings([
                "the report's delivery stopped (deleted report, bucket policy changed, or the payer account's billing settings)",
                "the local copy or sync job has not run since",
            ]),
            strings([
                "check the report still exists: aws cur describe-report-definitions (or aws bcm-data-exports list-exports)",
                "check the bucket policy still lets billingreports.amazonaws.com (bcm-data-exports.amazonaws.com) write",
                "if you copy the report, run the copy again",
            ]),
        ),
        WarningCode::DataUpdating => (
            DiagCode::DataUpdating,
            strings([
                "AWS is writing a new version of the CUR into the table's S3 prefix (several times a day for the open month)",
            ]),
            strings([
                "read again in a few minutes (in the dashboard: r), once cost_and_usage_data_status says READY",
            ]),
        ),
        WarningCode::PeriodRestarted => (
            DiagCode::PeriodRestarted,
            strings(["AWS delivered a new version of the period while curtop read it"]),
            strings(["nothing to do: the new version was read; the totals match it"]),
        ),
        WarningCode::MalformedRows => (
            DiagCode::MalformedRows,
            strings(["rows of the file do not parse (a damaged copy or a hand-edited file)"]),
            strings(["copy the report again; the counted rows are left out of every total"]),
        ),
        WarningCode::NothingToShareInto => (
            DiagCode::ReadWarning,
            strings([
                "a sharing rule found no target on those days (no namespace of the cluster ran, \
                 or none of the rule's targets had cost)",
            ]),
            strings([
                "nothing to do if that is expected; else widen the rule's targets under \
                 [profiles.NAME.sharing]",
            ]),
        ),
        WarningCode::DuplicateParts | WarningCode::EmptyPeriod => (
            DiagCode::BadManifest,
            strings(["the manifest was written by hand or by a tool other than AWS's delivery"]),
            strings(["copy the report folder again from the bucket AWS delivers to"]),
        ),
        WarningCode::MissingCostColumns => (
            DiagCode::ReportMisconfigured,
            strings([
                "the columns were dropped from the report (a hand-made export, an ETL job, a Data Export query that leaves them out)",
            ]),
            strings([
                "include the reservation and savingsPlan columns in the report (CUR 2.0: select them in the Data Export's columns)",
                "or look at unblended cost (m), which needs none of them",
            ]),
        ),
        WarningCode::FocusColumnsMissing => (
            DiagCode::ReportMisconfigured,
            strings([
                "the export follows an older FOCUS version, or the provider leaves these columns out",
            ]),
            strings([
                "export a newer FOCUS version where the provider offers one (AWS: FOCUS_1_2_AWS)",
            ]),
        ),
        WarningCode::PodsWithoutNode
        | WarningCode::PodsBeyondNodeCost
        | WarningCode::Reconciliation
        | WarningCode::Corrections
        | WarningCode::OtherCurrency
        | WarningCode::MixedCurrencies
        | WarningCode::UnknownLineItemTypes => (
            DiagCode::ReadWarning,
            strings(["see the message"]),
            Vec::new(),
        ),
    };
    Diagnosis {
        code,
        severity: Severity::Warning,
        title: w.message.clone(),
        seen: vec![format!("warning [{}]", w.code)],
        causes,
        fixes,
        docs: vec![DOC_CUR_CREATE, DOC_SPLIT],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_explain_what_view_is_lost() {
        let d = diagnose_warning(&Warning {
            code: WarningCode::NoResourceIds,
            message: "report created without resource IDs".into(),
        });
        assert_eq!(d.code, DiagCode::ReportMisconfigured);
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.fixes[0].contains("resource IDs included"));
    }
}
