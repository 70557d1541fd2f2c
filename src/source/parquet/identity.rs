//! The [`crate::source::text_ids`] of a batch's classified text columns: dictionary keys map
//! to ids once per dictionary, other encodings by a hash lookup per row. A CUR 2.0 tag map
//! adds, per wanted tag, the id of its value in the row's map.

use arrow_array::Array;

use super::columns::{TagMap, Text, clear_nulls};
use crate::facts::{KEY_SEED, key_finish, key_step};
use crate::source::text_ids::TextIds;

/// Numbers the distinct values of one text column across a part's batches (0 = empty), so a
/// row's texts can be identified by small integers.
#[derive(Default)]
struct ColumnIds {
    ids: TextIds,
    /// The dictionary the per-key ids below belong to (its values buffer and length).
    dict: (usize, usize),
    by_key: Vec<u32>,
    /// The ids of the batch's rows, in row order (kept to keep its buffer).
    row_ids: Vec<u32>,
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

    /// The ids of the first `rows` rows of the batch into `row_ids`: a dictionary's by its
    /// keys (one gather, nulls cleared after), other encodings by a lookup per row.
    fn row_ids(&mut self, t: &Text<'_>, rows: usize) -> &[u32] {
        self.prepare(t);
        self.row_ids.clear();
        match t {
            // A column of nulls (most tag columns of most rows) reads empty throughout.
            t if t.all_null() => {}
            Text::Dict(d, _) => {
                let by_key = &self.by_key;
                let keys = d.keys().values();
                self.row_ids.extend(
                    keys.iter()
                        .take(rows)
                        .map(|&k| by_key.get(k as usize).copied().unwrap_or(0)),
                );
                clear_nulls(d.nulls(), &mut self.row_ids, 0);
            }
            other => {
                for row in 0..rows {
                    let id = self.ids.id_of(other.get(row));
                    self.row_ids.push(id);
                }
            }
        }
        self.row_ids.resize(rows, 0);
        &self.row_ids
    }
}

/// Rows whose keys and hashes are written a column at a time: their hashes and keys stay in
/// the first-level cache from one column to the next.
const BLOCK_ROWS: usize = 256;

/// Writes `ids` (a column's, for a block of rows) into slot `slot` of each `width`-wide row of
/// `keys`, and folds each into its row's hash.
fn write_ids(ids: &[u32], keys: &mut [u32], width: usize, slot: usize, hashes: &mut [u64]) {
    for ((key, h), &id) in keys.chunks_exact_mut(width).zip(hashes).zip(ids) {
        if let Some(s) = key.get_mut(slot) {
            *s = id;
        }
        *h = key_step(*h, id);
    }
}

/// The wanted tags' values in a map column (CUR 2.0 `resource_tags`), as ids.
#[derive(Default)]
struct MapIds {
    keys: ColumnIds,
    values: ColumnIds,
    /// By a key's id: 1 + the wanted tag it names, 0 for none, `u32::MAX` not yet known.
    slot_of_key: Vec<u32>,
}

impl MapIds {
    /// Writes into every `width`-th slot of `out` (from slot 0), per wanted tag, 1 + the id of
    /// the value of the row's first entry whose key names it (as [`TagMap::entries`] and the
    /// batch's `tags` read them), or 0 when no entry does.
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        m: &arrow_array::MapArray,
        k: &Text<'_>,
        v: &Text<'_>,
        focus: bool,
        wanted: &[String],
        rows: usize,
        width: usize,
        out: &mut [u32],
    ) {
        let entries = m.keys().len();
        let key_ids = self.keys.row_ids(k, entries);
        let value_ids = self.values.row_ids(v, entries);
        let offsets = m.value_offsets();
        for row in 0..rows {
            let Some(slots) = out.get_mut(row * width..row * width + wanted.len()) else {
                break;
            };
            slots.fill(0);
            if m.is_null(row) {
                continue;
            }
            let (s, e) = (offsets[row] as usize, offsets[row + 1] as usize);
            for i in s..e.min(entries) {
                let key = key_ids[i] as usize;
                if self.slot_of_key.len() <= key {
                    self.slot_of_key.resize(key + 1, u32::MAX);
                }
                if self.slot_of_key[key] == u32::MAX {
                    let text = k.get(i);
                    let id = if focus {
                        crate::cur::columns::tag_id(text)
                    } else {
                        crate::cur::columns::normalize(text)
                    };
                    self.slot_of_key[key] = wanted
                        .iter()
                        .position(|w| *w == id)
                        .map_or(0, |p| p as u32 + 1);
                }
                if let Some(slot) = (self.slot_of_key[key] as usize).checked_sub(1)
                    && slots[slot] == 0
                {
                    slots[slot] = value_ids[i].saturating_add(1);
                }
            }
        }
    }
}

/// Per part: the ids of the columns that classification reads, and per batch each row's key.
#[derive(Default)]
pub(super) struct Identity {
    columns: Vec<ColumnIds>,
    map: MapIds,
    /// The keys of the batch's rows, end to end (row `r`'s at `r * width`).
    keys: Vec<u32>,
    width: usize,
    /// Each row's key hashed ([`crate::facts::key_step`]), a column at a time.
    hashes: Vec<u64>,
}

impl Identity {
    /// Computes the keys of a batch of `rows` rows whose classified texts are `cols`, in a
    /// fixed order, and the `wanted` tags of `map` (`focus`: its keys take a mapping's key
    /// rule), a column at a time.
    pub(super) fn prepare(
        &mut self,
        cols: &[&Text<'_>],
        map: &TagMap<'_>,
        focus: bool,
        wanted: &[String],
        rows: usize,
    ) {
        self.columns.resize_with(cols.len(), ColumnIds::default);
        let tags = if matches!(map, TagMap::Map(..)) {
            wanted.len()
        } else {
            0
        };
        self.width = cols.len() + tags;
        // Every slot of the batch's rows is written below: only new room is zeroed.
        self.keys.resize(rows * self.width, 0);
        // Each row's hash is folded a column at a time as the ids are written: the rows'
        // hashes are independent of each other, so the work overlaps, where hashing a row's
        // key whole is one chain of multiplies.
        self.hashes.clear();
        self.hashes.resize(rows, KEY_SEED);
        for (t, c) in cols.iter().zip(self.columns.iter_mut()) {
            c.row_ids(t, rows);
        }
        let width = self.width.max(1);
        for (block, (keys, hashes)) in self
            .keys
            .chunks_mut(BLOCK_ROWS * width)
            .zip(self.hashes.chunks_mut(BLOCK_ROWS))
            .enumerate()
        {
            let start = block * BLOCK_ROWS;
            for (slot, c) in self.columns.iter().enumerate() {
                let ids = c.row_ids.get(start..).unwrap_or(&[]);
                write_ids(ids, keys, width, slot, hashes);
            }
        }
        if let (TagMap::Map(m, k, v), Some(out)) = (map, self.keys.get_mut(cols.len()..)) {
            self.map.fill(m, k, v, focus, wanted, rows, self.width, out);
            for (h, key) in self
                .hashes
                .iter_mut()
                .zip(self.keys.chunks_exact(self.width))
            {
                for &id in key.get(cols.len()..).unwrap_or(&[]) {
                    *h = key_step(*h, id);
                }
            }
        }
        for h in &mut self.hashes {
            *h = key_finish(*h);
        }
    }

    /// The hashes of the batch's rows' keys, in row order.
    pub(super) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The hash of `row`'s key ([`Identity::key`]), as [`crate::facts::Aggregator`]'s memo
    /// hashes keys.
    pub(super) fn hash(&self, row: usize) -> u64 {
        self.hashes.get(row).copied().unwrap_or(0)
    }

    /// The ids of `row`'s texts (of the batch given to [`Identity::prepare`]): equal exactly
    /// when the texts are.
    pub(super) fn key(&self, row: usize) -> &[u32] {
        let start = row * self.width;
        self.keys.get(start..start + self.width).unwrap_or(&[])
    }
}
