//! The screen's layout in plain numbers: the bands, the breakpoints where the detail pane goes
//! beside or below the table, and the rows the table shows. [`super::draw`] cuts the screen
//! with these, and the app reads them for its page size ([`table_rows`]) and for whether the
//! detail pane is shown ([`detail_fits`]), so both agree on one layout.
//!
//! A leaf: no ratatui and nothing from `app`, so `app` can read it without knowing the terminal.
//!
//! ```text
//!  ┌──────────────────────────────────────────────┐
//!  │ header                        HEADER_ROWS    │
//!  │ breadcrumb                    BREADCRUMB_ROWS│
//!  ├──────────────────────────────────────────────┤
//!  │ body (≥ BODY_MIN_ROWS)                       │
//!  │  width ≥ DETAIL_BESIDE_MIN_WIDTH:            │
//!  │  ┌ table (≥ TABLE_MIN_WIDTH) ┐┌ detail ─────┐ │
//!  │  │ column header             ││ detail_width│ │
//!  │  │ rows                      ││             │ │
//!  │  │ total line                ││             │ │
//!  │  └───────────────────────────┘└─────────────┘ │
//!  │  narrower: the detail below the table,       │
//!  │  detail_height rows high                     │
//!  ├──────────────────────────────────────────────┤
//!  │ footer                        FOOTER_ROWS    │
//!  └──────────────────────────────────────────────┘
//! ```
//!
//! Below [`MIN_WIDTH`]×[`MIN_HEIGHT`] a notice replaces everything.

/// The smallest usable screen's width (below it a notice replaces the dashboard).
pub const MIN_WIDTH: u16 = 60;
/// The smallest usable screen's height.
pub const MIN_HEIGHT: u16 = 15;

/// The header: profile, window, metric, totals.
pub const HEADER_ROWS: u16 = 2;
/// The breadcrumb of the drill-down path.
pub const BREADCRUMB_ROWS: u16 = 1;
/// The footer: hints, status, the filter or `:` line.
pub const FOOTER_ROWS: u16 = 1;
/// The body (table, detail, overlays) gets the rest, at least this.
pub const BODY_MIN_ROWS: u16 = 5;
/// Rows around the body: header, breadcrumb and footer.
pub const CHROME_ROWS: u16 = HEADER_ROWS + BREADCRUMB_ROWS + FOOTER_ROWS;

/// From this width the detail pane goes beside the table (and is shown by default).
pub const DETAIL_BESIDE_MIN_WIDTH: u16 = 110;
/// From this height the detail pane is shown by default (below the table when narrower).
pub const DETAIL_SHOWN_MIN_HEIGHT: u16 = 30;
/// The table keeps at least this width beside the detail pane.
pub const TABLE_MIN_WIDTH: u16 = 60;
/// The table keeps at least this height above the detail pane.
pub const TABLE_MIN_ROWS: u16 = 5;

/// A bordered pane's border rows (top and bottom).
pub const BORDER_ROWS: u16 = 2;
/// Inside the table's border, the rows that are not data rows: column header and total line.
pub const TABLE_TEXT_ROWS: u16 = 2;

/// Whether the detail pane is shown by default on a `width`×`height` screen: when it has room
/// beside or below the table.
pub fn detail_fits(width: u16, height: u16) -> bool {
    width >= DETAIL_BESIDE_MIN_WIDTH || height >= DETAIL_SHOWN_MIN_HEIGHT
}

/// Whether a body `width` columns wide puts the detail pane beside the table (else below).
pub fn detail_beside(width: u16) -> bool {
    width >= DETAIL_BESIDE_MIN_WIDTH
}

/// The detail pane's width beside the table, in a body `width` wide.
pub fn detail_width(width: u16) -> u16 {
    (width / 3).clamp(40, 60)
}

/// The detail pane's height below the table, in a body `height` high.
pub fn detail_height(height: u16) -> u16 {
    (height / 2).max(8)
}

/// Data rows the table shows on a `width`×`height` screen, the detail pane shown or not (at
/// least one: the page size of the movement keys).
pub fn table_rows(width: u16, height: u16, detail_shown: bool) -> usize {
    let body = height.saturating_sub(CHROME_ROWS);
    let table = if detail_shown && !detail_beside(width) {
        body.saturating_sub(detail_height(body))
    } else {
        body
    };
    usize::from(table)
        .saturating_sub(usize::from(BORDER_ROWS + TABLE_TEXT_ROWS))
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_what_the_bands_leave() {
        // 80x24: no detail by default; 24 - 4 chrome - 2 border - 2 text rows.
        assert!(!detail_fits(80, 24));
        assert_eq!(table_rows(80, 24, false), 16);
        // Detail below: the body of 20 rows gives the detail 10.
        assert_eq!(table_rows(80, 24, true), 6);
        // Beside: the table keeps the full height.
        assert!(detail_fits(120, 24));
        assert_eq!(table_rows(120, 24, true), 16);
        assert_eq!(table_rows(60, 5, true), 1);
    }
}
