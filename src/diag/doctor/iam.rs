//! The minimal read-only IAM policy for the configured profiles (`doctor --iam-policy`).

use serde_json::{Value, json};

use crate::config::{FocusPath, FocusSpec, Profile, SourceSpec};

/// The minimal read-only IAM policy for the profiles' AWS sources: S3 List on exactly the CUR
/// bucket and prefix and Get under it; Athena query actions on the workgroup, Glue reads on the
/// database and table, and the output location (the one place Athena writes, for its results).
pub fn iam_policy(profiles: &[Profile]) -> Value {
    let mut statements = Vec::new();
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
    json!({ "Version": "2012-10-17", "Statement": statements })
}
