//! Where generated objects go: files under a folder (streamed) or bytes in memory. The
//! generator owns this sink so that it knows nothing of `source/`; `source::demo` turns the
//! objects of a [`MemSink`] into the store the readers see.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Cursor, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// An object being written (seekable, so ZIP and Parquet writers can use it).
pub struct Object {
    key: String,
    inner: Inner,
}

enum Inner {
    File(BufWriter<File>),
    Mem(Cursor<Vec<u8>>),
}

impl Object {
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Write for Object {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::File(f) => f.write(buf),
            Inner::Mem(c) => c.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.inner {
            Inner::File(f) => f.write_all(buf),
            Inner::Mem(c) => c.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::File(f) => f.flush(),
            Inner::Mem(c) => c.flush(),
        }
    }
}

impl Seek for Object {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match &mut self.inner {
            Inner::File(f) => f.seek(pos),
            Inner::Mem(c) => c.seek(pos),
        }
    }
}

/// Receives generated objects.
pub trait Sink {
    /// Starts an object at `key` (`/`-separated, relative to the bucket).
    fn create(&mut self, key: &str) -> io::Result<Object>;
    /// Completes an object started by [`Sink::create`].
    fn commit(&mut self, object: Object) -> io::Result<()>;

    /// Writes a small object at once.
    fn put(&mut self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let mut o = self.create(key)?;
        o.write_all(bytes)?;
        self.commit(o)
    }
}

/// Writes objects as files under a root folder.
#[derive(Debug)]
pub struct DirSink {
    root: PathBuf,
}

impl DirSink {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }
}

impl Sink for DirSink {
    fn create(&mut self, key: &str) -> io::Result<Object> {
        let path = key
            .split('/')
            .fold(self.root.clone(), |p, part| p.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(Object {
            key: key.to_string(),
            inner: Inner::File(BufWriter::with_capacity(1 << 20, File::create(path)?)),
        })
    }

    fn commit(&mut self, object: Object) -> io::Result<()> {
        match object.inner {
            Inner::File(mut f) => f.flush(),
            Inner::Mem(_) => Ok(()),
        }
    }
}

/// Collects objects in memory, by key.
#[derive(Debug, Default)]
pub struct MemSink {
    objects: BTreeMap<String, Vec<u8>>,
}

impl MemSink {
    /// The keys of the objects written, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.objects.keys().map(String::as_str)
    }

    /// The bytes of one object.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.objects.get(key).map(Vec::as_slice)
    }

    /// The objects written, by key.
    pub fn into_objects(self) -> BTreeMap<String, Vec<u8>> {
        self.objects
    }
}

impl Sink for MemSink {
    fn create(&mut self, key: &str) -> io::Result<Object> {
        Ok(Object {
            key: key.to_string(),
            inner: Inner::Mem(Cursor::new(Vec::new())),
        })
    }

    fn commit(&mut self, object: Object) -> io::Result<()> {
        match object.inner {
            Inner::Mem(c) => {
                self.objects.insert(object.key, c.into_inner());
            }
            Inner::File(_) => {}
        }
        Ok(())
    }
}
