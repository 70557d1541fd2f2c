//! The [`crate::source::text_ids`] of a batch's classified text columns: dictionary keys map
//! to ids once per dictionary, other encodings by a hash lookup per row.

use arrow_array::Array;

use super::columns::Text;
use crate::source::text_ids::TextIds;

/// Numbers the distinct values of one text column across a part's batches (0 = empty), so a
/// row's texts can be identified by small integers.
#[derive(Default)]
struct ColumnIds {
    ids: TextIds,
    /// The dictionary the per-key ids below belong to (its values buffer and length).
    dict: (usize, usize),
    by_key: Vec<u32>,
}

impl ColumnIds {
    /// Prepares for a batch: maps a dictionary's keys to ids once per dictionary.
    fn prepare(&mut self, t: &Text<'_>) {
        if let Text::Dict(_, values) = t {
            let dict = (values.values().as_ptr() as usize, values.len());
            if dict != self.dict {
                self.by_key.clear();
                for i in 0..values.len() {
                    let id = if values.is_null(i) {
                        0
                    } else {
                        self.ids.id_of(values.value(i))
                    };
                    self.by_key.push(id);
                }
                self.dict = dict;
            }
        }
    }

    fn id(&mut self, t: &Text<'_>, row: usize) -> u32 {
        match t {
            Text::Absent => 0,
            Text::Dict(d, _) => {
                if d.is_null(row) {
                    0
                } else {
                    usize::try_from(d.keys().value(row))
                        .ok()
                        .and_then(|k| self.by_key.get(k).copied())
                        .unwrap_or(0)
                }
            }
            other => self.ids.id_of(other.get(row)),
        }
    }
}

/// Per part: the ids of the columns that classification reads.
#[derive(Default)]
pub(super) struct Identity {
    columns: Vec<ColumnIds>,
    row: Vec<u32>,
}

impl Identity {
    /// Prepares for a batch whose classified texts are `cols`, in a fixed order.
    pub(super) fn prepare(&mut self, cols: &[&Text<'_>]) {
        self.columns.resize_with(cols.len(), ColumnIds::default);
        for (t, c) in cols.iter().zip(self.columns.iter_mut()) {
            c.prepare(t);
        }
    }

    /// The ids of `row`'s texts in `cols` (those given to [`Identity::prepare`]): equal
    /// exactly when the texts are.
    pub(super) fn key(&mut self, cols: &[&Text<'_>], row: usize) -> &[u32] {
        let Identity {
            columns: ids,
            row: key,
        } = self;
        key.clear();
        for (t, c) in cols.iter().zip(ids.iter_mut()) {
            key.push(c.id(t, row));
        }
        key
    }

    /// The key [`Identity::key`] last gave.
    pub(super) fn last_key(&self) -> &[u32] {
        &self.row
    }
}
