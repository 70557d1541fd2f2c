//! The detail pane of the selected row: cost and share, month to date its forecast and
//! budget, change and why (the Δ's parts as a bar chart and the components that moved most),
//! unusual days, cost by category and service, its top children, for a pod its ARN, nodes,
//! workload and CPU vs memory, and cost per day.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::table;
use super::theme::Theme;
use super::{fit, fit_middle, right};
use crate::alloc::change::{Mover, Part, Parts};
use crate::alloc::{self, PodDetail, View, anomaly, budget, forecast};
use crate::app::memo::Kept;
use crate::app::{App, share};
use crate::cur::money::{Money, Unit};
use crate::cur::time::date_of;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let (Some(f), Some(view), Some(data)) = (app.level(), app.view(), app.data()) else {
        return;
    };
    let Some(row) = f.selected_row() else {
        let block = theme.block("detail");
        frame.render_widget(Paragraph::new("no row selected").block(block), area);
        return;
    };
    let title = if row.kind == row.name {
        row.name.clone()
    } else {
        format!("{} {}", row.kind, row.name)
    };
    let block = theme.block(&title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut path = app.path();
    path.push(row.step);
    let facts = data.shown(app.sharing);
    let memo = |kept| (view, app.sharing, path.as_slice(), kept);
    let (v, sharing, at, kept) = memo(Kept::Detail);
    let d = app.memo.get(v, sharing, at, kept, || {
        alloc::detail(facts, &path, row, &view)
    });
    let w = inner.width as usize;
    let ascii = app.display.ascii;
    let unit = facts.unit_of(&row.facts, ascii);
    let label_w = (w / 2).clamp(8, 24);
    let money_w = w.saturating_sub(label_w + 1).min(14);
    let kv = |k: &str, v: String| -> Line<'static> {
        Line::from(vec![
            Span::raw(format!(
                "  {:<label_w$}",
                fit(k, label_w.saturating_sub(2), ascii)
            )),
            Span::raw(right(&v, money_w)),
        ])
    };
    let head = |t: &str| Line::styled(t.to_string(), theme.title());
    // A text fact on one line: `  label value`, the value cut in the middle if needed.
    let text = |k: &str, v: &str| -> Line<'static> {
        let room = w.saturating_sub(k.chars().count() + 3);
        Line::from(vec![
            Span::styled(format!("  {k} "), theme.dim()),
            Span::raw(fit_middle(v, room, ascii)),
        ])
    };
    let parent = app.breadcrumb().last().cloned().unwrap_or_default();
    let mut lines = vec![
        Line::from(vec![
            Span::styled("cost ", theme.dim()),
            Span::raw(row.cost.display_in(unit)),
            Span::styled(
                if f.level.kind == crate::alloc::LevelKind::Currencies {
                    // Not a share: currencies are never added.
                    format!(" in {}", row.name)
                } else {
                    format!(
                        " {:.1}% of {}",
                        share(row.cost, f.level.total),
                        fit(&parent, 20, ascii)
                    )
                },
                theme.dim(),
            ),
        ]),
        Line::from(vec![
            Span::styled("previous ", theme.dim()),
            Span::raw(row.prev.display_in(unit)),
            Span::raw(match row.delta_pct() {
                Some(p) => format!("  {} ({p:+.1}%)", row.delta().display_signed_in(unit)),
                None => "  new in this window".into(),
            }),
        ]),
    ];
    if !row.shared_in.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("own ", theme.dim()),
            Span::raw(row.own().display_in(unit)),
            Span::styled(" + shared in ", theme.dim()),
            Span::raw(row.shared_total().display_in(unit)),
        ]));
        lines.push(text(
            "shared in:",
            &row.shared_in_text(data.shown(app.sharing), unit),
        ));
    }
    if row.provisional {
        lines.push(Line::styled(
            format!("{} has provisional days (< 48 h old)", theme.provisional()),
            theme.warn(),
        ));
    }
    lines.extend(month_lines(app, row, &view, w, unit, theme));
    if let Some(change) = &app.change {
        let (v, sharing, at, kept) = memo(Kept::Change);
        let why = app.memo.get(v, sharing, at, kept, || {
            (
                change.parts(facts, &row.facts),
                change.movers(facts, &row.facts, 3),
            )
        });
        lines.extend(change_lines(&why.0, &why.1, w, unit, ascii, theme));
    }
    let (v, sharing, at, kept) = memo(Kept::Anomalies);
    let unusual = app.memo.get(v, sharing, at, kept, || {
        anomaly::anomalies(facts, &row.facts, &view)
    });
    if !unusual.is_empty() {
        lines.push(head("unusual days (! in the trend)"));
        for a in unusual.iter().rev().take(3) {
            let [day, why] = anomaly_lines(a, unit);
            lines.push(Line::raw(fit(&day, w, ascii)));
            lines.push(Line::styled(fit(&why, w, ascii), theme.dim()));
        }
    }
    if let Some(p) = &d.pod {
        lines.extend(pod_lines(p, unit, &head, &text, &kv));
    }
    if d.by_category.len() > 1 || d.pod.is_none() {
        lines.push(head("by category"));
        for (c, m) in &d.by_category {
            lines.push(kv(c.name(), m.display_in(unit)));
        }
    }
    lines.push(head("by service"));
    for (s, m) in &d.by_service {
        lines.push(kv(s, m.display_in(unit)));
    }
    if let Some(waiting) = app.waiting_for_pods(&path) {
        lines.push(head(&format!(
            "top {}",
            crate::alloc::plural(d.children_noun.unwrap_or(""))
        )));
        lines.push(Line::styled(format!("  {waiting}"), theme.dim()));
    } else if let Some(noun) = d.children_noun
        && !d.top_children.is_empty()
    {
        lines.push(head(&format!("top {}", crate::alloc::plural(noun))));
        for (s, m) in &d.top_children {
            lines.push(kv(s, m.display_in(unit)));
        }
    }
    lines.push(head("by day"));
    lines.extend(by_day(&d.by_day, &view, unit, theme, &kv));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Month to date: the row's month-end forecast (at the run rate, said so) and its budget.
fn month_lines(
    app: &App,
    row: &alloc::Row,
    view: &View,
    w: usize,
    unit: Unit,
    theme: Theme,
) -> Vec<Line<'static>> {
    let Some(facts) = app.facts() else {
        return Vec::new();
    };
    let ascii = app.display.ascii;
    let mut out = Vec::new();
    // The table's FORECAST column is the same figure.
    if let Some(f) = forecast::of_series(&row.series, view) {
        out.push(Line::from(vec![
            Span::styled("forecast ", theme.dim()),
            Span::raw(f.projected.display_in(unit)),
            Span::styled(
                format!(" by {}", date_of(f.month_end - 1).format("%m-%d")),
                theme.dim(),
            ),
        ]));
        out.push(Line::styled(
            fit(
                &format!(
                    "  at the {}-day run rate {}/day",
                    forecast::RUN_RATE_DAYS,
                    f.run_rate.display_in(unit)
                ),
                w,
                ascii,
            ),
            theme.dim(),
        ));
    }
    if let Some(b) = budget::of_step(&app.budgets, facts, row.step) {
        let [amount, standing] = budget_lines(b, unit, ascii);
        out.push(Line::from(vec![
            Span::styled("budget ", theme.dim()),
            Span::raw(amount),
        ]));
        out.push(Line::styled(
            fit(&standing, w, ascii),
            table::budget_style(b.state, theme),
        ));
    }
    out
}

/// Why the Δ: each non-zero part as a bar (scaled to the largest) with its figure, then the
/// three components that moved most (`api vCPU-Hours: +212 vCPU-h ⇒ +$9.80 usage`).
fn change_lines(
    parts: &Parts,
    movers: &[Mover],
    w: usize,
    unit: Unit,
    ascii: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    let shown: Vec<(Part, Money)> = parts
        .named()
        .into_iter()
        .filter(|(_, m)| *m != Money::ZERO)
        .collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::styled("why it changed".to_string(), theme.title())];
    let max = shown
        .iter()
        .map(|(_, m)| m.0.unsigned_abs())
        .max()
        .unwrap_or(1)
        .max(1);
    let bar_w = w.saturating_sub(2 + 9 + 12).clamp(1, 16);
    let (full, pos, neg) = if ascii {
        ('#', '+', '-')
    } else {
        ('█', '▶', '◀')
    };
    for (part, m) in shown {
        let n = usize::try_from(u128::from(m.0.unsigned_abs()) * bar_w as u128 / u128::from(max))
            .unwrap_or(bar_w)
            .max(1);
        let tip = if m > Money::ZERO { pos } else { neg };
        let bar: String = std::iter::repeat_n(full, n - 1).chain([tip]).collect();
        let style = if m > Money::ZERO {
            theme.up()
        } else {
            theme.down()
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<8} ", part.name()), theme.dim()),
            Span::styled(format!("{bar:<bar_w$}"), style),
            Span::raw(right(&m.display_signed_in(unit), 12)),
        ]));
    }
    for m in movers {
        let mut t = m.text(unit);
        if ascii {
            t = t.replace('⇒', "=>");
        }
        out.push(Line::raw(format!(
            "  {}",
            fit_middle(&t, w.saturating_sub(2), ascii)
        )));
    }
    out
}

/// `$3,000.00 a month` and `  spent 62%, forecast 104% ⚠`: the budget's scope as a whole (a
/// namespace budget covers the namespace in every cluster), as `curtop budget` says it.
fn budget_lines(b: &budget::Standing, unit: Unit, ascii: bool) -> [String; 2] {
    let warn = if ascii { "!" } else { "⚠" };
    let mark = match b.state {
        budget::State::Within => String::new(),
        budget::State::ForecastToExceed => format!(" {warn}"),
        budget::State::Exceeded => format!(" {warn} exceeded"),
    };
    [
        format!("{} a month", b.budget.monthly.display_in(unit)),
        format!(
            "  spent {:.0}%, forecast {:.0}%{mark}",
            b.spent_pct(),
            b.projected_pct()
        ),
    ]
}

/// `  03-10 $85.20 (usual $40.10)` and `    vs 03-09: usage +$40.00 rate +$5.10` — the day
/// against the day before.
fn anomaly_lines(a: &anomaly::Anomaly, unit: Unit) -> [String; 2] {
    let parts: Vec<String> = a
        .parts
        .named()
        .into_iter()
        .filter(|(_, m)| *m != Money::ZERO)
        .map(|(p, m)| format!("{p} {}", m.display_signed_in(unit)))
        .collect();
    let why = if parts.is_empty() {
        "as the day before".to_string()
    } else {
        format!(
            "vs {}: {}",
            date_of(a.day - 1).format("%m-%d"),
            parts.join(" ")
        )
    };
    [
        format!(
            "  {} {} (usual {})",
            date_of(a.day).format("%m-%d"),
            a.cost.display_in(unit),
            a.median.display_in(unit),
        ),
        format!("    {why}"),
    ]
}

/// A pod's facts: ARN, workload, nodes, and its cost by CPU and memory.
fn pod_lines(
    p: &PodDetail,
    unit: Unit,
    head: &dyn Fn(&str) -> Line<'static>,
    text: &dyn Fn(&str, &str) -> Line<'static>,
    kv: &dyn Fn(&str, String) -> Line<'static>,
) -> Vec<Line<'static>> {
    let mut out = vec![head("pod"), text("arn", &p.arn)];
    let workload = if p.workload.is_empty() {
        "(none)".to_string()
    } else {
        format!("{}/{}", p.workload_kind, p.workload)
    };
    out.push(text("workload", &workload));
    let shown: Vec<String> = p
        .nodes
        .iter()
        .take(2)
        .map(|n| alloc::short_resource(n))
        .collect();
    let mut nodes = shown.join(", ");
    if p.nodes.len() > 2 {
        let _ = write!(nodes, " +{} more", p.nodes.len() - 2);
    }
    let label = if p.nodes.len() == 1 { "node" } else { "nodes" };
    out.push(text(label, &nodes));
    out.push(kv("cpu", p.cpu.display_in(unit)));
    out.push(kv("memory", p.memory.display_in(unit)));
    if p.other != Money::ZERO {
        out.push(kv("other", p.other.display_in(unit)));
    }
    out
}

/// Newest first, at most 14 days.
fn by_day(
    days: &[(i32, Money)],
    view: &View,
    unit: Unit,
    theme: Theme,
    kv: &dyn Fn(&str, String) -> Line<'static>,
) -> Vec<Line<'static>> {
    days.iter()
        .rev()
        .take(14)
        .map(|(day, m)| {
            let mark = if *day >= view.provisional_from {
                theme.provisional()
            } else {
                " "
            };
            kv(&format!("{}{mark}", date_of(*day)), m.display_in(unit))
        })
        .collect()
}
