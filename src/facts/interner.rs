//! The string interner of a facts table: every dimension value is stored once and rows hold
//! [`Sym`]s, so a row is a few integers and equal texts compare as equal numbers.

use rustc_hash::FxHashMap;

/// An interned string; 0 is the empty string ("none").
pub type Sym = u32;

/// The empty string.
pub const NONE: Sym = 0;

/// Strings interned once per facts table.
#[derive(Debug, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: FxHashMap<Box<str>, Sym>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut index = FxHashMap::default();
        index.insert(Box::from(""), NONE);
        Self {
            strings: vec![Box::from("")],
            index,
        }
    }
}

impl Interner {
    /// The symbol of `s`, interning it if new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym::try_from(self.strings.len()).unwrap_or(Sym::MAX);
        self.strings.push(Box::from(s));
        self.index.insert(Box::from(s), sym);
        sym
    }

    /// The symbol of `s` where `s` is often the string of `*last` (the one this caller had
    /// before): that is checked first, and `*last` becomes `s`'s symbol. The same answer as
    /// [`Interner::intern`], without hashing `s` when it repeats.
    pub fn intern_near(&mut self, s: &str, last: &mut Sym) -> Sym {
        if self.get(*last) != s {
            *last = self.intern(s);
        }
        *last
    }

    /// The string of a symbol ("" for unknown symbols).
    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym as usize).map_or("", |s| s)
    }

    /// The symbol of a string already interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    /// Number of strings, the empty one included.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether only the empty string is interned.
    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }

    /// Every string in symbol order (index = symbol), for re-interning into another table.
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        self.strings.iter().map(|s| &**s)
    }
}
