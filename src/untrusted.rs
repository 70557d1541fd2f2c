//! Text from outside (tag values, manifest keys, paths, AWS's messages, URLs) made safe to show:
//! the one place that decides how a control character, a long value or a password in a URL
//! looks on a terminal. A tag value `evil\e]0;PWNED\a` must not retitle the user's terminal, a
//! 50 MB manifest key must not come back as 50 MB of stderr, and `http://user:PW@host` must not
//! show `PW`.
//!
//! Escapes are visible and unambiguous enough to read: ESC is `\e`, other C0 controls and DEL
//! are `\xNN` (`\n`, `\r` and `\t` by name), C1 controls and the bidirectional overrides (which
//! reorder what a reader sees) are `\u{NN}`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// How many characters of one value an error message shows before cutting it.
pub const SHOWN_CHARS: usize = 200;

/// Whether a character must not reach a terminal as it is.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of a hostile character.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every control character (newlines too) escaped: one value on one line.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_except(s, |_| false)
}

/// A whole message or report for a terminal: control characters escaped except the newlines
/// and tabs that lay it out.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_except(s, |c| c == '\n' || c == '\t')
}

fn escape_except(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hostile(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile(c) && !keep(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value echoed in a message: escaped, and past [`SHOWN_CHARS`] characters cut with an
/// ellipsis and the value's full length, so the reader knows it was cut and by how much.
pub fn shown(s: &str) -> Cow<'_, str> {
    cut(s, SHOWN_CHARS, escape)
}

/// How many characters of one line a message shows (a value [`shown`] is far shorter; this
/// bounds what no call site cut).
pub const MESSAGE_LINE_CHARS: usize = 2000;

/// A message (an error, a diagnosis, a warning) for stderr or a pane: control characters
/// escaped except its newlines and tabs, each line cut past [`MESSAGE_LINE_CHARS`].
pub fn message(s: &str) -> Cow<'_, str> {
    if s.lines().all(|l| l.len() <= MESSAGE_LINE_CHARS) {
        return for_terminal(s);
    }
    let lines: Vec<Cow<'_, str>> = s
        .split('\n')
        .map(|l| cut(l, MESSAGE_LINE_CHARS, for_terminal))
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// `s` made safe by `safe`, cut past `max` characters with an ellipsis and its length.
fn cut(s: &str, max: usize, safe: fn(&str) -> Cow<'_, str>) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => safe(s),
        Some((at, _)) => Cow::Owned(format!("{}… ({} bytes in all)", safe(&s[..at]), s.len())),
    }
}

/// JSON for a terminal: serde escapes C0 controls already; DEL, C1 controls and the
/// bidirectional overrides it writes as they are, so they become `\uXXXX` escapes (the parsed
/// value is unchanged, the text stays JSON).
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_hostile_in_json) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if is_hostile_in_json(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A hostile character other than the layout JSON itself uses (serde never writes a raw C0
/// control inside a string).
fn is_hostile_in_json(c: char) -> bool {
    is_hostile(c) && !matches!(c, '\n' | '\t' | '\r')
}

/// A URL with the password of its user info replaced by `***` (`http://user:***@host`); a
/// URL without one is returned as it is.
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return Cow::Borrowed(url);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else {
        return Cow::Borrowed(url);
    };
    let Some(colon) = authority[..at].find(':') else {
        return Cow::Borrowed(url);
    };
    Cow::Owned(format!(
        "{}{}:***{}",
        &url[..scheme_end],
        &authority[..colon],
        &url[scheme_end + at..]
    ))
}

/// Every URL with a password in `text` redacted (for messages that embed an endpoint, such as
/// the SDK's error chains).
pub fn redact_urls(text: &str) -> Cow<'_, str> {
    if !text.contains('@') || !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        // The URL starts at its scheme: the letters just before `://`.
        let start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |j| j + 1);
        let end = rest[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '>' | ')'))
            .map_or(rest.len(), |j| i + j);
        out.push_str(&rest[..start]);
        out.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_visibly() {
        assert_eq!(
            escape("evil\u{1b}]0;PWNED\u{7}\u{1b}[2J"),
            "evil\\e]0;PWNED\\x07\\e[2J"
        );
        assert_eq!(escape("a\u{9b}31m\u{7f}b"), "a\\u{9b}31m\\x7fb");
        assert_eq!(escape("two\nlines\r\t"), "two\\nlines\\r\\t");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert!(matches!(escape("plain ünïcode €"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_message_keeps_its_layout() {
        assert_eq!(for_terminal("a\n\tb\u{1b}c"), "a\n\tb\\ec");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let key = "k".repeat(50 * 1024 * 1024);
        let s = shown(&key);
        assert!(s.len() < SHOWN_CHARS + 40, "{}", s.len());
        assert!(s.ends_with("… (52428800 bytes in all)"), "{s}");
        assert_eq!(shown("short"), "short");
        let long = format!("error: {key}\nnext");
        let m = message(&long);
        assert!(
            m.len() < MESSAGE_LINE_CHARS + 40 && m.ends_with("in all)\nnext"),
            "{m}"
        );
        // Cutting counts characters, never splits one.
        let wide = "é".repeat(SHOWN_CHARS + 1);
        assert!(shown(&wide).starts_with(&"é".repeat(SHOWN_CHARS)));
    }

    #[test]
    fn json_stays_json_with_its_controls_escaped() {
        let v = serde_json::json!({"ns": "a\u{1b}]0;x\u{7}b\u{9b}c\u{7f}"});
        let raw = serde_json::to_string_pretty(&v).unwrap();
        let safe = json_for_terminal(&raw);
        assert!(!safe.chars().any(|c| is_hostile(c) && c != '\n'), "{safe}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("http://user:PW@host:9000/path"),
            "http://user:***@host:9000/path"
        );
        assert_eq!(redact_url("https://user@host"), "https://user@host");
        assert_eq!(redact_url("http://host/a@b"), "http://host/a@b");
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(
            redact_urls("dispatch failure: http://u:s3cr3t@h:1/x: refused (see https://a:b@c)"),
            "dispatch failure: http://u:***@h:1/x: refused (see https://a:***@c)"
        );
        assert!(!redact_urls("x http://u:PW@h y").contains("PW"));
    }
}
