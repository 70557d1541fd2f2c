//! Facts from rows already placed elsewhere (an Athena query's result): no classification and
//! no node placement here, only the table's own rules (environment normalized, equal keys
//! merged, zero rows dropped).

use std::collections::BTreeMap;

use super::env::{EnvCache, apply_fallbacks};
use super::interner::Interner;
use super::quality::Quality;
use super::{Basis, DIMS, Dim, Facts, K_DIMS, KeyMap, Quantity, Sums, add_to, into_rows};
use crate::config::EnvRules;
use crate::cur::attribution::Category;
use crate::cur::line_item::ColumnSet;
use crate::cur::metrics::Costs;
use crate::cur::time::Day;

/// Builds facts from rows already placed elsewhere (an Athena query's result): environment
/// values normalized, equal keys merged, zero rows dropped; the bill is what the rows sum to.
pub struct PlacedRows<'e> {
    strings: Interner,
    env: EnvCache<'e>,
    facts: KeyMap,
    pub quality: Quality,
    columns: ColumnSet,
}

impl<'e> PlacedRows<'e> {
    /// An empty table whose report had `columns`.
    pub fn new(env_rules: &'e EnvRules, columns: ColumnSet) -> Self {
        Self {
            strings: Interner::default(),
            env: EnvCache::new(env_rules),
            facts: KeyMap::default(),
            quality: Quality::default(),
            columns,
        }
    }

    /// Adds a row; `dims` in [`Dim`] order with the raw environment value.
    #[expect(clippy::too_many_arguments, reason = "one argument per facts field")]
    pub fn add(
        &mut self,
        day: Day,
        category: Category,
        basis: Basis,
        dims: &[&str; DIMS],
        labels: &[&str],
        costs: Costs,
        quantity: Quantity,
    ) {
        let mut key: Vec<u32> = Vec::with_capacity(K_DIMS + DIMS + labels.len());
        key.push(day as u32);
        key.push(category as u32);
        key.push(basis as u32);
        for (i, v) in dims.iter().enumerate() {
            let sym = if i == Dim::Env as usize {
                self.env.normalize(&mut self.strings, v)
            } else {
                self.strings.intern(v)
            };
            key.push(sym);
        }
        for l in labels {
            key.push(self.strings.intern(l));
        }
        add_to(
            &mut self.facts,
            &key,
            Sums::new(costs, quantity),
            &mut self.quality,
        );
    }

    /// The facts, labelled `label_names`; their bill is what the rows sum to per day.
    pub fn finish(mut self, label_names: Vec<String>) -> Facts {
        self.env.record(&self.strings, &mut self.quality);
        let rules = self.env.rules();
        let facts = apply_fallbacks(self.facts, &mut self.strings, rules, &mut self.quality);
        let rows = into_rows(facts);
        let mut bill: BTreeMap<Day, Costs> = BTreeMap::new();
        for r in &rows {
            self.quality.sum(bill.entry(r.day).or_default(), r.costs);
        }
        Facts {
            strings: self.strings,
            label_names,
            rows,
            bill,
            quality: self.quality,
            columns: self.columns,
            account_names: BTreeMap::new(),
        }
    }
}
