//! The config file format end to end through [`parse`]: what valid text becomes, and the exact
//! message (with file, line, column and key) of each rule invalid text breaks.

use super::*;
use crate::config::{EnvRules, SourceSpec, TagMapping};

fn ok(text: &str) -> Config {
    match parse(text, "t.toml", None) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn fails(text: &str) -> String {
    match parse(text, "t.toml", None) {
        Ok(c) => panic!("parsed: {c:?}"),
        Err(e) => e.to_string(),
    }
}

const DEMO: &str = "[profiles.d]\nsource = \"demo\"\n";

#[test]
fn a_single_profile_is_the_default_and_demo_has_defaults() {
    let c = ok(DEMO);
    assert_eq!(c.default_profile, "d");
    assert_eq!(c.profiles[0].source, SourceSpec::Demo { seed: 7, days: 45 });
    assert_eq!(c.profiles[0].tags, TagMapping::default());
    assert_eq!(c.profiles[0].env, EnvRules::default());
}

#[test]
fn profiles_keep_file_order() {
    let c = ok(
        "default-profile = \"b\"\n[profiles.zeta]\nsource = \"demo\"\n[profiles.b]\nsource = \"demo\"\n[profiles.alpha]\nsource = \"demo\"\n",
    );
    let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["zeta", "b", "alpha"]);
    assert_eq!(c.default_profile, "b");
}

#[test]
fn tags_replace_defaults_and_labels_keep_order() {
    let c = ok(
        "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\ncluster = [\"eks:cluster-name\", \"kubernetes_cluster\"]\nlabel.team = [\"team\"]\nlabel.app = []\n",
    );
    let tags = &c.profiles[0].tags;
    assert_eq!(tags.cluster, ["eks:cluster-name", "kubernetes_cluster"]);
    assert_eq!(tags.namespace, TagMapping::default().namespace);
    assert_eq!(
        tags.labels,
        [
            ("team".to_string(), vec!["team".to_string()]),
            ("app".to_string(), TagMapping::label_default_keys("app")),
        ]
    );
}

#[test]
fn env_aliases_are_added_over_the_defaults() {
    let c = ok(
        "[profiles.p]\nsource = \"demo\"\n[profiles.p.env-aliases]\nSBX = \"sandbox\"\nprod = \"live\"\n",
    );
    let env = &c.profiles[0].env;
    assert_eq!(env.normalize("sbx").as_deref(), Some("sandbox"));
    assert_eq!(env.normalize("prod").as_deref(), Some("live"));
    assert_eq!(env.normalize("stg").as_deref(), Some("staging"));
}

#[test]
fn relative_paths_join_the_base_folder() {
    let text = "[profiles.a]\nsource = \"local\"\npath = \"cur/report\"\n[profiles.b]\nsource = \"local\"\npath = \"/abs/cur\"\n";
    let text = format!("default-profile = \"a\"\n{text}");
    let c = parse(&text, "t.toml", Some(Path::new("/etc/curtop"))).expect("valid");
    assert_eq!(
        c.profiles[0].source,
        SourceSpec::Local {
            path: "/etc/curtop/cur/report".into()
        }
    );
    assert_eq!(
        c.profiles[1].source,
        SourceSpec::Local {
            path: "/abs/cur".into()
        }
    );
    let c = parse(&text, "t.toml", None).expect("valid");
    assert_eq!(
        c.profiles[0].source,
        SourceSpec::Local {
            path: "cur/report".into()
        }
    );
}

#[test]
fn no_profiles() {
    assert_eq!(
        fails(""),
        "t.toml: key `profiles`: no profiles; add a `[profiles.NAME]` table with a `source`"
    );
    assert_eq!(
        fails("profiles = {}\n"),
        "t.toml:1:12: key `profiles`: no profiles; add a `[profiles.NAME]` table with a `source`"
    );
}

#[test]
fn default_profile_must_exist_or_be_implied() {
    assert_eq!(
        fails(&format!("default-profile = \"x\"\n{DEMO}")),
        "t.toml:1:19: key `default-profile`: no profile named `x`; the profiles are `d`"
    );
    assert_eq!(
        fails(&format!("{DEMO}[profiles.e]\nsource = \"demo\"\n")),
        "t.toml: key `default-profile`: missing; required when there are several profiles (`d`, `e`)"
    );
}

#[test]
fn profile_names_are_restricted() {
    assert_eq!(
        fails("[profiles.\"my prod\"]\nsource = \"demo\"\n"),
        "t.toml:1:11: key `profiles.\"my prod\"`: invalid profile name; use letters, digits, `-` and `_`"
    );
    assert_eq!(
        fails("[profiles.\"\"]\nsource = \"demo\"\n"),
        "t.toml:1:11: key `profiles.\"\"`: invalid profile name; use letters, digits, `-` and `_`"
    );
    ok("[profiles.Prod_2-eu]\nsource = \"demo\"\n");
}

#[test]
fn unknown_sources() {
    assert_eq!(
        fails("[profiles.p]\nsource = \"ftp\"\n"),
        "t.toml:2:10: key `profiles.p.source`: unknown source `ftp`; expected `local` or `demo` or `s3` or `athena` or `focus` or `combined`"
    );
}

#[test]
fn athena_profiles_need_a_table_and_an_s3_result_location() {
    let cfg = Config::parse(
        "[profiles.p]\nsource = \"athena\"\ndatabase = \"cur\"\ntable = \"acme\"\n\
         workgroup = \"finops\"\nregion = \"eu-west-1\"\n",
        "t.toml",
    )
    .unwrap();
    let SourceSpec::Athena(a) = &cfg.profiles[0].source else {
        panic!("not athena: {:?}", cfg.profiles[0].source);
    };
    assert_eq!((a.database.as_str(), a.table.as_str()), ("cur", "acme"));
    assert_eq!(a.workgroup.as_deref(), Some("finops"));
    assert_eq!(a.access.region.as_deref(), Some("eu-west-1"));
    assert_eq!(a.output_location, None);
    assert_eq!(
        fails("[profiles.p]\nsource = \"athena\"\ndatabase = \"cur\"\n"),
        "t.toml:1:1: key `profiles.p.table`: missing; source = \"athena\" needs the CUR table's name"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\nworkgroup = \"w\"\n"),
        "t.toml:3:13: key `profiles.p.workgroup`: only allowed with source = \"athena\""
    );
}

#[test]
fn s3_profiles_and_secrets() {
    let cfg = ok(
        "[profiles.p]\nsource = \"s3\"\nbucket = \"b\"\nprefix = \"/cur/\"\nreport = \"r\"\n\
         region = \"eu-west-1\"\nrole-arn = \"arn:aws:iam::1:role/x\"\nexternal-id = \"e\"\n",
    );
    let SourceSpec::S3(s3) = &cfg.profiles[0].source else {
        panic!("not s3: {:?}", cfg.profiles[0].source)
    };
    assert_eq!(s3.url(), "s3://b/cur/r");
    assert_eq!(s3.access.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s3.access.external_id.as_deref(), Some("e"));
    // A secret written into the file: refused, and its value is never repeated.
    for key in [
        "aws-secret-access-key",
        "aws-access-key-id",
        "aws-session-token",
    ] {
        let e = fails(&format!(
            "[profiles.p]\nsource = \"s3\"\nbucket = \"b\"\nreport = \"r\"\n{key} = \"hunter2-value\"\n"
        ));
        assert!(e.contains("named AWS profile"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }
}

#[test]
fn local_needs_a_non_empty_path_and_no_demo_keys() {
    assert_eq!(
        fails("[profiles.p]\nsource = \"local\"\n"),
        "t.toml:1:1: key `profiles.p.path`: missing; source = \"local\" needs the CUR delivery folder or file"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"local\"\npath = \" \"\n"),
        "t.toml:3:8: key `profiles.p.path`: empty path"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"local\"\npath = \"x\"\ndays = 3\n"),
        "t.toml:4:8: key `profiles.p.days`: only allowed with source = \"demo\""
    );
}

#[test]
fn demo_takes_no_path_and_bounded_days() {
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\npath = \"x\"\n"),
        "t.toml:3:8: key `profiles.p.path`: only allowed with source = \"local\" or \"focus\""
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\ndays = 0\n"),
        "t.toml:3:8: key `profiles.p.days`: 0 is out of range; expected 1 to 400"
    );
    let c = ok("[profiles.p]\nsource = \"demo\"\nseed = 1\ndays = 400\n");
    assert_eq!(
        c.profiles[0].source,
        SourceSpec::Demo { seed: 1, days: 400 }
    );
}

#[test]
fn tag_lists_are_non_empty_without_blanks_or_repeats() {
    let head = "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\n";
    assert_eq!(
        fails(&format!("{head}pod = []\n")),
        "t.toml:4:7: key `profiles.p.tags.pod`: empty list; name at least one tag key, or leave `pod` out to use the default (`kubernetes_pod`)"
    );
    assert_eq!(
        fails(&format!("{head}pod = [\"a\", \"\"]\n")),
        "t.toml:4:13: key `profiles.p.tags.pod`: empty tag key"
    );
    assert_eq!(
        fails(&format!("{head}label.team = [\"t\", \"t\"]\n")),
        "t.toml:4:20: key `profiles.p.tags.label.team`: tag key `t` is listed twice"
    );
    assert_eq!(
        fails(&format!("{head}label.\" \" = []\n")),
        "t.toml:4:7: key `profiles.p.tags.label.\" \"`: empty label name"
    );
}

#[test]
fn env_aliases_are_not_blank() {
    let head = "[profiles.p]\nsource = \"demo\"\n[profiles.p.env-aliases]\n";
    assert_eq!(
        fails(&format!("{head}stg = \"\"\n")),
        "t.toml:4:7: key `profiles.p.env-aliases.stg`: empty environment name"
    );
}

#[test]
fn serde_errors_name_the_key() {
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\nnode = [\"x\"]\n"),
        "t.toml:4:1: key `profiles.p.tags.node`: unknown key; expected one of `cluster`, `namespace`, `deployment`, `daemonset`, `statefulset`, `pod`, `container`, `env`, `label`"
    );
    assert_eq!(
        fails("[profiles.p]\npath = \"x\"\n"),
        "t.toml:1:1: key `profiles.p.source`: missing required key"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\nseed = \"x\"\n"),
        "t.toml:3:8: key `profiles.p.seed`: invalid type: string \"x\", expected a non-negative integer"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\npod = [\"a\", 3]\n"),
        "t.toml:4:13: key `profiles.p.tags.pod`: invalid type: integer `3`, expected a string"
    );
    assert_eq!(
        fails("profiles = 3\n"),
        "t.toml:1:12: key `profiles`: invalid type: integer `3`, expected a table"
    );
    assert_eq!(
        fails("profiles.p = 3\n"),
        "t.toml:1:14: key `profiles.p`: invalid type: integer `3`, expected a table"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\ntags = \"x\"\n"),
        "t.toml:3:8: key `profiles.p.tags`: invalid type: string \"x\", expected a table"
    );
    assert_eq!(
        fails("[profiles.p]\nsource = \"demo\"\ntags.pod = \"x\"\n"),
        "t.toml:3:12: key `profiles.p.tags.pod`: invalid type: string \"x\", expected an array"
    );
}

#[test]
fn sharing_rules_parse_with_exact_ratios_and_env_fallbacks() {
    use crate::config::sharing::{IdleRule, RATIO_ONE, Split, TargetKind, TargetSplit};
    let c = ok(include_str!(
        "../../../tests/fixtures/config/valid/sharing.toml"
    ));
    let p = &c.profiles[0];
    assert_eq!(p.sharing.idle, IdleRule::Share);
    assert_eq!(p.sharing.split, Split::Even);
    assert_eq!(p.sharing.shared_namespaces, ["kube-system", "monitoring"]);
    let rules = &p.sharing.costs;
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0].name, "datadog");
    assert_eq!(rules[0].into, TargetKind::Environments);
    assert_eq!(
        rules[0].split,
        TargetSplit::Ratios(vec![
            ("production".into(), 700_000_000),
            ("staging".into(), 300_000_000)
        ])
    );
    let TargetSplit::Ratios(r) = &rules[0].split else {
        unreachable!()
    };
    assert_eq!(r.iter().map(|(_, p)| p).sum::<u64>(), RATIO_ONE);
    assert_eq!(rules[1].select.labels, [("team".into(), "platform".into())]);
    assert_eq!(rules[2].split, TargetSplit::Proportional(vec![]));
    // `dev` is normalized by the aliases.
    assert_eq!(
        p.env.namespaces,
        [
            ("*-staging".to_string(), "staging".to_string()),
            ("*-dev".to_string(), "development".to_string())
        ]
    );
    assert_eq!(p.env.fallback("web", "prod-eu", ""), Some("production"));
    // Ratios that float arithmetic would not sum to one still do as decimals.
    let thirds = "[profiles.d]\nsource = \"demo\"\n[[profiles.d.sharing.costs]]\nname = \"n\"\n\
                  into = \"clusters\"\nratios = { a = 0.1, b = 0.2, c = 0.7 }\n";
    assert!(parse(thirds, "t.toml", None).is_ok());
}
