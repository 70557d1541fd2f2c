//! The drill-down stack: one [`LevelState`] per level, each with its rows, its filter, its
//! visible order and its own selection, so going back up lands where the user left.

use std::cmp::Ordering;

use crate::alloc::{Level, Row, Step};
use crate::cur::money::Money;

/// What rows are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Cost,
    Name,
    Delta,
    /// Largest |Δ| first (the change view).
    Change,
}

/// A sort: key and direction. `reverse` flips the key's natural order (cost and Δ: highest
/// first; name: A→Z).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub reverse: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::Cost,
            reverse: false,
        }
    }
}

impl Sort {
    /// Pressing a sort key: the same key again reverses, another starts in its natural order.
    pub fn toggle(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                reverse: !self.reverse,
            }
        } else {
            Sort {
                key,
                reverse: false,
            }
        }
    }

    fn compare(self, a: &Row, b: &Row) -> Ordering {
        let natural = match self.key {
            SortKey::Cost => b.cost.cmp(&a.cost),
            SortKey::Name => a
                .name
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.name.bytes().map(|c| c.to_ascii_lowercase())),
            SortKey::Delta => b.delta().cmp(&a.delta()),
            SortKey::Change => b.delta().0.unsigned_abs().cmp(&a.delta().0.unsigned_abs()),
        };
        let natural = natural
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.step.cmp(&b.step));
        if self.reverse {
            natural.reverse()
        } else {
            natural
        }
    }

    /// `cost↓`, `name↑`, `Δ↓`; with `ascii`, `cost-desc`, `name-asc`, `change-desc`.
    pub fn label(self, ascii: bool) -> String {
        let ascending = matches!(
            (self.key, self.reverse),
            (SortKey::Name, false) | (SortKey::Cost | SortKey::Delta | SortKey::Change, true)
        );
        let key = match (self.key, ascii) {
            (SortKey::Cost, _) => "cost",
            (SortKey::Name, _) => "name",
            (SortKey::Delta, false) => "Δ",
            (SortKey::Delta, true) => "change",
            (SortKey::Change, false) => "|Δ|",
            (SortKey::Change, true) => "abs-change",
        };
        let dir = match (ascending, ascii) {
            (true, false) => "↑",
            (false, false) => "↓",
            (true, true) => "-asc",
            (false, true) => "-desc",
        };
        format!("{key}{dir}")
    }
}

/// A live filter: case-insensitive substring of the name; a leading `!` inverts it.
pub fn matches(filter: &str, row: &Row) -> bool {
    let (invert, needle) = match filter.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, filter),
    };
    if needle.is_empty() {
        return true;
    }
    let hit = contains_ci(&row.name, needle) || contains_ci(&row.kind, needle);
    hit != invert
}

/// ASCII-case-insensitive substring test without allocating.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return false;
    }
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// One drill-down level's state on the stack: its rows, filter, order and selection.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelState {
    /// The step that opened this level (`None` for the top).
    pub step: Option<Step>,
    pub level: Level,
    pub filter: String,
    /// Indices into `level.rows` of the rows shown, in display order.
    pub order: Vec<u32>,
    /// The cost of the rows shown (computed when the order changes, not on every frame).
    pub shown_total: Money,
    /// Every row in sort order, and the sort it is in: a filter change only filters this.
    sorted: Vec<u32>,
    sorted_by: Option<Sort>,
    /// Position in `order`.
    pub selected: usize,
    /// First shown position (scrolling).
    pub offset: usize,
}

impl LevelState {
    /// Call after the level's rows changed (a metric or window change): the next
    /// [`LevelState::reorder`] sorts again.
    pub fn rows_changed(&mut self) {
        self.sorted_by = None;
    }

    pub fn new(step: Option<Step>, level: Level, sort: Sort) -> LevelState {
        let mut state = LevelState {
            step,
            level,
            filter: String::new(),
            order: Vec::new(),
            sorted: Vec::new(),
            sorted_by: None,
            shown_total: Money::ZERO,
            selected: 0,
            offset: 0,
        };
        state.reorder(sort);
        state
    }

    /// Recomputes the visible order, keeping the selected row selected when it is still shown.
    /// Sorting happens only when the sort or the rows changed; filtering is one pass.
    pub fn reorder(&mut self, sort: Sort) {
        let keep = self.selected_row().map(|r| r.step);
        let rows = &self.level.rows;
        if self.sorted_by != Some(sort) || self.sorted.len() != rows.len() {
            self.sorted = (0..rows.len() as u32).collect();
            self.sorted
                .sort_unstable_by(|&a, &b| sort.compare(&rows[a as usize], &rows[b as usize]));
            self.sorted_by = Some(sort);
        }
        if self.filter.is_empty() {
            self.order.clone_from(&self.sorted);
            self.shown_total = self.level.total;
        } else {
            // Match in memory order (cache-friendly), then walk the sorted order.
            let hit: Vec<bool> = rows.iter().map(|r| matches(&self.filter, r)).collect();
            self.order = self
                .sorted
                .iter()
                .copied()
                .filter(|&i| hit[i as usize])
                .collect();
            self.shown_total = rows
                .iter()
                .zip(&hit)
                .filter(|(_, h)| **h)
                .map(|(r, _)| r.cost)
                .sum();
        }
        self.selected = keep
            .and_then(|step| {
                self.order
                    .iter()
                    .position(|&i| self.level.rows[i as usize].step == step)
            })
            .unwrap_or(0);
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.order
            .get(self.selected)
            .map(|&i| &self.level.rows[i as usize])
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        if self.order.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.order.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_last(&mut self) {
        self.selected = self.order.len().saturating_sub(1);
    }

    /// Keeps the selection inside `height` shown rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.order.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    /// Selects the row with this step, if shown.
    pub fn select_step(&mut self, step: Step) -> bool {
        match self
            .order
            .iter()
            .position(|&i| self.level.rows[i as usize].step == step)
        {
            Some(pos) => {
                self.selected = pos;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::LevelKind;

    fn row(name: &str, cost: i64, prev: i64, step: u32) -> Row {
        Row {
            step: Step::Namespace(step),
            name: name.into(),
            kind: "namespace".into(),
            cost: Money(cost),
            prev: Money(prev),
            series: vec![],
            provisional: false,
            facts: vec![],
            shared_in: vec![],
        }
    }

    fn level_state() -> LevelState {
        let rows = vec![
            row("payments", 500, 100, 1),
            row("Checkout", 300, 400, 2),
            row("batch", 900, 850, 3),
        ];
        let level = Level {
            kind: LevelKind::Cluster,
            total: rows.iter().map(|r| r.cost).sum(),
            prev_total: rows.iter().map(|r| r.prev).sum(),
            rows,
        };
        LevelState::new(None, level, Sort::default())
    }

    fn names(f: &LevelState) -> Vec<&str> {
        f.order
            .iter()
            .map(|&i| f.level.rows[i as usize].name.as_str())
            .collect()
    }

    #[test]
    fn sorts_by_cost_name_and_delta_and_reverses() {
        let mut f = level_state();
        assert_eq!(names(&f), ["batch", "payments", "Checkout"]);
        let by_name = Sort::default().toggle(SortKey::Name);
        f.reorder(by_name);
        assert_eq!(names(&f), ["batch", "Checkout", "payments"]);
        f.reorder(by_name.toggle(SortKey::Name));
        assert_eq!(names(&f), ["payments", "Checkout", "batch"]);
        f.reorder(Sort::default().toggle(SortKey::Delta));
        assert_eq!(names(&f), ["payments", "batch", "Checkout"]);
        assert_eq!(Sort::default().toggle(SortKey::Cost).label(false), "cost↑");
        assert_eq!(Sort::default().label(true), "cost-desc");
    }

    #[test]
    fn filter_is_case_insensitive_invertible_and_keeps_the_selection() {
        let mut f = level_state();
        f.selected = 1; // payments
        f.filter = "CHECK".into();
        f.reorder(Sort::default());
        assert_eq!(names(&f), ["Checkout"]);
        assert_eq!(f.selected, 0);
        f.filter = "!check".into();
        f.reorder(Sort::default());
        assert_eq!(names(&f), ["batch", "payments"]);
        f.select_step(Step::Namespace(1));
        f.filter = "pay".into();
        f.reorder(Sort::default());
        assert_eq!(f.selected_row().unwrap().name, "payments");
        f.filter = "zzz".into();
        f.reorder(Sort::default());
        assert!(f.selected_row().is_none());
    }

    #[test]
    fn movement_clamps_and_scrolls() {
        let mut f = level_state();
        f.move_by(-5);
        assert_eq!(f.selected, 0);
        f.move_by(10);
        assert_eq!(f.selected, 2);
        f.scroll_into_view(2);
        assert_eq!(f.offset, 1);
        f.selected = 0;
        f.scroll_into_view(2);
        assert_eq!(f.offset, 0);
    }
}
