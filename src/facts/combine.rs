//! Several reads' facts as one table (a combined profile's bills): names re-interned, label
//! dimensions united by name (a row lacking one has none), rows with equal keys summed, the
//! bills summed per day, the qualities folded together.

use super::{DIMS, Facts, K_DIMS, KeyMap, NONE, Quality, Sums, add_to, into_rows};
use crate::cur::line_item::ColumnSet;

/// The facts of `parts` as one table; its bill is theirs summed, every row kept.
pub fn combine(parts: Vec<Facts>) -> Facts {
    let mut label_names: Vec<String> = Vec::new();
    for p in &parts {
        for n in &p.label_names {
            if !label_names.contains(n) {
                label_names.push(n.clone());
            }
        }
    }
    let mut out = Facts {
        label_names,
        ..Facts::default()
    };
    let mut keys = KeyMap::default();
    let mut columns = ColumnSet::default();
    let mut quality = Quality::default();
    let mut key: Vec<u32> = Vec::new();
    for p in parts {
        let tr: Vec<u32> = p.strings.iter().map(|s| out.strings.intern(s)).collect();
        let sym = |s: u32| tr.get(s as usize).copied().unwrap_or(NONE);
        let slots: Vec<Option<usize>> = out
            .label_names
            .iter()
            .map(|n| p.label_names.iter().position(|m| m == n))
            .collect();
        for r in &p.rows {
            key.clear();
            key.push(r.day as u32);
            key.push(r.category as u32);
            key.push(r.basis as u32);
            key.extend(r.dims.iter().map(|d| sym(*d)));
            key.extend(
                slots
                    .iter()
                    .map(|s| s.and_then(|i| r.labels.get(i)).map_or(NONE, |l| sym(*l))),
            );
            debug_assert_eq!(key.len(), K_DIMS + DIMS + out.label_names.len());
            add_to(
                &mut keys,
                &key,
                Sums::new(r.costs, r.quantity),
                &mut quality,
            );
        }
        for (day, c) in p.bill {
            quality.sum(out.bill.entry(day).or_default(), c);
        }
        columns.union(&p.columns);
        quality.merge(p.quality);
        super::merge_account_names(&mut out.account_names, p.account_names);
    }
    out.rows = into_rows(keys);
    out.columns = columns;
    out.quality = quality;
    out
}
