//! The environment dimension's normalisation (`Prod` → `production`), cached per raw value:
//! rows repeat a handful of raw values millions of times, and the rules are text matching.

use rustc_hash::FxHashMap;

use super::interner::{Interner, NONE, Sym};
use super::{Dim, KeyMap, kd};
use crate::config::EnvRules;

/// Gives rows whose tags named no environment the one the rules' fallbacks give by their
/// namespace, cluster or account (rows that become equal are merged). Done once every row is
/// placed, since idle rows learn their cluster only then.
pub(super) fn apply_fallbacks(
    map: KeyMap,
    strings: &mut Interner,
    rules: &EnvRules,
    quality: &mut super::Quality,
) -> KeyMap {
    if !rules.has_fallbacks() {
        return map;
    }
    let mut memo: FxHashMap<(Sym, Sym, Sym), Sym> = FxHashMap::default();
    let mut out = KeyMap::default();
    out.reserve(map.len());
    for (mut key, costs) in map {
        if key[kd(Dim::Env)] == NONE {
            let at = (
                key[kd(Dim::Namespace)],
                key[kd(Dim::Cluster)],
                key[kd(Dim::Account)],
            );
            key[kd(Dim::Env)] = *memo.entry(at).or_insert_with(|| {
                let env = rules
                    .fallback(strings.get(at.0), strings.get(at.1), strings.get(at.2))
                    .map(str::to_string);
                env.map_or(NONE, |e| strings.intern(&e))
            });
        }
        // The key is owned: moved in, not copied.
        quality.sum_sums(out.entry(key).or_default(), costs);
    }
    out
}

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

    /// Records each raw value seen with its normalized value in `quality` (empty raw values,
    /// which name no environment, are left out).
    pub(super) fn record(&self, strings: &Interner, quality: &mut super::Quality) {
        for (&raw, &env) in &self.normalized {
            let raw = strings.get(raw);
            if !raw.trim().is_empty() {
                quality
                    .env_values
                    .insert(raw.to_string(), strings.get(env).to_string());
            }
        }
    }

    /// The rules normalizing by.
    pub(super) fn rules(&self) -> &'e EnvRules {
        self.rules
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
