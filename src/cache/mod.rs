//! The facts cache: facts per profile and billing period on disk, so the dashboard opens at
//! once, works offline, and never reads a closed month twice.
//!
//! ```text
//! $XDG_CACHE_HOME/curtop/facts/            (~/.cache/curtop/facts; mode 0700)
//!   <profile>-<source key>/                one folder per source, mapping and env rules
//!     2026-10.parquet                      one file per billing period (mode 0600)
//!     2026-11.parquet
//! ```
//!
//! A file is looked up by its period and used only when the version it records (the
//! manifest's assembly and each part's size and time, or the Athena query's state) is the
//! delivery's now. Files are written to a temporary name, synced and renamed over the old one,
//! so a reader (another curtop on the same bastion) sees the old file or the new one, never
//! half of one. What a file holds is in [`format`].

pub mod format;
mod key;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

pub use format::{Invalid, Meta};
pub use key::{SourceKey, period_name};

use crate::facts::Facts;

/// What a read may do with the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheMode {
    /// Use what is current, read the rest, store what was read.
    #[default]
    Use,
    /// Never contact the source: only what is cached (`--offline`).
    Offline,
    /// Ignore what is cached, read everything, store it (`--refresh`).
    Refresh,
}

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    root: PathBuf,
}

/// A cached period found by [`Cache::get`].
#[derive(Debug)]
pub struct Hit {
    pub facts: Facts,
    pub meta: Meta,
}

/// What [`Cache::get`] found.
#[derive(Debug)]
pub enum Lookup {
    Hit(Box<Hit>),
    /// Nothing cached for the period.
    Miss,
    /// A file that cannot be used: read again from the source, and say so.
    Invalid {
        path: PathBuf,
        why: Invalid,
    },
}

/// One cached file, for `curtop cache`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: PathBuf,
    pub size: u64,
    /// `None` when the file could not be read (`why` says so).
    pub meta: Option<Meta>,
    pub why: Option<String>,
}

impl Cache {
    /// The user's cache folder for curtop (`$XDG_CACHE_HOME/curtop`, `~/.cache/curtop`).
    pub fn user() -> Option<Cache> {
        let dirs = directories::ProjectDirs::from("", "", "curtop")?;
        Some(Cache::at(dirs.cache_dir()))
    }

    /// A cache rooted at `root` (its `facts/` folder holds the files).
    pub fn at(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The folder holding the files.
    pub fn facts_dir(&self) -> PathBuf {
        self.root.join("facts")
    }

    fn source_dir(&self, source: &SourceKey) -> PathBuf {
        self.facts_dir().join(source.folder())
    }

    /// The file of a period.
    pub fn path_of(&self, source: &SourceKey, period: &str) -> PathBuf {
        self.source_dir(source).join(format!("{period}.parquet"))
    }

    /// The cached facts of a period, checked.
    pub fn get(&self, source: &SourceKey, period: &str) -> Lookup {
        let path = self.path_of(source, period);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => {
                return Lookup::Invalid {
                    path,
                    why: Invalid::Unreadable(e.to_string()),
                };
            }
        };
        match format::decode(&Bytes::from(bytes)) {
            Ok((facts, meta)) if meta.period == period => {
                Lookup::Hit(Box::new(Hit { facts, meta }))
            }
            Ok(_) => Lookup::Invalid {
                path,
                why: Invalid::Unreadable("it holds another period".into()),
            },
            Err(why) => Lookup::Invalid { path, why },
        }
    }

    /// What the file of a period says of itself (its footer only: no rows are read); `None`
    /// when there is no such file or it cannot be read ([`Cache::get`] says why).
    pub fn meta(&self, source: &SourceKey, period: &str) -> Option<Meta> {
        let file = fs::File::open(self.path_of(source, period)).ok()?;
        format::meta_of(&file).ok()
    }

    /// The periods cached for a source, by name, oldest first (offline reads).
    pub fn periods(&self, source: &SourceKey) -> Vec<String> {
        let Ok(dir) = fs::read_dir(self.source_dir(source)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".parquet").map(str::to_string)
            })
            .collect();
        names.sort();
        names
    }

    /// Stores a period's facts: written to a temporary file beside it, synced, renamed.
    pub fn put(&self, source: &SourceKey, facts: &Facts, meta: &Meta) -> io::Result<PathBuf> {
        let bytes = format::encode(facts, meta.clone()).map_err(io::Error::other)?;
        let path = self.path_of(source, &meta.period);
        let dir = self.source_dir(source);
        create_private_dir(&self.root)?;
        create_private_dir(&self.facts_dir())?;
        create_private_dir(&dir)?;
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            meta.period,
            std::process::id(),
            unique()
        ));
        let written = write_private(&tmp, &bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        // The rename itself is durable once the folder is synced.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(path)
    }

    /// Every cached file, by folder and period.
    pub fn list(&self) -> io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        let dirs = match fs::read_dir(self.facts_dir()) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        let mut folders: Vec<PathBuf> = dirs
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for folder in folders {
            let mut files: Vec<PathBuf> = fs::read_dir(&folder)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
                .collect();
            files.sort();
            for path in files {
                let size = fs::metadata(&path).map_or(0, |m| m.len());
                let (meta, why) = match fs::File::open(&path) {
                    Ok(f) => match format::meta_of(&f) {
                        Ok(m) => (Some(m), None),
                        Err(e) => (None, Some(e.to_string())),
                    },
                    Err(e) => (None, Some(e.to_string())),
                };
                out.push(Entry {
                    path,
                    size,
                    meta,
                    why,
                });
            }
        }
        Ok(out)
    }

    /// Removes every cached file, or a profile's; returns how many files went.
    pub fn clear(&self, profile: Option<&str>) -> io::Result<usize> {
        let dirs = match fs::read_dir(self.facts_dir()) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        for dir in dirs.filter_map(Result::ok) {
            let name = dir.file_name().to_string_lossy().into_owned();
            if profile.is_some_and(|p| key::profile_of_folder(&name) != Some(p)) {
                continue;
            }
            let path = dir.path();
            if path.is_dir() {
                removed += fs::read_dir(&path)?
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
                    .count();
                fs::remove_dir_all(&path)?;
            }
        }
        Ok(removed)
    }
}

/// How long before `as_of` a moment (seconds since the Unix epoch) was, in words: "just
/// now", "12 min ago", "3 h ago", "2 days ago"; a moment after `as_of` (a pinned `--as-of`
/// earlier than the read) is named by its date.
pub fn age(as_of: crate::clock::AsOf, at: i64) -> String {
    let secs = as_of.now.timestamp() - at;
    match secs {
        s if s < 0 => chrono::DateTime::from_timestamp(at, 0).map_or_else(
            || "at an unknown time".into(),
            |t| format!("on {}", t.format("%Y-%m-%d %H:%M UTC")),
        ),
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

/// A number no other temporary file of this process has (the process id tells processes
/// apart).
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A folder only the user can enter (billing data is sensitive).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// A new file only the user can read, written and synced.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(period: &str) -> Meta {
        Meta::new("p", "local:/x", period.into(), None, "v1".into(), 0)
    }

    /// A fresh folder under the system temp dir, unique to this process and test.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("curtop-cache-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn key() -> SourceKey {
        SourceKey::from_description("p", "local:/x")
    }

    #[test]
    fn put_then_get_list_and_clear() {
        let cache = Cache::at(temp_dir("put"));
        assert!(matches!(cache.get(&key(), "2026-11"), Lookup::Miss));
        let path = cache
            .put(&key(), &Facts::default(), &meta("2026-11"))
            .unwrap();
        match cache.get(&key(), "2026-11") {
            Lookup::Hit(h) => assert_eq!(h.meta.version, "v1"),
            other => panic!("{other:?}"),
        }
        assert_eq!(cache.periods(&key()), vec!["2026-11".to_string()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dmode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        let listed = cache.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].meta.as_ref().map(|m| m.period.as_str()),
            Some("2026-11")
        );
        assert_eq!(cache.clear(Some("other")).unwrap(), 0);
        assert_eq!(cache.clear(Some("p")).unwrap(), 1);
        assert!(matches!(cache.get(&key(), "2026-11"), Lookup::Miss));
    }

    #[test]
    fn ages_in_words() {
        let as_of =
            crate::clock::AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        let now = as_of.now.timestamp();
        assert_eq!(age(as_of, now - 10), "just now");
        assert_eq!(age(as_of, now - 125), "2 min ago");
        assert_eq!(age(as_of, now - 3 * 3600 - 5), "3 h ago");
        assert_eq!(age(as_of, now - 5 * 86_400), "5 days ago");
        assert_eq!(age(as_of, now + 3600), "on 2026-11-18 01:00 UTC");
    }

    #[test]
    fn a_truncated_file_is_invalid_not_a_hit() {
        let cache = Cache::at(temp_dir("truncated"));
        let path = cache
            .put(&key(), &Facts::default(), &meta("2026-11"))
            .unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(
            cache.get(&key(), "2026-11"),
            Lookup::Invalid { .. }
        ));
        fs::write(&path, b"not parquet").unwrap();
        assert!(matches!(
            cache.get(&key(), "2026-11"),
            Lookup::Invalid { .. }
        ));
    }
}
