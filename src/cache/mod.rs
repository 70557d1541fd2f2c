//! The facts cache: facts per profile and billing period on disk, so the dashboard opens at
//! once, works offline, and never reads a closed month twice.
//!
//! ```text
//! $XDG_CACHE_HOME/curtop/facts/            (~/.cache/curtop/facts; mode 0700)
//!   <profile>-<source key>/                one folder per source, mapping and env rules
//!     2026-10.parquet                      one file per billing period (mode 0600)
//!     2026-11.parquet
//!     rollup/2026-11.parquet               its roll-up: the same without pods, for the first frame
//! ```
//!
//! A file is looked up by its period and used only when the version it records (the
//! manifest's assembly and each part's size and time, or the Athena query's state) is the
//! delivery's now. Files are written to a temporary name, synced and renamed over the old one,
//! so a reader (another curtop on the same bastion) sees the old file or the new one, never
//! half of one. What a file holds is in [`format`].
//!
//! Beside each period's facts, its roll-up ([`Facts::rollup`]: the rows without pods,
//! containers and nodes, summed — a few percent of them) lets a warm start draw its first
//! frame before the full facts are decoded ([`Cache::get_rollup`]). A roll-up records the
//! checksum entry of the facts file it was made from and is used with that file only; a
//! missing or outdated one (a cache written by an older curtop, two writers racing) is made
//! again the next time the facts are read in full.

pub mod format;
mod key;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// Only the cache's roll-ups ([`Cache::get_rollup`]), never the source: the facts
    /// without pods, containers and nodes, for the dashboard's first frame while the full
    /// facts are decoded. Fails unless every period of the window has one.
    Rollup,
}

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    root: PathBuf,
    /// Periods decoded once, kept for the next read of them ([`Cache::remembering`]).
    memo: Option<Memo>,
}

/// A cached period found by [`Cache::get`].
#[derive(Debug, Clone)]
pub struct Hit {
    pub facts: Facts,
    pub meta: Meta,
    /// The file's checksum entry, which names this exact file (its roll-up records it).
    pub stamp: String,
}

/// What tells a file on disk from the one it replaced: size, time and inode (a rename over
/// it is a new inode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl FileStamp {
    fn of(m: &fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = 0;
        FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
        }
    }
}

/// The periods one job decoded, each kept (once) for its next read, while its file is the
/// same: the dashboard opens on the cache, then refreshes, and the refresh takes the periods
/// it finds unchanged from here instead of decoding them again.
#[derive(Debug, Clone, Default)]
struct Memo(Arc<Mutex<MemoState>>);

#[derive(Debug, Default)]
struct MemoState {
    kept: Vec<(PathBuf, FileStamp, Hit)>,
    /// Files kept once already (a file is kept for one later read, not for every one).
    seen: Vec<PathBuf>,
}

impl PartialEq for Memo {
    fn eq(&self, other: &Memo) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Memo {}

impl Memo {
    /// The hit kept for `path`, when the file there is still the one it was decoded from.
    fn take(&self, path: &Path) -> Option<Hit> {
        let mut state = self.0.lock().ok()?;
        let at = state.kept.iter().position(|(p, _, _)| p == path)?;
        let (_, stamp, hit) = state.kept.swap_remove(at);
        let now = fs::metadata(path).ok().map(|m| FileStamp::of(&m));
        (now == Some(stamp)).then_some(hit)
    }

    /// Keeps a copy of `hit` for the next read of `path`, unless one was kept before.
    fn keep(&self, path: &Path, stamp: FileStamp, hit: &Hit) {
        let Ok(mut state) = self.0.lock() else { return };
        if state.seen.iter().any(|p| p == path) {
            return;
        }
        state.seen.push(path.to_path_buf());
        state.kept.push((path.to_path_buf(), stamp, hit.clone()));
    }
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
        Cache {
            root: root.into(),
            memo: None,
        }
    }

    /// The same cache, remembering each period it decodes for one later read of the same
    /// file (by the clones of the value returned; dropped with them): the dashboard's
    /// opening read and the refresh after it decode a period once, not twice.
    #[must_use]
    pub fn remembering(&self) -> Cache {
        Cache {
            root: self.root.clone(),
            memo: Some(Memo::default()),
        }
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

    /// The file of a period's roll-up.
    pub fn rollup_path_of(&self, source: &SourceKey, period: &str) -> PathBuf {
        self.source_dir(source)
            .join("rollup")
            .join(format!("{period}.parquet"))
    }

    /// The cached facts of a period, checked. A roll-up missing beside them, or made from
    /// another file, is made again (when the cache can be written; nothing is said when it
    /// cannot: the roll-up only speeds up the first frame).
    pub fn get(&self, source: &SourceKey, period: &str) -> Lookup {
        let path = self.path_of(source, period);
        if let Some(hit) = self.memo.as_ref().and_then(|m| m.take(&path)) {
            return Lookup::Hit(Box::new(hit));
        }
        let read = fs::File::open(&path).and_then(|mut f| {
            let stamp = FileStamp::of(&f.metadata()?);
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)?;
            Ok((stamp, Bytes::from(bytes)))
        });
        let (file, bytes) = match read {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => {
                return Lookup::Invalid {
                    path,
                    why: Invalid::Unreadable(e.to_string()),
                };
            }
        };
        let decoded = format::decode(&bytes)
            .and_then(|(facts, meta)| Ok((facts, meta, format::stamp_of(&bytes)?.1)));
        match decoded {
            Ok((facts, meta, stamp)) if meta.period == period => {
                let hit = Hit { facts, meta, stamp };
                if let Some(memo) = &self.memo {
                    memo.keep(&path, file, &hit);
                }
                self.mend_rollup(source, &hit);
                Lookup::Hit(Box::new(hit))
            }
            Ok(_) => Lookup::Invalid {
                path,
                why: Invalid::Unreadable("it holds another period".into()),
            },
            Err(why) => Lookup::Invalid { path, why },
        }
    }

    /// A period's roll-up ([`Facts::rollup`]) with the metadata of the facts file it was made
    /// from, when that file is the one cached now; `None` otherwise (then [`Cache::get`]
    /// reads the full facts, and says why when they cannot be used).
    pub fn get_rollup(&self, source: &SourceKey, period: &str) -> Option<Hit> {
        let file = fs::File::open(self.path_of(source, period)).ok()?;
        let (meta, stamp) = format::stamp_of(&file).ok()?;
        if meta.period != period {
            return None;
        }
        let bytes = fs::read(self.rollup_path_of(source, period)).ok()?;
        let (facts, rollup) = format::decode(&Bytes::from(bytes)).ok()?;
        (rollup.rollup_of.as_deref() == Some(stamp.as_str())).then_some(Hit { facts, meta, stamp })
    }

    /// Writes the roll-up of a period just read in full when the one on disk is not of it.
    fn mend_rollup(&self, source: &SourceKey, hit: &Hit) {
        let path = self.rollup_path_of(source, &hit.meta.period);
        let current = fs::File::open(&path)
            .ok()
            .and_then(|f| format::meta_of(&f).ok())
            .is_some_and(|m| m.rollup_of.as_deref() == Some(hit.stamp.as_str()));
        if !current {
            let _ = self.put_rollup(source, &hit.facts, &hit.meta, &hit.stamp);
        }
    }

    /// Stores the roll-up of `facts`, the facts of the file whose checksum entry is `stamp`.
    fn put_rollup(
        &self,
        source: &SourceKey,
        facts: &Facts,
        meta: &Meta,
        stamp: &str,
    ) -> io::Result<PathBuf> {
        let mut meta = meta.clone();
        meta.rollup_of = Some(stamp.to_string());
        let bytes = format::encode(&facts.rollup(), meta.clone()).map_err(io::Error::other)?;
        let dir = self.source_dir(source).join("rollup");
        let path = dir.join(format!("{}.parquet", meta.period));
        self.write_atomic(&dir, &meta.period, &bytes, &path)?;
        Ok(path)
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

    /// Stores a period's facts, then their roll-up: each written to a temporary file beside
    /// it, synced, renamed. A roll-up that cannot be written is left out (the first frame
    /// then waits for the full facts).
    pub fn put(&self, source: &SourceKey, facts: &Facts, meta: &Meta) -> io::Result<PathBuf> {
        let bytes = Bytes::from(format::encode(facts, meta.clone()).map_err(io::Error::other)?);
        let path = self.path_of(source, &meta.period);
        let dir = self.source_dir(source);
        self.write_atomic(&dir, &meta.period, &bytes, &path)?;
        if let Ok((written, stamp)) = format::stamp_of(&bytes) {
            let _ = self.put_rollup(source, facts, &written, &stamp);
        }
        Ok(path)
    }

    /// `bytes` into `path` (in `dir`, made private when new) through a temporary file.
    fn write_atomic(&self, dir: &Path, name: &str, bytes: &[u8], path: &Path) -> io::Result<()> {
        create_private_dir(&self.root)?;
        create_private_dir(&self.facts_dir())?;
        create_private_dir(dir)?;
        let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
        let written = write_private(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        // The rename itself is durable once the folder is synced.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
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
                // The roll-up beside a period's facts counts in its size.
                let rollup = path
                    .file_name()
                    .map(|n| folder.join("rollup").join(n))
                    .and_then(|r| fs::metadata(r).ok())
                    .map_or(0, |m| m.len());
                let size = fs::metadata(&path).map_or(0, |m| m.len()) + rollup;
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

    /// The demo bill's facts (pods, nodes, external resources).
    fn demo_facts() -> Facts {
        let config = crate::config::Config::demo();
        let as_of =
            crate::clock::AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        let req = crate::source::ReadRequest::new(
            &config.profiles[0],
            crate::window::WindowSpec::All,
            as_of,
        );
        crate::source::load(&req).unwrap().facts
    }

    /// Rows and their total (symbols differ between a table and its decoded copy).
    fn sig(f: &Facts) -> (usize, crate::cur::metrics::Costs) {
        (
            f.rows.len(),
            f.rows
                .iter()
                .fold(crate::cur::metrics::Costs::ZERO, |a, r| a + r.costs),
        )
    }

    #[test]
    fn a_period_is_stored_with_its_rollup_used_only_with_its_own_facts() {
        let cache = Cache::at(temp_dir("rollup"));
        let facts = demo_facts();
        cache.put(&key(), &facts, &meta("2026-11")).unwrap();
        let rolled = cache.get_rollup(&key(), "2026-11").expect("a roll-up");
        assert_eq!(sig(&rolled.facts), sig(&facts.rollup()));
        assert_eq!(rolled.meta.version, "v1");
        assert_eq!(
            rolled.meta.rows,
            facts.rows.len() as u64,
            "the facts file's meta"
        );
        // The roll-up is private too, and counts in the period's size.
        let rollup = cache.rollup_path_of(&key(), "2026-11");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&rollup).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let listed = cache.list().unwrap();
        let both = fs::metadata(cache.path_of(&key(), "2026-11"))
            .unwrap()
            .len()
            + fs::metadata(&rollup).unwrap().len();
        assert_eq!(listed.len(), 1, "one entry per period");
        assert_eq!(listed[0].size, both);
        // Another file of the period (a refresh by another curtop): the old roll-up is not
        // used with it; reading the new facts in full makes the roll-up again.
        let old = fs::read(&rollup).unwrap();
        let mut newer = meta("2026-11");
        newer.version = "v2".into();
        cache.put(&key(), &Facts::default(), &newer).unwrap();
        fs::write(&rollup, &old).unwrap();
        assert!(cache.get_rollup(&key(), "2026-11").is_none());
        assert!(matches!(cache.get(&key(), "2026-11"), Lookup::Hit(_)));
        let mended = cache.get_rollup(&key(), "2026-11").expect("made again");
        assert_eq!(mended.meta.version, "v2");
        assert!(mended.facts.rows.is_empty());
        // No roll-up at all (a cache of an older curtop): the same.
        fs::remove_file(&rollup).unwrap();
        assert!(cache.get_rollup(&key(), "2026-11").is_none());
        assert!(matches!(cache.get(&key(), "2026-11"), Lookup::Hit(_)));
        assert!(cache.get_rollup(&key(), "2026-11").is_some());
        // A damaged roll-up is not used (its checksum); the facts are still there.
        let mut bad = fs::read(&rollup).unwrap();
        bad[8] ^= 0x5a;
        fs::write(&rollup, &bad).unwrap();
        assert!(cache.get_rollup(&key(), "2026-11").is_none());
        assert!(matches!(cache.get(&key(), "2026-11"), Lookup::Hit(_)));
    }

    #[test]
    fn a_remembering_cache_decodes_a_period_once_while_its_file_is_the_same() {
        let cache = Cache::at(temp_dir("memo"));
        let facts = demo_facts();
        let path = cache.put(&key(), &facts, &meta("2026-11")).unwrap();
        let remembering = cache.remembering();
        assert!(matches!(
            remembering.clone().get(&key(), "2026-11"),
            Lookup::Hit(_)
        ));
        // The file's bytes damaged in place, its size and time kept: a fresh read would
        // refuse it, the remembered one is what was decoded from the file before.
        let stamp = fs::metadata(&path).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes[8] ^= 0x5a;
        {
            let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
            let mut f = f;
            f.write_all(&bytes).unwrap();
            f.set_modified(stamp.modified().unwrap()).unwrap();
        }
        assert!(matches!(
            cache.get(&key(), "2026-11"),
            Lookup::Invalid { .. }
        ));
        match remembering.get(&key(), "2026-11") {
            Lookup::Hit(hit) => assert_eq!(sig(&hit.facts), sig(&facts)),
            other => panic!("{other:?}"),
        }
        // Once only: the next read is the file's.
        assert!(matches!(
            remembering.get(&key(), "2026-11"),
            Lookup::Invalid { .. }
        ));
        // A file replaced after it was remembered is read again.
        let remembering = cache.remembering();
        cache.put(&key(), &facts, &meta("2026-11")).unwrap();
        assert!(matches!(remembering.get(&key(), "2026-11"), Lookup::Hit(_)));
        let mut newer = meta("2026-11");
        newer.version = "v2".into();
        cache.put(&key(), &Facts::default(), &newer).unwrap();
        match remembering.get(&key(), "2026-11") {
            Lookup::Hit(hit) => assert_eq!(hit.meta.version, "v2"),
            other => panic!("{other:?}"),
        }
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
