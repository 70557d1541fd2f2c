//! The dashboard's keymap: a table of actions, each with its keys and a description. The
//! embedded defaults can be overridden per action under `[keys]` in the config file
//! (`drill-in = ["enter", "l"]`); a key bound to two actions is an error. The help pane and the
//! footer are generated from the same table, so what is shown is what works.
//!
//! Keys are this module's own small type, so the app logic never sees the terminal library.

use std::fmt;
use std::str::FromStr;

/// A key press, terminal-independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

/// The key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Delete,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }
}

impl FromStr for Key {
    type Err = String;

    /// `j`, `G`, `?`, `space`, `enter`, `esc`, `backspace`, `tab`, `up`, `down`, `left`, `right`,
    /// `home`, `end`, `pgup`/`page-up`, `pgdn`/`page-down`, `delete`, `ctrl-X`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(rest) = s.strip_prefix("ctrl-").or_else(|| s.strip_prefix("ctrl+")) {
            let mut chars = rest.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Ok(Key::ctrl(c.to_ascii_lowercase())),
                _ => Err(format!(
                    "`{s}`: ctrl- takes one letter (ctrl-c, ctrl-d, ...)"
                )),
            };
        }
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c.is_control() || c == ' ' {
                return Err(format!(
                    "`{s}` is not a key name; write `space` for the space bar"
                ));
            }
            return Ok(Key::char(c));
        }
        let code = match s.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "backspace" => KeyCode::Backspace,
            "tab" => KeyCode::Tab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "page-up" | "pageup" => KeyCode::PageUp,
            "pgdn" | "page-down" | "pagedown" => KeyCode::PageDown,
            "delete" | "del" => KeyCode::Delete,
            _ => {
                return Err(format!(
                    "unknown key `{s}`; use a single character, space, enter, esc, backspace, \
                     tab, up, down, left, right, home, end, pgup, pgdn, delete or ctrl-LETTER"
                ));
            }
        };
        Ok(Key::plain(code))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "Space"),
            KeyCode::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "Enter"),
            KeyCode::Esc => write!(f, "Esc"),
            KeyCode::Backspace => write!(f, "Bksp"),
            KeyCode::Tab => write!(f, "Tab"),
            KeyCode::Up => write!(f, "Up"),
            KeyCode::Down => write!(f, "Down"),
            KeyCode::Left => write!(f, "Left"),
            KeyCode::Right => write!(f, "Right"),
            KeyCode::Home => write!(f, "Home"),
            KeyCode::End => write!(f, "End"),
            KeyCode::PageUp => write!(f, "PgUp"),
            KeyCode::PageDown => write!(f, "PgDn"),
            KeyCode::Delete => write!(f, "Del"),
        }
    }
}

/// What a key does in the dashboard's main view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    DrillIn,
    DrillOut,
    Filter,
    SortCost,
    SortName,
    SortDelta,
    CycleMetric,
    Sharing,
    EnvView,
    Window,
    Profile,
    Refresh,
    Integrations,
    Detail,
    Change,
    Help,
    Command,
    Copy,
    Doctor,
    Quit,
}

/// Every action: config name, default keys, description (help), short footer label.
const TABLE: [(Action, &str, &[&str], &str, &str); 26] = [
    (Action::Down, "down", &["j", "down"], "move down", "down"),
    (Action::Up, "up", &["k", "up"], "move up", "up"),
    (Action::Top, "top", &["g", "home"], "first row", "top"),
    (
        Action::Bottom,
        "bottom",
        &["G", "end"],
        "last row",
        "bottom",
    ),
    (
        Action::PageDown,
        "page-down",
        &["pgdn", "ctrl-d"],
        "one page down",
        "page",
    ),
    (
        Action::PageUp,
        "page-up",
        &["pgup", "ctrl-u"],
        "one page up",
        "page",
    ),
    (
        Action::DrillIn,
        "drill-in",
        &["enter", "l", "right"],
        "open the selected row",
        "open",
    ),
    (
        Action::DrillOut,
        "drill-out",
        &["esc", "h", "backspace", "left"],
        "up a level, clear filter",
        "back",
    ),
    (
        Action::Filter,
        "filter",
        &["/"],
        "filter (!text inverts)",
        "filter",
    ),
    (
        Action::SortCost,
        "sort-cost",
        &["C"],
        "sort: cost (again flips)",
        "sort",
    ),
    (
        Action::SortName,
        "sort-name",
        &["N"],
        "sort: name (again flips)",
        "sort",
    ),
    (
        Action::SortDelta,
        "sort-delta",
        &["D"],
        "sort: change vs previous",
        "sort",
    ),
    (
        Action::CycleMetric,
        "cycle-metric",
        &["m"],
        "next cost metric",
        "metric",
    ),
    (
        Action::Sharing,
        "sharing",
        &["s"],
        "sharing rules on/off (the bill before them)",
        "sharing",
    ),
    (
        Action::EnvView,
        "env-view",
        &["e"],
        "view by environment / by cluster",
        "env",
    ),
    (
        Action::Window,
        "window",
        &["w"],
        "pick the time window",
        "window",
    ),
    (
        Action::Profile,
        "profile",
        &["p"],
        "switch profile",
        "profile",
    ),
    (
        Action::Refresh,
        "refresh",
        &["r"],
        "fetch the data again",
        "refresh",
    ),
    (
        Action::Integrations,
        "integrations",
        &["i"],
        "every profile's state",
        "integrations",
    ),
    (
        Action::Detail,
        "detail",
        &["tab"],
        "toggle the detail pane",
        "detail",
    ),
    (
        Action::Change,
        "change",
        &["c"],
        "change view: the parts of each change",
        "change",
    ),
    (Action::Help, "help", &["?"], "this help", "help"),
    (
        Action::Command,
        "command",
        &[":"],
        "command line (see below)",
        "cmd",
    ),
    (
        Action::Copy,
        "copy",
        &["y"],
        "copy row or diagnosis (OSC 52)",
        "copy",
    ),
    (
        Action::Doctor,
        "doctor",
        &["d"],
        "check the integration",
        "doctor",
    ),
    (Action::Quit, "quit", &["q", "ctrl-c"], "quit", "quit"),
];

impl Action {
    /// Every action, in help order.
    pub fn all() -> impl Iterator<Item = Action> {
        TABLE.iter().map(|t| t.0)
    }

    fn entry(
        self,
    ) -> &'static (
        Action,
        &'static str,
        &'static [&'static str],
        &'static str,
        &'static str,
    ) {
        TABLE
            .iter()
            .find(|t| t.0 == self)
            .expect("every Action has a TABLE entry (tested)")
    }

    /// The name used under `[keys]`.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// What it does, for the help pane.
    pub fn description(self) -> &'static str {
        self.entry().3
    }

    /// A one-word label for the footer.
    pub fn label(self) -> &'static str {
        self.entry().4
    }

    pub fn from_name(name: &str) -> Option<Action> {
        TABLE.iter().find(|t| t.1 == name).map(|t| t.0)
    }

    /// Names of all actions, for error messages.
    pub fn names() -> String {
        TABLE.iter().map(|t| t.1).collect::<Vec<_>>().join(", ")
    }
}

/// Action → keys, validated: no key is bound twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<Key>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = TABLE
            .iter()
            .map(|(action, _, keys, _, _)| {
                let keys = keys
                    .iter()
                    .map(|k| k.parse().expect("default keys parse (tested)"))
                    .collect();
                (*action, keys)
            })
            .collect();
        Keymap { bindings }
    }
}

/// Why an override cannot be applied; the caller adds file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    /// The action name whose entry is wrong.
    pub action: String,
    pub message: String,
}

impl Keymap {
    /// Applies overrides in file order: each replaces the action's default keys. Fails on an
    /// unknown action, an unparsable key, an empty list or a key bound to two actions.
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
    ) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        let mut overridden: Vec<Action> = Vec::new();
        for (name, keys) in overrides {
            let err = |message: String| KeymapError {
                action: name.to_string(),
                message,
            };
            let action = Action::from_name(name).ok_or_else(|| {
                err(format!(
                    "unknown action `{name}`; the actions are {}",
                    Action::names()
                ))
            })?;
            if keys.is_empty() {
                return Err(err("needs at least one key".into()));
            }
            let keys: Vec<Key> = keys
                .iter()
                .map(|k| k.parse::<Key>())
                .collect::<Result<_, _>>()
                .map_err(err)?;
            overridden.push(action);
            if let Some(slot) = map.bindings.iter_mut().find(|(a, _)| *a == action) {
                slot.1 = keys;
            }
        }
        // A duplicate is reported on an action the user wrote, naming the other one.
        for (i, (action, keys)) in map.bindings.iter().enumerate() {
            for key in keys {
                if keys.iter().filter(|k| *k == key).count() > 1 {
                    return Err(KeymapError {
                        action: action.name().into(),
                        message: format!("`{key}` is listed twice"),
                    });
                }
                if let Some((other, _)) = map.bindings[i + 1..]
                    .iter()
                    .find(|(_, other_keys)| other_keys.contains(key))
                {
                    let (mine, theirs) = if overridden.contains(other) {
                        (*other, *action)
                    } else {
                        (*action, *other)
                    };
                    return Err(KeymapError {
                        action: mine.name().into(),
                        message: format!(
                            "`{key}` is already bound to `{}`; bind it to one action only \
                             (override `{}` too to free it)",
                            theirs.name(),
                            theirs.name()
                        ),
                    });
                }
            }
        }
        Ok(map)
    }

    /// The action bound to a key. Ctrl-C always quits, whatever the config says, so a user
    /// can never lock themselves in.
    pub fn action(&self, key: Key) -> Option<Action> {
        if key == Key::ctrl('c') {
            return Some(Action::Quit);
        }
        self.bindings
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(a, _)| *a)
    }

    /// The keys of an action.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, k)| k.as_slice())
    }

    /// The keys of an action as shown to the user: `j/Down`.
    pub fn shown(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first key of an action, for compact hints.
    pub fn first(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| "(unbound)".into(), ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_bind_each_key_once() {
        let map = Keymap::default();
        assert_eq!(map.action(Key::char('j')), Some(Action::Down));
        assert_eq!(
            map.action(Key::plain(KeyCode::Enter)),
            Some(Action::DrillIn)
        );
        assert_eq!(map.action(Key::char('G')), Some(Action::Bottom));
        assert_eq!(map.action(Key::ctrl('c')), Some(Action::Quit));
        assert_eq!(map.action(Key::char('x')), None);
        assert!(Keymap::with_overrides([]).is_ok());
        for action in Action::all() {
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert!(
                !map.keys(action).is_empty(),
                "{action:?} has no default key"
            );
        }
    }

    #[test]
    fn overrides_replace_the_defaults_of_their_action() {
        let map = Keymap::with_overrides([("down", vec!["n", "down"])]).unwrap();
        assert_eq!(map.action(Key::char('n')), Some(Action::Down));
        assert_eq!(map.action(Key::char('j')), None);
        assert_eq!(map.shown(Action::Down), "n/Down");
    }

    #[test]
    fn a_key_bound_twice_is_rejected_naming_both_actions() {
        let e = Keymap::with_overrides([("quit", vec!["j"])]).unwrap_err();
        assert_eq!(e.action, "quit");
        assert!(
            e.message.contains("`j` is already bound to `down`"),
            "{}",
            e.message
        );
        // Freeing the key by overriding the other action too makes it valid.
        let map = Keymap::with_overrides([("quit", vec!["j"]), ("down", vec!["n"])]).unwrap();
        assert_eq!(map.action(Key::char('j')), Some(Action::Quit));
        let e = Keymap::with_overrides([("help", vec!["x", "x"])]).unwrap_err();
        assert!(e.message.contains("listed twice"), "{}", e.message);
    }

    #[test]
    fn bad_names_and_keys_say_what_is_allowed() {
        let e = Keymap::with_overrides([("jump", vec!["x"])]).unwrap_err();
        assert!(e.message.contains("unknown action `jump`"), "{}", e.message);
        assert!(e.message.contains("drill-in"), "{}", e.message);
        let e = Keymap::with_overrides([("down", vec!["ctrl-"])]).unwrap_err();
        assert!(
            e.message.contains("ctrl- takes one letter"),
            "{}",
            e.message
        );
        let e = Keymap::with_overrides([("down", vec!["shift-tab"])]).unwrap_err();
        assert!(
            e.message.contains("unknown key `shift-tab`"),
            "{}",
            e.message
        );
        let e = Keymap::with_overrides([("down", vec![])]).unwrap_err();
        assert!(e.message.contains("at least one key"), "{}", e.message);
    }

    #[test]
    fn ctrl_c_always_quits() {
        let map = Keymap::with_overrides([("quit", vec!["Q"])]).unwrap();
        assert_eq!(map.action(Key::ctrl('c')), Some(Action::Quit));
        assert_eq!("ctrl-D".parse::<Key>().unwrap(), Key::ctrl('d'));
        assert_eq!(Key::ctrl('d').to_string(), "Ctrl-D");
        assert_eq!("space".parse::<Key>().unwrap(), Key::char(' '));
    }
}
