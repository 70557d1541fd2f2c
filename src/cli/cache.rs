//! `curtop cache`: what the facts cache holds, and `curtop cache clear` to empty it (all of
//! it, or one profile's).

use std::fmt::Write as _;

use clap::{Args, Subcommand};

use crate::cache::Cache;
use crate::clock::Clock;

#[derive(Debug, Args)]
pub(super) struct CacheArgs {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the cached periods (the default).
    List,
    /// Remove cached facts: every profile's, or one's.
    Clear {
        /// Only this profile's.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
}

pub(super) fn run(a: &CacheArgs) -> i32 {
    let Some(cache) = Cache::user() else {
        eprintln!("curtop cache: this system has no cache folder (no HOME, no XDG_CACHE_HOME)");
        return 1;
    };
    match &a.action {
        None | Some(Action::List) => list(&cache),
        Some(Action::Clear { profile }) => match cache.clear(profile.as_deref()) {
            Ok(n) => {
                let whose = profile
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" of profile `{p}`"));
                println!(
                    "removed {n} cached period{}{whose} from {}",
                    if n == 1 { "" } else { "s" },
                    cache.facts_dir().display()
                );
                0
            }
            Err(e) => {
                eprintln!("curtop cache clear: {}: {e}", cache.facts_dir().display());
                1
            }
        },
    }
}

fn list(cache: &Cache) -> i32 {
    let entries = match cache.list() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("curtop cache: {}: {e}", cache.facts_dir().display());
            return 1;
        }
    };
    let dir = cache.facts_dir();
    if entries.is_empty() {
        println!("nothing cached in {}", dir.display());
        return 0;
    }
    let as_of = Clock::system().now();
    let mut rows: Vec<[String; 7]> = vec![[
        "PROFILE".into(),
        "PERIOD".into(),
        "VERSION".into(),
        "ROWS".into(),
        "SIZE".into(),
        "READ".into(),
        "SOURCE".into(),
    ]];
    let mut total = 0;
    for e in &entries {
        total += e.size;
        let size = crate::source::athena::decimal_bytes(e.size);
        let folder = e
            .path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        rows.push(match &e.meta {
            Some(m) => [
                m.profile.clone(),
                m.period.clone(),
                short_version(&m.version),
                m.rows.to_string(),
                size,
                crate::cache::age(as_of, m.read_at),
                m.source.clone(),
            ],
            None => [
                folder,
                e.path
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                "unusable".into(),
                "-".into(),
                size,
                "-".into(),
                e.why.clone().unwrap_or_default(),
            ],
        });
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(widths).enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} period{}, {} in {}",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        crate::source::athena::decimal_bytes(total),
        dir.display()
    );
    super::emit(&out);
    0
}

/// A version as a list shows it: the assembly id (cut), or the Athena query's state.
fn short_version(v: &str) -> String {
    let first = v.lines().next().unwrap_or_default();
    let first = first.strip_prefix("assembly=").unwrap_or(first);
    if first.chars().count() > 18 {
        format!("{}…", first.chars().take(17).collect::<String>())
    } else {
        first.to_string()
    }
}
