//! The memo of [`super::Aggregator::template`]: a reader's identity of a row's texts (a short
//! key of integers, equal exactly when the texts are) → the template classified for it.
//!
//! Readers look up every row, so the layout is for memory, not elegance: the index maps the
//! key's 64-bit hash to a template (one small entry, no pointer to chase), the keys themselves
//! sit end to end in one arena, and the rare templates whose keys share a hash are chained.
//! A lookup is one probe of the index and one read of the arena, where a map keyed by boxed
//! slices costs a probe, a pointer to follow and the slice's own cache line.

use rustc_hash::FxHashMap;

/// No further template with the same hash.
const END: u32 = u32::MAX;

/// Keys of integers → template ids, numbered in insertion order from 0.
#[derive(Debug, Default)]
pub(super) struct Memo {
    /// Hash of a key → the last template inserted with that hash.
    index: FxHashMap<u64, u32>,
    /// Every template's key, end to end; template `t`'s is `keys[starts[t]..starts[t + 1]]`.
    keys: Vec<u32>,
    starts: Vec<u32>,
    /// The template inserted before `t` with the same hash ([`END`] if none).
    same_hash: Vec<u32>,
}

/// The hash of a key before its first id ([`key_step`]).
pub const KEY_SEED: u64 = 0x243F_6A88_85A3_08D3;

/// A key's hash with one more id: a key's hash is [`key_finish`] of its ids folded by this
/// from [`KEY_SEED`], so a reader holding its keys column by column can hash every row one
/// column at a time (independent rows, no chain of multiplies per row) and get [`key_hash`].
pub fn key_step(h: u64, id: u32) -> u64 {
    (h ^ u64::from(id))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(23)
}

/// A key's hash once every id is folded in by [`key_step`].
pub fn key_finish(h: u64) -> u64 {
    h ^ (h >> 31)
}

/// The hash the memo indexes `key` by.
pub fn key_hash(key: &[u32]) -> u64 {
    key_finish(key.iter().fold(KEY_SEED, |h, &id| key_step(h, id)))
}

impl Memo {
    /// The template of `key` (whose [`key_hash`] is `hash`), if inserted.
    pub(super) fn get(&self, hash: u64, key: &[u32]) -> Option<u32> {
        let mut t = *self.index.get(&hash)?;
        while t != END {
            if self.key(t) == key {
                return Some(t);
            }
            t = self.same_hash.get(t as usize).copied().unwrap_or(END);
        }
        None
    }

    /// The last template inserted with hash `hash`: the one [`Memo::get`] compares first.
    /// Looking up many keys, probing the index for all of them before comparing any key
    /// ([`Memo::confirm`]) lets the cache misses of the probes overlap.
    pub(super) fn candidate(&self, hash: u64) -> Option<u32> {
        self.index.get(&hash).copied()
    }

    /// [`Memo::get`] of `key` (whose hash is `hash`) given its [`Memo::candidate`].
    pub(super) fn confirm(&self, candidate: Option<u32>, hash: u64, key: &[u32]) -> Option<u32> {
        let t = candidate?;
        if self.key(t) == key {
            return Some(t);
        }
        self.get(hash, key)
    }

    /// Inserts `key` (not yet inserted; its [`key_hash`] is `hash`) as the next template;
    /// returns its id.
    pub(super) fn insert(&mut self, hash: u64, key: &[u32]) -> u32 {
        let t = self.same_hash.len() as u32;
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.keys.extend_from_slice(key);
        self.starts.push(self.keys.len() as u32);
        let before = self.index.insert(hash, t).unwrap_or(END);
        self.same_hash.push(before);
        t
    }

    fn key(&self, t: u32) -> &[u32] {
        let t = t as usize;
        match (self.starts.get(t), self.starts.get(t + 1)) {
            (Some(&s), Some(&e)) => self.keys.get(s as usize..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Memo, key_hash};

    fn get(m: &Memo, key: &[u32]) -> Option<u32> {
        m.get(key_hash(key), key)
    }

    fn insert(m: &mut Memo, key: &[u32]) -> u32 {
        m.insert(key_hash(key), key)
    }

    #[test]
    fn keys_map_to_their_templates_exactly() {
        let mut m = Memo::default();
        assert_eq!(get(&m, &[1, 2, 3]), None);
        assert_eq!(insert(&mut m, &[1, 2, 3]), 0);
        assert_eq!(insert(&mut m, &[1, 2]), 1);
        assert_eq!(insert(&mut m, &[]), 2);
        assert_eq!(insert(&mut m, &[3, 2, 1]), 3);
        assert_eq!(get(&m, &[1, 2, 3]), Some(0));
        assert_eq!(get(&m, &[1, 2]), Some(1));
        assert_eq!(get(&m, &[]), Some(2));
        assert_eq!(get(&m, &[3, 2, 1]), Some(3));
        assert_eq!(get(&m, &[1, 2, 4]), None);
    }

    #[test]
    fn a_confirmed_candidate_is_the_lookup() {
        let mut m = Memo::default();
        let a = m.insert(7, &[7, 7]);
        let b = m.insert(7, &[8, 8]);
        let c = m.insert(9, &[9]);
        for (hash, key) in [
            (7, &[7, 7][..]),
            (7, &[8, 8]),
            (7, &[1]),
            (9, &[9]),
            (3, &[3]),
        ] {
            assert_eq!(m.confirm(m.candidate(hash), hash, key), m.get(hash, key));
        }
        assert_eq!(m.candidate(7), Some(b), "the last inserted under a hash");
        assert_eq!(m.confirm(m.candidate(7), 7, &[7, 7]), Some(a));
        assert_eq!(m.confirm(m.candidate(9), 9, &[9]), Some(c));
        assert_eq!(m.candidate(3), None);
    }

    #[test]
    fn keys_sharing_a_hash_stay_apart() {
        // Two keys inserted under one hash chain apart; a lookup compares the keys.
        let mut m = Memo::default();
        let a = m.insert(7, &[7, 7]);
        let b = m.insert(7, &[8, 8]);
        assert_eq!(m.get(7, &[7, 7]), Some(a));
        assert_eq!(m.get(7, &[8, 8]), Some(b));
        assert_eq!(m.get(7, &[9, 9]), None);
        assert_eq!(
            get(&m, &[8, 8]),
            None,
            "[8, 8]'s own hash does not index it"
        );
    }

    #[test]
    fn column_by_column_hashing_is_the_key_hash() {
        let rows: [&[u32]; 3] = [&[1, 0, 5], &[0, 0, 0], &[u32::MAX, 3, 1]];
        let mut h = [super::KEY_SEED; 3];
        for c in 0..3 {
            for (h, r) in h.iter_mut().zip(rows) {
                *h = super::key_step(*h, r[c]);
            }
        }
        for (h, r) in h.iter().zip(rows) {
            assert_eq!(super::key_finish(*h), key_hash(r));
        }
        assert_ne!(key_hash(&[1, 2]), key_hash(&[2, 1]));
    }
}
