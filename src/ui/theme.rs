//! Styles and glyphs. With colour off (`NO_COLOR`, `--no-color`) nothing carries a colour:
//! selection is reverse video and states are words and markers. With `--ascii` no box drawing,
//! block or arrow glyphs are used.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::widgets::{Block, Borders};

use crate::app::DrawMode;

/// Styles and glyphs for one display mode.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub display: DrawMode,
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    pub fn new(display: DrawMode) -> Theme {
        Theme { display }
    }

    fn fg(self, color: Color) -> Style {
        if self.display.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.display.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn header_key(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn selected(self) -> Style {
        if self.display.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn column_header(self) -> Style {
        self.fg(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Cost went up (bad news is red), down (green).
    pub fn up(self) -> Style {
        self.fg(Color::Red)
    }

    pub fn down(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// A bordered pane with a title.
    pub fn block(self, title: &str) -> Block<'static> {
        let block = Block::new()
            .borders(Borders::ALL)
            .title(format!(" {title} "))
            .title_style(self.title());
        if self.display.ascii {
            block.border_set(ASCII_BORDER)
        } else {
            block.border_set(border::PLAIN)
        }
    }

    /// Between breadcrumb parts.
    pub fn crumb_sep(self) -> &'static str {
        if self.display.ascii { " > " } else { " › " }
    }

    pub fn dot(self) -> &'static str {
        if self.display.ascii { " | " } else { " · " }
    }

    pub fn arrow_up(self) -> &'static str {
        if self.display.ascii { "+" } else { "▲" }
    }

    pub fn arrow_down(self) -> &'static str {
        if self.display.ascii { "-" } else { "▼" }
    }

    /// The mark of a `doctor` check's status (`None`: still to run; `Some(None)`: running).
    pub fn check_mark(
        self,
        status: Option<Option<&crate::diag::doctor::Status>>,
    ) -> (&'static str, Style) {
        use crate::diag::doctor::Status;
        let a = self.display.ascii;
        match status {
            Some(Some(Status::Pass)) => (if a { "ok" } else { "✓ " }, self.ok()),
            Some(Some(Status::Warn)) => (if a { "!!" } else { "! " }, self.warn()),
            Some(Some(Status::Fail)) => (if a { "XX" } else { "✗ " }, self.error()),
            Some(Some(Status::Skipped(_))) => (if a { "--" } else { "· " }, self.dim()),
            Some(None) => (if a { ".." } else { "… " }, self.warn()),
            None => ("  ", self.dim()),
        }
    }

    /// The provisional-day marker.
    pub fn provisional(self) -> &'static str {
        "~"
    }

    /// A sparkline of `values` (relative to their own max), one glyph each.
    pub fn sparkline(self, values: &[f64]) -> String {
        const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        const ASCII: [char; 9] = [' ', '.', '.', ':', '-', '=', '+', '*', '#'];
        let glyphs = if self.display.ascii { &ASCII } else { &BLOCKS };
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        values
            .iter()
            .map(|&v| {
                if max <= 0.0 || v <= 0.0 {
                    glyphs[0]
                } else {
                    let level = (v / max * 8.0).ceil().clamp(1.0, 8.0) as usize;
                    glyphs[level]
                }
            })
            .collect()
    }

    /// A text progress bar of `width` cells.
    pub fn bar(self, done: u64, total: u64, width: usize) -> String {
        let filled = if total == 0 {
            0
        } else {
            ((done.min(total) as f64 / total as f64) * width as f64).round() as usize
        };
        let (on, off) = if self.display.ascii {
            ('#', '.')
        } else {
            ('█', '░')
        };
        std::iter::repeat_n(on, filled)
            .chain(std::iter::repeat_n(off, width - filled.min(width)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_their_max_and_have_ascii_forms() {
        let t = Theme::new(DrawMode {
            color: true,
            ascii: false,
        });
        assert_eq!(t.sparkline(&[0.0, 1.0, 4.0, 8.0]), " ▁▄█");
        let a = Theme::new(DrawMode {
            color: false,
            ascii: true,
        });
        assert_eq!(a.sparkline(&[0.0, 1.0, 4.0, 8.0]), " .-#");
        assert!(a.sparkline(&[1.0, 2.0]).is_ascii());
        assert_eq!(a.bar(1, 4, 8), "##......");
        assert_eq!(t.bar(0, 0, 3), "░░░");
    }

    #[test]
    fn no_colour_means_no_colour() {
        let t = Theme::new(DrawMode {
            color: false,
            ascii: false,
        });
        for s in [
            t.title(),
            t.up(),
            t.down(),
            t.warn(),
            t.error(),
            t.selected(),
            t.dim(),
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }
}
