//! The minimal read-only IAM policy for the configured profiles (`doctor --iam-policy`).

use serde_json::{Value, json};

use crate::config::{FocusPath, FocusSpec, Profile, SourceSpec};

/// The minimal read-only IAM policy for the profiles' AWS sources: S3 List on exactly the CUR
/// bucket and prefix and Get under it; Athena query actions on the workgroup, Glue reads on the
/// database and table, the table's own data (Athena reads it with the caller's permissions)
/// and the output location (the one place Athena writes, for its results).
///
/// An Athena table's location is `live[profile name]` (what the catalog answered,
/// [`crate::source::athena::Athena::table_location`]), else the profile's `table-location`
/// (offline). The names of the Athena profiles whose location is unknown either way are
/// returned beside the policy: it then lacks their data and the first query would fail with
/// `PERMISSION_ERROR`.
pub fn iam_policy(
    profiles: &[Profile],
    live: &std::collections::BTreeMap<String, String>,
) -> (Value, Vec<String>) {
    let mut statements = Vec::new();
    let mut unknown_locations = Vec::new();
    for p in profiles {
        let sid = |what: &str| {
            let clean: String = p.name.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("Curtop{clean}{what}")
        };
        match &p.source {
            SourceSpec::S3(s)
            | SourceSpec::Focus(FocusSpec {
                location: FocusPath::S3(s),
                ..
            }) => {
                let path = [s.prefix.as_str(), s.report.as_str()]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                statements.push(json!({
                    "Sid": sid("ListCur"),
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": format!("arn:aws:s3:::{}", s.bucket),
                    "Condition": {"StringLike": {"s3:prefix": [format!("{path}/*"), format!("{path}/")]}},
                }));
                statements.push(json!({
                    "Sid": sid("ReadCur"),
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": format!("arn:aws:s3:::{}/{path}/*", s.bucket),
                }));
            }
            SourceSpec::Athena(a) => {
                let region = a.access.region.as_deref().unwrap_or("*");
                let wg = a.workgroup.as_deref().unwrap_or("primary");
                statements.push(json!({
                    "Sid": sid("Query"),
                    "Effect": "Allow",
                    "Action": [
                        "athena:StartQueryExecution",
                        "athena:GetQueryExecution",
                        "athena:GetQueryResults",
                        "athena:StopQueryExecution",
                    ],
                    "Resource": format!("arn:aws:athena:{region}:*:workgroup/{wg}"),
                }));
                statements.push(json!({
                    "Sid": sid("Catalog"),
                    "Effect": "Allow",
                    "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                    "Resource": [
                        format!("arn:aws:glue:{region}:*:catalog"),
                        format!("arn:aws:glue:{region}:*:database/{}", a.database),
                        format!("arn:aws:glue:{region}:*:table/{}/{}", a.database, a.table),
                        format!("arn:aws:glue:{region}:*:table/{}/cost_and_usage_data_status", a.database),
                    ],
                }));
                match live.get(&p.name).or(a.table_location.as_ref()) {
                    Some(data) => statements.extend(s3_read(data, &sid("TableData"))),
                    None => unknown_locations.push(p.name.clone()),
                }
                if let Some(out) = &a.output_location {
                    let rest = out.trim_start_matches("s3://").trim_end_matches('/');
                    let bucket = rest.split('/').next().unwrap_or(rest);
                    statements.push(json!({
                        "Sid": sid("Results"),
                        "Effect": "Allow",
                        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                        "Resource": format!("arn:aws:s3:::{bucket}"),
                    }));
                    statements.push(json!({
                        "Sid": sid("ResultObjects"),
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": format!("arn:aws:s3:::{rest}/*"),
                    }));
                }
            }
            // A combined profile's sources are profiles of the file: their statements are theirs.
            SourceSpec::Local { .. }
            | SourceSpec::Demo { .. }
            | SourceSpec::Combined(_)
            | SourceSpec::Focus(FocusSpec {
                location: FocusPath::Local(_),
                ..
            }) => {}
        }
    }
    (
        json!({ "Version": "2012-10-17", "Statement": statements }),
        unknown_locations,
    )
}

/// List (limited to the prefix) and Get under an `s3://BUCKET/PREFIX/` location.
fn s3_read(location: &str, sid: &str) -> [Value; 2] {
    let rest = location.trim_start_matches("s3://").trim_end_matches('/');
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let mut list = json!({
        "Sid": format!("{sid}List"),
        "Effect": "Allow",
        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
        "Resource": format!("arn:aws:s3:::{bucket}"),
    });
    let objects = if prefix.is_empty() {
        format!("arn:aws:s3:::{bucket}/*")
    } else {
        list["Condition"] =
            json!({"StringLike": {"s3:prefix": [format!("{prefix}/*"), prefix.to_string()]}});
        format!("arn:aws:s3:::{bucket}/{prefix}/*")
    };
    let get = json!({
        "Sid": format!("{sid}Get"),
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": objects,
    });
    [list, get]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::collections::BTreeMap;

    fn athena(extra: &str) -> Vec<Profile> {
        Config::parse(
            &format!("[profiles.a]\nsource = \"athena\"\ndatabase = \"d\"\ntable = \"t\"\n{extra}"),
            "t.toml",
        )
        .unwrap()
        .profiles
    }

    #[test]
    fn an_athena_policy_grants_reads_on_the_tables_data() {
        let (policy, unknown) = iam_policy(
            &athena("table-location = \"s3://acme-cur/cur/acme/acme/\"\n"),
            &BTreeMap::new(),
        );
        assert!(unknown.is_empty());
        let st = policy["Statement"].as_array().unwrap();
        let list = st
            .iter()
            .find(|s| s["Sid"] == "CurtopaTableDataList")
            .unwrap();
        assert_eq!(list["Resource"], "arn:aws:s3:::acme-cur");
        assert_eq!(
            list["Condition"]["StringLike"]["s3:prefix"],
            json!(["cur/acme/acme/*", "cur/acme/acme"])
        );
        let get = st
            .iter()
            .find(|s| s["Sid"] == "CurtopaTableDataGet")
            .unwrap();
        assert_eq!(get["Action"], json!(["s3:GetObject"]));
        assert_eq!(get["Resource"], "arn:aws:s3:::acme-cur/cur/acme/acme/*");
    }

    #[test]
    fn a_whole_bucket_location_has_no_prefix_condition_and_an_unknown_one_is_named() {
        let (policy, _) = iam_policy(
            &athena("table-location = \"s3://acme-cur\"\n"),
            &BTreeMap::new(),
        );
        let st = policy["Statement"].as_array().unwrap();
        let list = st
            .iter()
            .find(|s| s["Sid"] == "CurtopaTableDataList")
            .unwrap();
        assert!(list.get("Condition").is_none());
        let (_, unknown) = iam_policy(&athena(""), &BTreeMap::new());
        assert_eq!(unknown, ["a"]);
    }

    #[test]
    fn the_catalogs_location_wins_over_the_profile_key() {
        let live = BTreeMap::from([("a".to_string(), "s3://live-cur/data/".to_string())]);
        let (policy, unknown) = iam_policy(&athena("table-location = \"s3://stale\"\n"), &live);
        assert!(unknown.is_empty());
        let text = policy.to_string();
        assert!(text.contains("arn:aws:s3:::live-cur/data/*"), "{text}");
        assert!(!text.contains("stale"), "{text}");
        let (_, unknown) = iam_policy(&athena(""), &live);
        assert!(unknown.is_empty());
    }
}
