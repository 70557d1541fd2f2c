//! The checks as text (the `doctor` command, the dashboard's diagnostics pane) and as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{ProfileReport, Status};
use crate::diag::Diagnosis;

/// The checks as text: one line per check, evidence indented, the failing one expanded.
pub fn render_text(reports: &[ProfileReport]) -> String {
    let mut s = String::new();
    for r in reports {
        let _ = writeln!(s, "profile {} ({})", r.profile, r.source);
        for c in &r.checks {
            let mark = match c.status {
                Status::Pass => "pass",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
                Status::Skipped(_) => "skip",
            };
            let _ = write!(s, "  [{mark}] {}", c.name);
            if let Status::Skipped(why) = &c.status {
                let _ = write!(s, " ({why})");
            }
            s.push('\n');
            for e in &c.evidence {
                let _ = writeln!(s, "         {e}");
            }
            if let Some(d) = &c.diagnosis {
                write_diagnosis(&mut s, d, "         ", false);
            }
        }
        s.push('\n');
    }
    s
}

/// A diagnosis as plain text: code and title, what was seen, causes, fix steps, docs.
pub fn render_diagnosis(d: &Diagnosis) -> String {
    let mut s = String::new();
    write_diagnosis(&mut s, d, "", true);
    s
}

fn write_diagnosis(s: &mut String, d: &Diagnosis, indent: &str, seen: bool) {
    let _ = writeln!(s, "{indent}diagnosis [{}]: {}", d.code, d.title);
    if seen {
        for line in &d.seen {
            let _ = writeln!(s, "{indent}  seen: {line}");
        }
    }
    for cause in &d.causes {
        let _ = writeln!(s, "{indent}  cause: {cause}");
    }
    for (i, fix) in d.fixes.iter().enumerate() {
        let _ = writeln!(s, "{indent}  fix {}. {fix}", i + 1);
    }
    for doc in &d.docs {
        let _ = writeln!(s, "{indent}  docs: {doc}");
    }
}

/// The checks as JSON.
pub fn to_json(reports: &[ProfileReport]) -> Value {
    let profiles: Vec<Value> = reports
        .iter()
        .map(|r| {
            let checks: Vec<Value> = r
                .checks
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name,
                        "status": c.status.name(),
                        "skipped_because": match &c.status {
                            Status::Skipped(w) => Value::String(w.clone()),
                            _ => Value::Null,
                        },
                        "evidence": c.evidence,
                        "diagnosis": c.diagnosis.as_ref().map(|d| json!({
                            "code": d.code,
                            "title": d.title,
                            "seen": d.seen,
                            "causes": d.causes,
                            "fixes": d.fixes,
                            "docs": d.docs,
                        })),
                    })
                })
                .collect();
            json!({
                "profile": r.profile,
                "source": r.source,
                "exit_code": r.exit_code(),
                "checks": checks,
            })
        })
        .collect();
    let code = reports
        .iter()
        .map(ProfileReport::exit_code)
        .max()
        .unwrap_or(0);
    json!({ "exit_code": code, "profiles": profiles })
}
