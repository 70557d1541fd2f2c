//! What the panes compute from a row's facts on every frame — the detail pane's sums, the Δ's
//! parts and movers, the unusual days — kept per row between frames. A top-level row holds
//! every fact of the bill (1.4 M at a 100 000-pod cluster), so a key press that changes
//! nothing about the row would otherwise pass over them all again.
//!
//! An entry is for one row (its path from the top, its own step last) in one view and sharing
//! state; [`Memo::clear`] runs whenever the levels are rebuilt or re-costed (new data, a metric,
//! a window, sharing, the env view), so an entry never outlives the facts it came from.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::alloc::{Step, View};

/// What is kept of a row: one kind of result each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kept {
    Detail,
    Change,
    Anomalies,
    Unusual,
    /// A level's rows' parts, by row (the change view); keyed by the level's own path.
    LevelParts,
}

type Key = (Vec<Step>, Kept);

/// The per-row results of the current view.
#[derive(Default)]
pub struct Memo {
    stamp: RefCell<Option<(View, bool)>>,
    rows: RefCell<FxHashMap<Key, Rc<dyn Any>>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memo({} rows)", self.rows.borrow().len())
    }
}

impl Memo {
    /// The `kept` result of the row at `path` in `view` (with sharing `sharing`), computed by
    /// `compute` the first time.
    pub fn get<T: 'static>(
        &self,
        view: View,
        sharing: bool,
        path: &[Step],
        kept: Kept,
        compute: impl FnOnce() -> T,
    ) -> Rc<T> {
        if *self.stamp.borrow() != Some((view, sharing)) {
            self.clear();
            *self.stamp.borrow_mut() = Some((view, sharing));
        }
        let key = (path.to_vec(), kept);
        if let Some(hit) = self.rows.borrow().get(&key).cloned()
            && let Ok(hit) = hit.downcast::<T>()
        {
            return hit;
        }
        let value = Rc::new(compute());
        let any: Rc<dyn Any> = value.clone();
        self.rows.borrow_mut().insert(key, any);
        value
    }

    /// Forgets every row (the levels were rebuilt or re-costed).
    pub fn clear(&self) {
        self.rows.borrow_mut().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::LevelKind;
    use crate::cur::metrics::Metric;
    use crate::window::Window;

    fn view(metric: Metric) -> View {
        View {
            window: Window { start: 10, end: 17 },
            metric,
            provisional_from: 16,
            top: LevelKind::Clusters,
        }
    }

    #[test]
    fn a_row_is_computed_once_per_view_and_again_after_a_clear() {
        let memo = Memo::default();
        let calls = std::cell::Cell::new(0);
        let get = |v: View, path: &[Step]| {
            *memo.get(v, true, path, Kept::Detail, || {
                calls.set(calls.get() + 1);
                calls.get()
            })
        };
        let a = [Step::Idle];
        let b = [Step::Unallocated];
        assert_eq!(get(view(Metric::Amortized), &a), 1);
        assert_eq!(get(view(Metric::Amortized), &a), 1);
        assert_eq!(get(view(Metric::Amortized), &b), 2);
        assert_eq!(get(view(Metric::Unblended), &a), 3, "another view");
        memo.clear();
        assert_eq!(get(view(Metric::Unblended), &a), 4, "after a clear");
    }
}
