//! The environment dimension's normalisation (`Prod` → `production`), cached per raw value:
//! rows repeat a handful of raw values millions of times, and the rules are text matching.

use rustc_hash::FxHashMap;

use super::interner::{Interner, NONE, Sym};
use crate::config::EnvRules;

/// Raw environment value → normalized value, both interned in the table being built.
pub(super) struct EnvCache<'e> {
    rules: &'e EnvRules,
    normalized: FxHashMap<Sym, Sym>,
}

impl<'e> EnvCache<'e> {
    pub(super) fn new(rules: &'e EnvRules) -> Self {
        Self {
            rules,
            normalized: FxHashMap::default(),
        }
    }

    /// The normalized value of `raw` (which is interned too); [`NONE`] when the rules give no
    /// environment.
    pub(super) fn normalize(&mut self, strings: &mut Interner, raw: &str) -> Sym {
        let raw_sym = strings.intern(raw);
        let rules = self.rules;
        *self
            .normalized
            .entry(raw_sym)
            .or_insert_with(|| rules.normalize(raw).map_or(NONE, |e| strings.intern(&e)))
    }
}
