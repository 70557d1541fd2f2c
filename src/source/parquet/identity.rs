//! The [`crate::source::text_ids`] of a batch's classified text columns: dictionary keys map
//! to ids once per dictionary, other encodings by a hash lookup per row. A CUR 2.0 tag map
//! adds, per wanted tag, the id of its value in the row's map.

use arrow_array::Array;

use super::columns::{TagMap, Text};
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

    /// Writes the ids of the batch's rows into every `width`-th slot of `out`, from slot 0,
    /// and (`hashes`, one per row, when given) folds each into its row's hash.
    fn fill(
        &mut self,
        t: &Text<'_>,
        rows: usize,
        width: usize,
        out: &mut [u32],
        hashes: Option<&mut [u64]>,
    ) {
        let slots = out.iter_mut().step_by(width).take(rows);
        let mut hashes = hashes.map(|h| h.iter_mut());
        let mut put = |s: &mut u32, id: u32| {
            *s = id;
            if let Some(h) = hashes.as_mut().and_then(Iterator::next) {
                *h = key_step(*h, id);
            }
        };
        match t {
            // A column of nulls (most tag columns of most rows) reads empty throughout.
            t if t.all_null() => slots.for_each(|s| put(s, 0)),
            Text::Dict(d, _) => {
                let keys = d.keys().values();
                let by_key = &self.by_key;
                let id = |k: &i32| {
                    usize::try_from(*k)
                        .ok()
                        .and_then(|k| by_key.get(k).copied())
                        .unwrap_or(0)
                };
                match d.nulls().filter(|n| n.null_count() > 0) {
                    None => {
                        for (s, k) in slots.zip(keys.iter()) {
                            put(s, id(k));
                        }
                    }
                    Some(nulls) => {
                        for ((s, k), valid) in slots.zip(keys.iter()).zip(nulls.iter()) {
                            put(s, if valid { id(k) } else { 0 });
                        }
                    }
                }
            }
            other => {
                for (row, s) in slots.enumerate() {
                    put(s, self.ids.id_of(other.get(row)));
                }
            }
        }
    }
}

/// The wanted tags' values in a map column (CUR 2.0 `resource_tags`), as ids.
#[derive(Default)]
struct MapIds {
    keys: ColumnIds,
    values: ColumnIds,
    /// By a key's id: 1 + the wanted tag it names, 0 for none, `u32::MAX` not yet known.
    slot_of_key: Vec<u32>,
    key_ids: Vec<u32>,
    value_ids: Vec<u32>,
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
        for (c, t, ids) in [
            (&mut self.keys, k, &mut self.key_ids),
            (&mut self.values, v, &mut self.value_ids),
        ] {
            c.prepare(t);
            ids.clear();
            ids.resize(entries, 0);
            c.fill(t, entries, 1, ids, None);
        }
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
                let key = self.key_ids[i] as usize;
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
                    slots[slot] = self.value_ids[i].saturating_add(1);
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
        self.keys.clear();
        self.keys.resize(rows * self.width, 0);
        // Each row's hash is folded a column at a time as the ids are written: the rows'
        // hashes are independent of each other, so the work overlaps, where hashing a row's
        // key whole is one chain of multiplies.
        self.hashes.clear();
        self.hashes.resize(rows, KEY_SEED);
        for (i, (t, c)) in cols.iter().zip(self.columns.iter_mut()).enumerate() {
            c.prepare(t);
            if let Some(out) = self.keys.get_mut(i..) {
                c.fill(t, rows, self.width, out, Some(&mut self.hashes));
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
