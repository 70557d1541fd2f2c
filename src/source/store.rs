//! Where CUR objects live: a local folder or bytes in memory (demo data, tests), addressed by
//! `/`-separated keys as in S3. The readers in `source/` only see this trait.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// One object of a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// Key relative to the store's root, `/`-separated, no leading `/`.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time, when the store knows it.
    pub modified: Option<SystemTime>,
}

/// Read access to a tree of CUR objects.
pub trait Store: Send + Sync {
    /// Every object below the root (recursively), sorted by key.
    fn list(&self) -> io::Result<Vec<Object>>;
    /// A streaming reader over one object's bytes.
    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>>;
    /// How to name an object in messages (a path or a URI).
    fn describe(&self, key: &str) -> String;
    /// The object's path on local disk, when it has one (Parquet reads it without copying).
    fn local_path(&self, _key: &str) -> Option<PathBuf> {
        None
    }
    /// Parts read at once at least, whatever the core count: a remote store waits on the network
    /// more than on the CPU.
    fn min_parallel_reads(&self) -> usize {
        1
    }
    /// Bytes `[start, start + len)` of an object. Remote stores answer with one ranged request;
    /// this default reads up to the range and drops what comes before it.
    fn read_range(&self, key: &str, start: u64, len: u64) -> io::Result<Vec<u8>> {
        let mut input = self.open(key)?;
        io::copy(&mut (&mut input).take(start), &mut io::sink())?;
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        input.take(len).read_to_end(&mut buf)?;
        Ok(buf)
    }
    /// Parquet parts are read by ranges (the footer, then each row group's needed columns)
    /// rather than whole: true for remote stores, where that skips unused columns and lets the
    /// row groups download and decode in parallel.
    fn ranged_parquet(&self) -> bool {
        false
    }
    /// Why a key that is not listed was refused, when it exists but is not read (a local
    /// symlink): said instead of "not found".
    fn refusal(&self, _key: &str) -> Option<&'static str> {
        None
    }
    /// The whole object as bytes (manifests, small files).
    fn read_all(&self, key: &str) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.open(key)?.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// A local folder laid out as the CUR bucket would be.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> PathBuf {
        key.split('/')
            .fold(self.root.clone(), |p, part| p.join(part))
    }
}

/// Folders deeper than this are not walked (a CUR tree is at most ~6 deep).
const MAX_DEPTH: usize = 12;

fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<Object>) -> io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let key = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        let meta = entry.metadata()?;
        if meta.is_dir() {
            walk(&entry.path(), &key, depth + 1, out)?;
        } else if meta.is_file() {
            out.push(Object {
                key,
                size: meta.len(),
                modified: meta.modified().ok(),
            });
        }
    }
    Ok(())
}

impl Store for DirStore {
    fn list(&self) -> io::Result<Vec<Object>> {
        let mut out = Vec::new();
        walk(&self.root, "", 0, &mut out)?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        let file = File::open(self.path_of(key))?;
        Ok(Box::new(BufReader::with_capacity(256 * 1024, file)))
    }

    fn describe(&self, key: &str) -> String {
        self.path_of(key).display().to_string()
    }

    fn refusal(&self, key: &str) -> Option<&'static str> {
        // The key as the manifest names it, then without its leading folders (as `resolve`
        // matches keys): only plain names, so nothing outside the folder is looked at.
        let mut rest = key;
        loop {
            if rest
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..")
                && let Ok(meta) = std::fs::symlink_metadata(self.path_of(rest))
            {
                if meta.file_type().is_symlink() {
                    return Some("symlink (curtop reads only regular files inside the folder)");
                }
                if !meta.is_file() && !meta.is_dir() {
                    return Some("not a regular file");
                }
            }
            rest = rest.split_once('/')?.1;
        }
    }

    fn local_path(&self, key: &str) -> Option<PathBuf> {
        Some(self.path_of(key))
    }
}

/// Objects held in memory: the generated demo delivery, and tests.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    objects: BTreeMap<String, Arc<Vec<u8>>>,
    modified: Option<SystemTime>,
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an object.
    pub fn put(&mut self, key: impl Into<String>, bytes: Vec<u8>) {
        self.objects.insert(key.into(), Arc::new(bytes));
    }

    /// Sets the modification time reported for every object.
    pub fn set_modified(&mut self, at: SystemTime) {
        self.modified = Some(at);
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.objects.keys().map(String::as_str)
    }

    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.objects.get(key).map(|b| b.as_slice())
    }
}

/// A reader over shared bytes, so opening an in-memory object copies nothing.
struct SharedBytes {
    bytes: Arc<Vec<u8>>,
    pos: usize,
}

impl Read for SharedBytes {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

impl Store for MemStore {
    fn list(&self) -> io::Result<Vec<Object>> {
        Ok(self
            .objects
            .iter()
            .map(|(k, v)| Object {
                key: k.clone(),
                size: v.len() as u64,
                modified: self.modified,
            })
            .collect())
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        let bytes = self
            .objects
            .get(key)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no object {key}")))?;
        Ok(Box::new(SharedBytes {
            bytes: Arc::clone(bytes),
            pos: 0,
        }))
    }

    fn describe(&self, key: &str) -> String {
        format!("demo://{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_store_lists_sorted_and_reads_back() {
        let mut s = MemStore::new();
        s.put("b/x.csv", b"2".to_vec());
        s.put("a/y.csv", b"1".to_vec());
        let keys: Vec<_> = s.list().unwrap().into_iter().map(|o| o.key).collect();
        assert_eq!(keys, ["a/y.csv", "b/x.csv"]);
        assert_eq!(s.read_all("b/x.csv").unwrap(), b"2");
        assert!(s.open("nope").is_err());
    }

    #[test]
    fn dir_store_walks_nested_folders() {
        let dir = std::env::temp_dir().join(format!("curtop-store-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("r/20240101-20240201")).unwrap();
        std::fs::write(dir.join("r/20240101-20240201/m.json"), b"{}").unwrap();
        let s = DirStore::new(&dir);
        let objs = s.list().unwrap();
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].key, "r/20240101-20240201/m.json");
        assert_eq!(s.read_all(&objs[0].key).unwrap(), b"{}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
