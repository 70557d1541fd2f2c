//! The cost table of the current level: name, kind, cost, share of the parent, Δ vs the
//! previous window (absolute and %), a sparkline, flags; with sharing, what was shared in;
//! month to date, each row's month-end forecast and, for a budgeted row, spent and forecast
//! against its budget. Columns are dropped by priority when the screen is narrow; only the
//! visible rows are formatted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout;
use super::theme::Theme;
use super::{fit, fit_middle, right};
use crate::alloc::budget::{self, Standing};
use crate::alloc::{LevelKind, Row, Step, View, anomaly, forecast};
use crate::app::memo::Kept;
use crate::app::nav::SortKey;
use crate::app::{App, share};
use crate::cur::money::{Money, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Kind,
    Cost,
    /// What sharing brought into the cost (only on levels where something was).
    SharedIn,
    /// The projected month total (month-to-date windows only).
    Forecast,
    /// Spent and forecast against the row's budget (only on levels with a budgeted row).
    Budget,
    Share,
    Delta,
    DeltaPct,
    Trend,
    Flags,
}

impl Col {
    fn width(self, trend: usize) -> usize {
        match self {
            Col::Kind | Col::Delta | Col::SharedIn | Col::Forecast => 12,
            Col::Budget => 11,
            Col::Cost => 13,
            Col::Share => 6,
            Col::DeltaPct => 7,
            Col::Trend => trend,
            Col::Flags => 2,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Col::Kind => "KIND",
            Col::Cost => "COST",
            Col::SharedIn => "SHARED IN",
            Col::Forecast => "FORECAST",
            Col::Budget => "BUDGET",
            Col::Share => "SHARE",
            Col::Delta => "Δ",
            Col::DeltaPct => "Δ%",
            Col::Trend => "TREND",
            Col::Flags => "",
        }
    }
}

/// Name needs at least this much before optional columns are added.
const MIN_NAME: usize = 18;

/// The columns a level has only sometimes.
const OPTIONAL: [Col; 3] = [Col::SharedIn, Col::Forecast, Col::Budget];

/// Which columns fit in `width`, in display order; `present`: the optional columns the level
/// has ([`OPTIONAL`]: shared-in cost, a forecast, a budgeted row).
fn columns(width: usize, trend: usize, present: &[Col]) -> Vec<Col> {
    // Most important first.
    let priority = [
        Col::Cost,
        Col::Share,
        Col::DeltaPct,
        Col::Flags,
        Col::Budget,
        Col::SharedIn,
        Col::Forecast,
        Col::Delta,
        Col::Trend,
        Col::Kind,
    ];
    let mut chosen = Vec::new();
    let mut used = MIN_NAME;
    for c in priority {
        if OPTIONAL.contains(&c) && !present.contains(&c) {
            continue;
        }
        let w = c.width(trend) + 1;
        // Stop at the first that does not fit: a less important column never takes the
        // place of a more important one.
        if used + w > width {
            break;
        }
        used += w;
        chosen.push(c);
    }
    let order = [
        Col::Kind,
        Col::Cost,
        Col::SharedIn,
        Col::Share,
        Col::Delta,
        Col::DeltaPct,
        Col::Forecast,
        Col::Budget,
        Col::Trend,
        Col::Flags,
    ];
    order.into_iter().filter(|c| chosen.contains(c)).collect()
}

/// Draws the table's frame titled `title`; its inside, when there is room for a header, a
/// row and the totals line.
pub(super) fn framed(frame: &mut Frame, area: Rect, theme: Theme, title: &str) -> Option<Rect> {
    let block = theme.block(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    (inner.height >= 3).then_some(inner)
}

/// The sparkline buckets of a row's unusual days (drawn `!`), kept between frames.
fn unusual_buckets(app: &App, view: View, path: &[Step], row: &Row) -> Vec<usize> {
    let Some(facts) = app.facts() else {
        return Vec::new();
    };
    let mut at = path.to_vec();
    at.push(row.step);
    let buckets = app.memo.get(view, app.sharing, &at, Kept::Unusual, || {
        let series = anomaly::daily(facts, &row.facts, &view);
        anomaly::unusual_days(&series, view.window, view.provisional_from)
            .into_iter()
            .map(|(day, ..)| view.bucket(day))
            .collect::<Vec<_>>()
    });
    buckets.as_ref().clone()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Some(f) = app.level() else { return };
    let noun = f.level.kind.noun();
    let title = format!("{} ({})", crate::alloc::plural(noun), f.level.rows.len());
    let Some(inner) = framed(frame, area, theme, &title) else {
        return;
    };
    let width = inner.width as usize;
    let buckets = f.level.rows.first().map_or(0, |r| r.series.len());
    let trend = buckets.clamp(1, 16);
    let view = app.view();
    let budget_of = |row: &Row| {
        app.facts()
            .and_then(|facts| budget::of_step(&app.budgets, facts, row.step))
    };
    let mut present = Vec::new();
    if f.level.rows.iter().any(|r| !r.shared_in.is_empty()) {
        present.push(Col::SharedIn);
    }
    if view.is_some_and(|v| forecast::month_to_date(&v).is_some()) {
        present.push(Col::Forecast);
    }
    if f.level.rows.iter().any(|r| budget_of(r).is_some()) {
        present.push(Col::Budget);
    }
    let cols = columns(width, trend, &present);
    let fixed: usize = cols.iter().map(|c| c.width(trend) + 1).sum();
    let name_w = width.saturating_sub(fixed).max(4);
    let ascii = app.display.ascii;

    let mut lines: Vec<Line> = Vec::new();
    // Column header, with the sort marker on the sorted column.
    let marker = |key: SortKey| -> &'static str {
        if app.sort.key != key {
            ""
        } else if app.sort.reverse != (key == SortKey::Name) {
            if ascii { "^" } else { "↑" }
        } else if ascii {
            "v"
        } else {
            "↓"
        }
    };
    let mut head = vec![Span::styled(
        format!(
            "{:<name_w$}",
            fit(
                &format!("{}{}", noun.to_uppercase(), marker(SortKey::Name)),
                name_w,
                ascii
            )
        ),
        theme.column_header(),
    )];
    for c in &cols {
        let mut t = c.title().to_string();
        if *c == Col::Cost {
            t.push_str(marker(SortKey::Cost));
        }
        if *c == Col::Delta || (*c == Col::DeltaPct && !cols.contains(&Col::Delta)) {
            t.push_str(marker(SortKey::Delta));
        }
        if ascii {
            t = t.replace('Δ', "chg");
        }
        let w = c.width(trend);
        let cell = if matches!(c, Col::Kind | Col::Trend | Col::Flags) {
            format!("{:<w$}", fit(&t, w, ascii))
        } else {
            right(&fit(&t, w, ascii), w)
        };
        head.push(Span::raw(" "));
        head.push(Span::styled(cell, theme.column_header()));
    }
    lines.push(Line::from(head));

    let rows_h = usize::from(inner.height - layout::TABLE_TEXT_ROWS);
    let offset = visible_offset(f.selected, f.offset, rows_h, f.order.len());
    let path = app.path();
    for (pos, &i) in f.order.iter().enumerate().skip(offset).take(rows_h) {
        let row = &f.level.rows[i as usize];
        let selected = pos == f.selected;
        let unusual = match view {
            Some(view) if cols.contains(&Col::Trend) => unusual_buckets(app, view, &path, row),
            _ => Vec::new(),
        };
        let extras = Extras {
            unusual,
            forecast: view
                .filter(|_| cols.contains(&Col::Forecast))
                .and_then(|v| forecast::of_series(&row.series, &v))
                .map(|f| f.projected),
            budget: budget_of(row),
            unit: app
                .facts()
                .map_or(Unit::USD, |facts| facts.unit_of(&row.facts, ascii)),
        };
        lines.push(row_line(
            row,
            // Currencies are not shares of a sum: nothing adds them.
            (f.level.kind != LevelKind::Currencies).then_some(f.level.total),
            &cols,
            name_w,
            trend,
            theme,
            selected,
            ascii,
            &path,
            &extras,
        ));
    }
    while lines.len() < rows_h + 1 {
        lines.push(Line::raw(""));
    }
    // Totals: what is shown, and the parent (none over currencies), in the level's currency.
    let unit = app.facts().map_or(Unit::USD, |facts| {
        let rows = f.level.rows.iter().find(|r| !r.facts.is_empty());
        facts.unit_of(rows.map_or(&[][..], |r| &r.facts), ascii)
    });
    let total = if f.level.kind == LevelKind::Currencies {
        format!(
            "{} currencies{}never added together: each sums in its own",
            f.level.rows.len(),
            theme.dot()
        )
    } else if f.order.len() == f.level.rows.len() {
        format!(
            "{} rows{}total {}",
            f.order.len(),
            theme.dot(),
            f.level.total.display_in(unit)
        )
    } else {
        format!(
            "shown {} of {} rows{}{} of {}",
            f.order.len(),
            f.level.rows.len(),
            theme.dot(),
            f.shown_total.display_in(unit),
            f.level.total.display_in(unit)
        )
    };
    let total = if cols.contains(&Col::Forecast) {
        format!(
            "{total}{}forecast: {}-day run rate",
            theme.dot(),
            forecast::RUN_RATE_DAYS
        )
    } else {
        total
    };
    lines.push(Line::styled(fit(&total, width, ascii), theme.dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The first shown position so that the selection is visible (the stored offset is a hint
/// from the last movement; the render is pure).
pub(super) fn visible_offset(selected: usize, offset: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let mut offset = offset;
    if selected < offset {
        offset = selected;
    } else if selected >= offset + height {
        offset = selected + 1 - height;
    }
    offset.min(len.saturating_sub(height))
}

/// What a row shows beside its own figures: unusual days' buckets (`!` in the trend), its
/// month-end forecast, its budget.
struct Extras<'a> {
    unusual: Vec<usize>,
    forecast: Option<Money>,
    budget: Option<&'a Standing>,
    /// The currency its amounts are written in.
    unit: Unit,
}

#[allow(clippy::too_many_arguments)]
fn row_line(
    row: &Row,
    parent: Option<Money>,
    cols: &[Col],
    name_w: usize,
    trend: usize,
    theme: Theme,
    selected: bool,
    ascii: bool,
    path: &[crate::alloc::Step],
    extras: &Extras,
) -> Line<'static> {
    let base = if selected {
        theme.selected()
    } else {
        Style::new()
    };
    let opens = row.has_children(path);
    let lead = match (opens, ascii) {
        (true, false) => "▸ ",
        (true, true) => "> ",
        (false, _) => "  ",
    };
    let name = format!(
        "{lead}{}",
        fit_middle(&row.name, name_w.saturating_sub(2), ascii)
    );
    let mut spans = vec![Span::styled(format!("{name:<name_w$}"), base)];
    for c in cols {
        let w = c.width(trend);
        let (text, style) = match c {
            Col::Kind => (format!("{:<w$}", fit(&row.kind, w, ascii)), theme.dim()),
            Col::Cost => (right(&row.cost.display_in(extras.unit), w), Style::new()),
            Col::SharedIn => {
                let t = match row.shared_total() {
                    Money::ZERO => String::new(),
                    m => m.display_in(extras.unit),
                };
                (right(&fit(&t, w, ascii), w), theme.dim())
            }
            Col::Forecast => {
                let t = extras
                    .forecast
                    .map_or(String::new(), |m| m.display_in(extras.unit));
                (right(&fit(&t, w, ascii), w), Style::new())
            }
            Col::Budget => match extras.budget {
                Some(b) => (
                    right(&fit(&budget_cell(b, ascii), w, ascii), w),
                    budget_style(b.state, theme),
                ),
                None => (" ".repeat(w), Style::new()),
            },
            Col::Share => (
                right(
                    &parent.map_or(String::new(), |p| format!("{:.1}%", share(row.cost, p))),
                    w,
                ),
                Style::new(),
            ),
            Col::Delta => {
                let d = row.delta();
                let style = delta_style(d, theme);
                (
                    right(&fit(&d.display_signed_in(extras.unit), w, ascii), w),
                    style,
                )
            }
            Col::DeltaPct => {
                let (t, style) = if row.is_new() {
                    ("new".to_string(), theme.warn())
                } else if row.is_gone() {
                    ("gone".to_string(), theme.dim())
                } else {
                    let p = row.delta_pct().unwrap_or(0.0);
                    let arrow = if p > 0.05 {
                        theme.arrow_up()
                    } else if p < -0.05 {
                        theme.arrow_down()
                    } else {
                        " "
                    };
                    (
                        format!("{arrow}{:.0}%", p.abs()),
                        delta_style(row.delta(), theme),
                    )
                };
                (right(&fit(&t, w, ascii), w), style)
            }
            Col::Trend => {
                let values = squeeze(&row.series, w);
                // Unusual days (alloc::anomaly) are drawn as `!` in their bucket.
                let mut spark: Vec<char> = theme.sparkline(&values).chars().collect();
                for &b in &extras.unusual {
                    let at = if row.series.len() <= w {
                        b
                    } else {
                        b * w / row.series.len()
                    };
                    if let Some(c) = spark.get_mut(at) {
                        *c = '!';
                    }
                }
                let spark: String = spark.into_iter().collect();
                (format!("{spark:<w$}"), theme.dim())
            }
            Col::Flags => {
                let t = if row.provisional {
                    theme.provisional()
                } else {
                    " "
                };
                (format!("{t:<w$}"), theme.warn())
            }
        };
        spans.push(Span::styled(" ", base));
        spans.push(Span::styled(text, if selected { base } else { style }));
    }
    Line::from(spans)
}

/// `62%>104%!`: spent and forecast as shares of the budget, marked `!` when the forecast
/// exceeds it and `!!` when the spend already does.
pub(super) fn budget_cell(b: &Standing, ascii: bool) -> String {
    let mark = match b.state {
        budget::State::Within => "",
        budget::State::ForecastToExceed => "!",
        budget::State::Exceeded => "!!",
    };
    let arrow = if ascii { ">" } else { "→" };
    format!(
        "{:.0}%{arrow}{:.0}%{mark}",
        b.spent_pct(),
        b.projected_pct()
    )
}

pub(super) fn budget_style(state: budget::State, theme: Theme) -> Style {
    match state {
        budget::State::Within => Style::new(),
        budget::State::ForecastToExceed => theme.warn(),
        budget::State::Exceeded => theme.error(),
    }
}

pub(super) fn delta_style(d: Money, theme: Theme) -> Style {
    match d.cmp(&Money::ZERO) {
        std::cmp::Ordering::Greater => theme.up(),
        std::cmp::Ordering::Less => theme.down(),
        std::cmp::Ordering::Equal => Style::new(),
    }
}

/// Sums `series` into at most `width` buckets.
fn squeeze(series: &[Money], width: usize) -> Vec<f64> {
    if series.len() <= width {
        return series.iter().map(|m| m.dollars()).collect();
    }
    let mut out = vec![0.0; width];
    for (i, m) in series.iter().enumerate() {
        out[i * width / series.len()] += m.dollars();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_by_priority() {
        let all = columns(200, 16, &[]);
        assert_eq!(all.len(), 7);
        assert_eq!(columns(200, 16, &OPTIONAL).len(), 10);
        let narrow = columns(78, 16, &[Col::SharedIn]);
        assert!(narrow.contains(&Col::Cost) && narrow.contains(&Col::Share));
        assert!(narrow.contains(&Col::SharedIn), "{narrow:?}");
        assert!(!narrow.contains(&Col::Kind), "{narrow:?}");
        // At 80 columns a budget keeps its place before the forecast and the Δ.
        let budgeted = columns(78, 16, &OPTIONAL);
        assert!(budgeted.contains(&Col::Budget), "{budgeted:?}");
        assert!(!budgeted.contains(&Col::Delta), "{budgeted:?}");
        let tiny = columns(40, 16, &[Col::SharedIn]);
        assert_eq!(tiny, vec![Col::Cost, Col::Share]);
    }

    #[test]
    fn offsets_follow_the_selection() {
        assert_eq!(visible_offset(0, 0, 10, 100), 0);
        assert_eq!(visible_offset(15, 0, 10, 100), 6);
        assert_eq!(visible_offset(3, 6, 10, 100), 3);
        assert_eq!(visible_offset(99, 95, 10, 100), 90);
    }

    #[test]
    fn series_are_squeezed_by_summing() {
        let s: Vec<Money> = (1..=4).map(|d| Money(d * 1_000_000_000)).collect();
        assert_eq!(squeeze(&s, 2), vec![3.0, 7.0]);
        assert_eq!(squeeze(&s, 8), vec![1.0, 2.0, 3.0, 4.0]);
    }
}
