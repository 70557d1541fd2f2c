//! The change view (`c`): the current level by |Δ|, each row's Δ and its parts as columns
//! (`alloc::change`), parts dropped right to left when the screen is narrow. The rows are
//! the table's; only the columns differ.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout;
use super::table::{delta_style, framed, visible_offset};
use super::theme::Theme;
use super::{fit, fit_middle, right};
use crate::alloc::LevelKind;
use crate::alloc::change::{Part, Parts};
use crate::app::App;
use crate::app::memo::Kept;
use crate::cur::money::{Money, Unit};

/// Width of a figure column.
const W: usize = 11;
/// The name needs at least this much.
const MIN_NAME: usize = 16;

/// The parts that fit beside the name and Δ: those that moved the level most (by the sum of
/// |part| over its rows, `weight`) first, ties and unmoved parts in column order; shown in
/// column order.
fn parts_shown(width: usize, weight: &[(Part, u64)]) -> Vec<Part> {
    let mut priority: Vec<(Part, u64)> = Part::ALL
        .into_iter()
        .map(|p| (p, weight.iter().find(|w| w.0 == p).map_or(0, |w| w.1)))
        .collect();
    priority.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let room = width.saturating_sub(MIN_NAME + W + 1) / (W + 1);
    let chosen: Vec<Part> = priority.into_iter().take(room).map(|(p, _)| p).collect();
    Part::ALL
        .into_iter()
        .filter(|p| chosen.contains(p))
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let (Some(f), Some(change), Some(facts), Some(view)) =
        (app.level(), app.change.as_ref(), app.facts(), app.view())
    else {
        return;
    };
    // Every row's parts, kept for the level between frames (a level of 100 000 pods holds
    // every fact below it).
    let parts_of = app
        .memo
        .get(view, app.sharing, &app.path(), Kept::LevelParts, || {
            f.level
                .rows
                .iter()
                .map(|r| change.parts(facts, &r.facts))
                .collect::<Vec<Parts>>()
        });
    let noun = f.level.kind.noun();
    let ascii = app.display.ascii;
    let delta_title = if ascii { "chg" } else { "Δ" };
    let title = format!(
        "change: {} by |{delta_title}| ({})",
        crate::alloc::plural(noun),
        f.level.rows.len()
    );
    let Some(inner) = framed(frame, area, theme, &title) else {
        return;
    };
    let width = inner.width as usize;
    let mut total = Parts::ZERO;
    let mut weight: Vec<(Part, u64)> = Part::ALL.iter().map(|&p| (p, 0)).collect();
    for &i in &f.order {
        let p = parts_of.get(i as usize).copied().unwrap_or(Parts::ZERO);
        total += p;
        for (part, w) in &mut weight {
            *w += p.get(*part).0.unsigned_abs();
        }
    }
    let parts = parts_shown(width, &weight);
    let name_w = width.saturating_sub((parts.len() + 1) * (W + 1)).max(4);
    let mut head = vec![Span::styled(
        format!("{:<name_w$}", fit(&noun.to_uppercase(), name_w, ascii)),
        theme.column_header(),
    )];
    for t in std::iter::once(delta_title).chain(parts.iter().map(|p| p.name())) {
        head.push(Span::raw(" "));
        head.push(Span::styled(
            right(&t.to_uppercase(), W),
            theme.column_header(),
        ));
    }
    let mut lines = vec![Line::from(head)];
    let figure = |m: Money, unit: Unit| -> String {
        if m == Money::ZERO {
            right(if ascii { "." } else { "·" }, W)
        } else {
            right(&fit(&m.display_signed_in(unit), W, ascii), W)
        }
    };
    let rows_h = usize::from(inner.height - layout::TABLE_TEXT_ROWS);
    let offset = visible_offset(f.selected, f.offset, rows_h, f.order.len());
    for (pos, &i) in f.order.iter().enumerate().skip(offset).take(rows_h) {
        let row = &f.level.rows[i as usize];
        let p = parts_of.get(i as usize).copied().unwrap_or(Parts::ZERO);
        let selected = pos == f.selected;
        let base = if selected {
            theme.selected()
        } else {
            Style::new()
        };
        let name = format!(
            "  {}",
            fit_middle(&row.name, name_w.saturating_sub(2), ascii)
        );
        let mut spans = vec![Span::styled(format!("{name:<name_w$}"), base)];
        let d = row.delta();
        let unit = facts.unit_of(&row.facts, ascii);
        for (m, style) in std::iter::once((d, delta_style(d, theme)))
            .chain(parts.iter().map(|&part| (p.get(part), Style::new())))
        {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                figure(m, unit),
                if selected { base } else { style },
            ));
        }
        lines.push(Line::from(spans));
    }
    while lines.len() < rows_h + 1 {
        lines.push(Line::raw(""));
    }
    // The level's sum, in its currency; none over currencies (they are never added).
    let rows = f.level.rows.iter().find(|r| !r.facts.is_empty());
    let unit = facts.unit_of(rows.map_or(&[][..], |r| &r.facts), ascii);
    let shown: Vec<String> = total
        .named()
        .into_iter()
        .filter(|(_, m)| *m != Money::ZERO)
        .map(|(part, m)| format!("{part} {}", m.display_signed_in(unit)))
        .collect();
    let foot = if f.level.kind == LevelKind::Currencies {
        format!(
            "{delta_title} in {} currencies, never added together",
            f.level.rows.len()
        )
    } else {
        format!(
            "{delta_title} {} = {}",
            total.sum().display_signed_in(unit),
            if shown.is_empty() {
                "no change".to_string()
            } else {
                shown.join(" ")
            }
        )
    };
    lines.push(Line::styled(fit(&foot, width, ascii), theme.dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_that_moved_most_are_kept_and_shown_in_column_order() {
        assert_eq!(parts_shown(200, &[]).len(), 7);
        assert_eq!(
            parts_shown(76, &[]),
            vec![Part::Usage, Part::Rate, Part::New, Part::Gone]
        );
        let idle = [(Part::Use, 9), (Part::Capacity, 3), (Part::Usage, 5)];
        assert_eq!(
            parts_shown(76, &idle),
            vec![Part::Usage, Part::Rate, Part::Capacity, Part::Use]
        );
        assert_eq!(parts_shown(40, &idle), vec![Part::Use]);
    }
}
