//! The real `curtop` binary: `report` on the demo bill, the dashboard's argument checks, `demo-data` + `report -o json` against
//! the generator's truth file, and the exit codes and messages of bad input.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Output};

use common::temp_dir;

fn curtop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env_remove("CURTOP_CONFIG")
        .env("XDG_CONFIG_HOME", temp_dir("no-user-config"))
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn report_groups_the_demo_bill_by_cluster_and_category() {
    // The demo bill ends on the day it is made, and the default window is its latest billing
    // period — with the one before it on the 1st to 7th of a month, so it holds a week.
    for date in curtop::clock::TEST_DATES {
        let out = curtop(&["report", "--by", "cluster,category", "--as-of", date]);
        assert!(out.status.success(), "{date}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for want in [
            "CLUSTER",
            "CATEGORY",
            "COST",
            "SHARE",
            "TOTAL",
            "idle",
            "pod",
            "unallocated",
            "100.0%",
        ] {
            assert!(stdout.contains(want), "{date}: missing {want} in\n{stdout}");
        }
    }
}

#[test]
fn demo_data_written_to_disk_reports_its_own_truth_within_a_cent() {
    let dir = temp_dir("cli-demo-data");
    let out = curtop(&[
        "demo-data",
        "--out",
        dir.to_str().unwrap(),
        "--days",
        "20",
        "--seed",
        "9",
        "--as-of",
        "2026-11-18",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let by_cc = &truth["default_mapping"]["amortized"]["by_cluster_category"];
    let out = curtop(&[
        "report",
        "--cur",
        dir.to_str().unwrap(),
        "--window",
        "all",
        "--by",
        "cluster,category",
        "-o",
        "json",
        "--as-of",
        "2026-11-18",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["metric"], "amortized");
    let rows = report["rows"].as_array().unwrap();
    let mut seen = 0;
    for (cluster, cats) in by_cc.as_object().unwrap() {
        for (cat, nanos) in cats.as_object().unwrap() {
            let want = nanos.as_i64().unwrap() as f64 / 1e9;
            if want == 0.0 {
                continue;
            }
            let got = rows
                .iter()
                .find(|r| {
                    r["cluster"].as_str().unwrap_or("-") == cluster && r["category"] == cat.as_str()
                })
                .map_or(0.0, |r| r["cost"].as_f64().unwrap());
            assert!(
                (got - want).abs() < 0.01,
                "{cluster}/{cat}: {got} vs {want}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} cluster/category cells compared");
    let total = truth["default_mapping"]["amortized"]["total"]
        .as_i64()
        .unwrap() as f64
        / 1e9;
    assert!((report["total"].as_f64().unwrap() - total).abs() < 0.01);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_arguments_and_configs_exit_2_with_the_reason() {
    let out = curtop(&["report", "--window", "fortnight"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown window `fortnight`"));

    let dir = temp_dir("cli-bad-config");
    let cfg = dir.join("broken.toml");
    std::fs::write(
        &cfg,
        "default-profile = \"x\"\n\n[profiles.x]\nsource = \"local\"\npth = \"/data\"\n",
    )
    .unwrap();
    let out = curtop(&["report", "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("broken.toml:5") && err.contains("pth"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_dashboard_refuses_a_non_terminal_and_checks_its_arguments_first() {
    // Without a terminal (a pipe, cron), the dashboard says to use `report`.
    let out = curtop(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs a terminal"),
        "{}",
        text(&out.stderr)
    );
    let out = curtop(&["--metric", "gross"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("gross"), "{}", text(&out.stderr));
    let out = curtop(&["--profile", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no profile `nope`"),
        "{}",
        text(&out.stderr)
    );
    let out = curtop(&["--by", "cluster"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("belong to `curtop report`"));
}

#[test]
fn unreadable_data_exits_1_and_names_the_path() {
    let out = curtop(&["report", "--cur", "/nonexistent/cur"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("/nonexistent/cur"), "{err}");
    assert!(err.contains("diagnosis [path-not-found]"), "{err}");
    assert!(err.contains("fix 1. check the folder"), "{err}");
}

#[test]
fn each_command_has_its_own_help_and_a_misspelt_one_gets_a_suggestion() {
    let out = curtop(&["report", "--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    for want in ["--by <DIMS>", "--window <W>", "--as-of <DATE>", "--explain"] {
        assert!(help.contains(want), "missing {want} in\n{help}");
    }
    let out = curtop(&["doctor", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--iam-policy"));
    let out = curtop(&["reprot", "--by", "cluster"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("'reprot'") && err.contains("'report'"),
        "{err}"
    );
    let out = curtop(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("curtop {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn options_take_their_value_after_an_equals_sign_too() {
    let out = curtop(&[
        "report",
        "--metric=net",
        "--window=all",
        "-o",
        "json",
        "--as-of=2026-11-18",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["metric"], "net");
    let out = curtop(&["report", "--metric=gross"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("gross") && err.contains("on-demand"), "{err}");
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = curtop(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains("curtop"), "{shell}: {script}");
        assert!(script.contains("demo-data"), "{shell}: {script}");
    }
    let out = curtop(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = curtop(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains(".TH curtop"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn report_compare_splits_every_delta_into_parts_that_add_up() {
    let out = curtop(&[
        "report",
        "--compare",
        "--by",
        "cluster,category",
        "--window",
        "7d",
        "-o",
        "json",
        "--as-of",
        "2026-03-15",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert!(rows.len() > 5, "{report}");
    let parts = ["usage", "rate", "new", "gone", "other", "capacity", "use"];
    for r in rows.iter().chain([&report["compare"]]) {
        let delta = r["delta"].as_f64().unwrap();
        let cost = r["cost"].as_f64().unwrap();
        let previous = r["previous"].as_f64().unwrap();
        assert!((cost - previous - delta).abs() < 1e-6, "{r}");
        let sum: f64 = parts.iter().map(|p| r[*p].as_f64().unwrap()).sum();
        assert!((sum - delta).abs() < 1e-6, "parts of {r}");
    }
    let idle = rows.iter().find(|r| r["category"] == "idle").unwrap();
    assert_eq!(
        idle["usage"].as_f64(),
        Some(0.0),
        "idle is capacity and use: {idle}"
    );

    let out = curtop(&[
        "report",
        "--compare",
        "--window",
        "7d",
        "-o",
        "markdown",
        "--as-of",
        "2026-03-15",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.contains("| CLUSTER | COST | SHARED IN | PREVIOUS | DELTA | USAGE |"),
        "{md}"
    );
    assert!(
        md.contains("provisional days"),
        "the demo's last days are provisional: {md}"
    );
}

/// `curtop budget` on the demo bill (March 2026, billed through the 15th) with `budgets`.
fn budget_run(budgets: &str) -> Output {
    let dir = temp_dir("cli-budget");
    let cfg = dir.join("budgets.toml");
    std::fs::write(
        &cfg,
        format!("[profiles.demo]\nsource = \"demo\"\n\n[profiles.demo.budgets]\n{budgets}\n"),
    )
    .unwrap();
    curtop(&[
        "budget",
        "--config",
        cfg.to_str().unwrap(),
        "--as-of",
        "2026-03-15",
    ])
}

#[test]
fn budget_exits_0_within_1_forecast_to_exceed_2_exceeded() {
    let within = budget_run("\"cluster/prod-use1\" = 100000\n\"env/staging\" = 100000");
    assert_eq!(within.status.code(), Some(0), "{}", text(&within.stderr));
    let out = text(&within.stdout);
    assert!(out.contains("demo cluster/prod-use1: spent $"), "{out}");
    assert!(out.contains("7-day run rate): within"), "{out}");
    // Between what is spent and what is forecast: 1.
    let spent_and_forecast: Vec<f64> = out
        .lines()
        .next()
        .unwrap()
        .split('$')
        .skip(1)
        .map(|s| {
            s.split_whitespace()
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    let (spent, forecast) = (spent_and_forecast[0], spent_and_forecast[2]);
    assert!(spent < forecast, "{out}");
    let middle = format!(
        "\"cluster/prod-use1\" = {:.0}",
        f64::midpoint(spent, forecast)
    );
    let over = budget_run(&middle);
    assert_eq!(over.status.code(), Some(1), "{}", text(&over.stdout));
    assert!(text(&over.stdout).contains("forecast to exceed"));
    let exceeded = budget_run("\"cluster/prod-use1\" = 1\n\"namespace/payments\" = 100000");
    assert_eq!(exceeded.status.code(), Some(2), "the worst budget wins");
    assert!(text(&exceeded.stdout).contains("EXCEEDED"));
}

/// A sharing rule selects by a tag key the profile does not map (`user:team`, undeclared): the
/// read keeps that key for the rule, and what the rule sends to production is exactly what
/// `--by tag:user:team` says the team costs before sharing.
#[test]
fn a_sharing_rule_selects_by_any_tag_key_of_the_bill() {
    let dir = temp_dir("cli-sharing-tag");
    let cfg = dir.join("sharing.toml");
    std::fs::write(
        &cfg,
        "[profiles.demo]\nsource = \"demo\"\n\n[[profiles.demo.sharing.costs]]\n\
         name = \"platform-team\"\ntag = { \"user:team\" = \"platform\" }\n\
         into = \"environments\"\nratios = { production = 1 }\n",
    )
    .unwrap();
    let run = |args: &[&str]| -> serde_json::Value {
        let mut all = vec![
            "report",
            "--config",
            cfg.to_str().unwrap(),
            "--as-of",
            "2026-03-15",
            "-o",
            "json",
        ];
        all.extend_from_slice(args);
        let out = curtop(&all);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = run(&["--no-sharing", "--by", "tag:user:team"]);
    let platform = before["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tag:user:team"] == "platform")
        .unwrap_or_else(|| panic!("no platform team in {before}"))["cost"]
        .as_f64()
        .unwrap();
    assert!(platform > 1.0, "{before}");
    let after = run(&["--by", "env"]);
    let production = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["env"] == "production")
        .unwrap_or_else(|| panic!("no production in {after}"));
    assert!(
        (production["shared_in"].as_f64().unwrap() - platform).abs() < 0.005,
        "{production} vs the platform team's {platform}"
    );
    assert!((after["total"].as_f64().unwrap() - before["total"].as_f64().unwrap()).abs() < 1e-9);
    std::fs::remove_dir_all(dir).unwrap();
}
