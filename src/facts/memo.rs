//! The memo of [`super::Aggregator::template`]: a reader's identity of a row's texts (a short
//! key of integers, equal exactly when the texts are) → the template classified for it.
//!
//! Readers look up every row, so the layout is for memory, not elegance: the index maps the
//! key's 64-bit hash to a template (one small entry, no pointer to chase), the keys themselves
//! sit end to end in one arena, and the rare templates whose keys share a hash are chained.
//! A lookup is one probe of the index and one read of the arena, where a map keyed by boxed
//! slices costs a probe, a pointer to follow and the slice's own cache line.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

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

fn hash_of(key: &[u32]) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

impl Memo {
    /// The template of `key`, if inserted.
    pub(super) fn get(&self, key: &[u32]) -> Option<u32> {
        let mut t = *self.index.get(&hash_of(key))?;
        while t != END {
            if self.key(t) == key {
                return Some(t);
            }
            t = self.same_hash.get(t as usize).copied().unwrap_or(END);
        }
        None
    }

    /// Inserts `key` (not yet inserted) as the next template; returns its id.
    pub(super) fn insert(&mut self, key: &[u32]) -> u32 {
        let t = self.same_hash.len() as u32;
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.keys.extend_from_slice(key);
        self.starts.push(self.keys.len() as u32);
        let before = self.index.insert(hash_of(key), t).unwrap_or(END);
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
    use super::Memo;

    #[test]
    fn keys_map_to_their_templates_exactly() {
        let mut m = Memo::default();
        assert_eq!(m.get(&[1, 2, 3]), None);
        assert_eq!(m.insert(&[1, 2, 3]), 0);
        assert_eq!(m.insert(&[1, 2]), 1);
        assert_eq!(m.insert(&[]), 2);
        assert_eq!(m.insert(&[3, 2, 1]), 3);
        assert_eq!(m.get(&[1, 2, 3]), Some(0));
        assert_eq!(m.get(&[1, 2]), Some(1));
        assert_eq!(m.get(&[]), Some(2));
        assert_eq!(m.get(&[3, 2, 1]), Some(3));
        assert_eq!(m.get(&[1, 2, 4]), None);
    }

    #[test]
    fn keys_sharing_a_hash_stay_apart() {
        // Force a shared hash: chain two templates under one index entry by hand.
        let mut m = Memo::default();
        let a = m.insert(&[7, 7]);
        let b = m.insert(&[8, 8]);
        let h = super::hash_of(&[7, 7]);
        m.index.insert(h, b);
        m.same_hash[b as usize] = a;
        m.index.remove(&super::hash_of(&[8, 8]));
        assert_eq!(m.get(&[7, 7]), Some(a));
        assert_eq!(
            m.get(&[8, 8]),
            None,
            "[8, 8]'s own hash no longer indexes it"
        );
    }
}
