//! Small integer ids for the texts of a row, so that rows equal on every text classification
//! reads are classified once ([`crate::facts::Aggregator::template`]): each column's distinct
//! values are numbered as they are first seen (0 = empty), and a row's texts become a short
//! key of integers, equal exactly when the texts are.

use rustc_hash::FxHashMap;

/// Numbers the distinct values of one text column across a part (0 = empty).
#[derive(Default)]
pub(super) struct TextIds {
    index: FxHashMap<Box<str>, u32>,
}

impl TextIds {
    /// The id of `s`, numbering it if new.
    pub(super) fn id_of(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = u32::try_from(self.index.len()).map_or(u32::MAX, |n| n + 1);
        self.index.insert(Box::from(s), id);
        id
    }
}

/// The ids of a row's classified texts, one [`TextIds`] per column, in a fixed order.
#[derive(Default)]
pub(super) struct RowIds {
    columns: Vec<TextIds>,
    key: Vec<u32>,
}

impl RowIds {
    /// The key of a row whose classified texts are `texts` (always in the same order).
    pub(super) fn key<'t>(&mut self, texts: impl Iterator<Item = &'t str>) -> &[u32] {
        self.key.clear();
        for (i, t) in texts.enumerate() {
            if self.columns.len() <= i {
                self.columns.push(TextIds::default());
            }
            self.key.push(self.columns[i].id_of(t));
        }
        &self.key
    }
}
