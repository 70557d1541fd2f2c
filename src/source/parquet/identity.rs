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

    /// Writes the ids of the batch's rows into every `width`-th slot of `out`, from slot 0.
    fn fill(&mut self, t: &Text<'_>, rows: usize, width: usize, out: &mut [u32]) {
        let slots = out.iter_mut().step_by(width).take(rows);
        match t {
            Text::Absent => slots.for_each(|s| *s = 0),
            Text::Dict(d, _) => {
                let keys = d.keys().values();
                let nulls = d.nulls();
                for (row, s) in slots.enumerate() {
                    *s = if nulls.is_some_and(|n| n.is_null(row)) {
                        0
                    } else {
                        keys.get(row)
                            .and_then(|&k| usize::try_from(k).ok())
                            .and_then(|k| self.by_key.get(k).copied())
                            .unwrap_or(0)
                    };
                }
            }
            other => {
                for (row, s) in slots.enumerate() {
                    *s = self.ids.id_of(other.get(row));
                }
            }
        }
    }
}

/// Per part: the ids of the columns that classification reads, and per batch each row's key.
#[derive(Default)]
pub(super) struct Identity {
    columns: Vec<ColumnIds>,
    /// The keys of the batch's rows, end to end (row `r`'s at `r * width`).
    keys: Vec<u32>,
    width: usize,
}

impl Identity {
    /// Computes the keys of a batch of `rows` rows whose classified texts are `cols`, in a
    /// fixed order, a column at a time.
    pub(super) fn prepare(&mut self, cols: &[&Text<'_>], rows: usize) {
        self.columns.resize_with(cols.len(), ColumnIds::default);
        self.width = cols.len();
        self.keys.clear();
        self.keys.resize(rows * self.width, 0);
        for (i, (t, c)) in cols.iter().zip(self.columns.iter_mut()).enumerate() {
            c.prepare(t);
            if let Some(out) = self.keys.get_mut(i..) {
                c.fill(t, rows, self.width, out);
            }
        }
    }

    /// The ids of `row`'s texts (of the batch given to [`Identity::prepare`]): equal exactly
    /// when the texts are.
    pub(super) fn key(&self, row: usize) -> &[u32] {
        let start = row * self.width;
        self.keys.get(start..start + self.width).unwrap_or(&[])
    }
}
