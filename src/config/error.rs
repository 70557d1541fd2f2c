//! Config errors as users read them: `file:line:col: key `a.b`: message`. Owns the conversion of
//! byte spans to 1-based lines and columns, and of `toml`'s parse and deserialization errors
//! (whose key path is private) into a [`ConfigError`] naming the offending key.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A user-facing config error: always names the file; line, column and key when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file name as given to [`super::Config::parse`], or the path that was read.
    pub file: String,
    /// 1-based line of the offending key or value.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the offending key or value.
    pub column: Option<usize>,
    /// The dotted key path, e.g. `profiles.prod.path`.
    pub key: Option<String>,
    /// What is wrong, and what is allowed instead when that helps.
    pub message: String,
}

impl ConfigError {
    /// An error about the file as a whole (I/O, a missing required table).
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
        }
    }

    /// An error at `span` of `text` (the file's contents), about `key` when given.
    pub(crate) fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = match span {
            Some(span) => {
                let (line, column) = line_col(text, span.start);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        Self {
            file: file.to_string(),
            line,
            column,
            key,
            message: message.into(),
        }
    }

    /// Converts a TOML syntax error of the document `text`. Only a duplicate key is named:
    /// `tree` (the best-effort parse) holds the table it was found in.
    pub(crate) fn from_syntax(
        file: &str,
        text: &str,
        tree: &Spanned<DeTable<'_>>,
        err: &toml::de::Error,
    ) -> Self {
        let span = err.span();
        let message = err.message().trim();
        if message != "duplicate key" {
            return Self::at(file, text, span, None, message);
        }
        let entries = entries(tree);
        let found = span
            .as_ref()
            .and_then(|s| entries.iter().find(|e| e.key_span == *s));
        let key = match (found, &span) {
            (Some(entry), _) => Some(entry.path.clone()),
            // The second definition is not in the tree: the table it is in still is.
            (None, Some(s)) => {
                let mut path = enclosing_header(&entries, s.start);
                path.push(text.get(s.clone()).unwrap_or_default().trim().to_string());
                Some(path)
            }
            (None, None) => None,
        };
        let message = if found.is_some_and(|e| e.header) {
            "duplicate table; it is already defined above"
        } else {
            "duplicate key; it is already defined above"
        };
        Self::at(file, text, span, key.map(|k| dotted(&k)), message)
    }

    /// Converts a deserialization error (unknown key, missing key, wrong type or value) of the
    /// document `text`, whose parsed tree `tree` gives the dotted path of the offending key.
    pub(crate) fn from_serde(
        file: &str,
        text: &str,
        tree: &Spanned<DeTable<'_>>,
        err: &toml::de::Error,
    ) -> Self {
        let span = err.span();
        let raw = err.message().trim();
        let entries = entries(tree);
        let (key, message) = if let Some(rest) = raw.strip_prefix("unknown field `") {
            let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let key = span
                .as_ref()
                .and_then(|s| entries.iter().find(|e| e.key_span == *s))
                .map_or_else(|| vec![field.to_string()], |e| e.path.clone());
            let expected = expected.trim_start_matches(',').trim();
            let message = if expected == "there are no fields" {
                "unknown key; this table takes no keys".to_string()
            } else {
                format!("unknown key; {}", without_refused_keys(expected))
            };
            (Some(key), message)
        } else if let Some(rest) = raw.strip_prefix("missing field `") {
            let field = rest.split_once('`').map_or(rest, |(f, _)| f);
            let mut key = span
                .as_ref()
                .and_then(|s| entries.iter().find(|e| e.value_span == *s))
                .map(|e| e.path.clone())
                .unwrap_or_default();
            key.push(field.to_string());
            (Some(key), "missing required key".to_string())
        } else {
            // Type and value errors point at the value.
            let key = span
                .as_ref()
                .and_then(|s| innermost_value(&entries, s))
                .map(|e| e.path.clone());
            (key, in_toml_terms(raw))
        };
        Self::at(file, text, span, key.map(|k| dotted(&k)), message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A serde type error in the words of TOML: serde names Rust types (`u32`, `sequence`,
/// `struct RawProfile`).
fn in_toml_terms(message: &str) -> String {
    let message = match message.find(", expected struct ") {
        Some(i) => format!("{}, expected a table", &message[..i]),
        None => message.to_string(),
    };
    message
        .replace("expected a sequence", "expected an array")
        .replace("expected u32", "expected a non-negative integer")
        .replace("expected u64", "expected a non-negative integer")
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
/// An offset past the end, or inside a character, is moved back to the previous character.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A dotted key path as TOML writes it: bare segments as is, others quoted.
pub(crate) fn dotted<S: AsRef<str>>(path: &[S]) -> String {
    let segments: Vec<String> = path
        .iter()
        .map(|s| {
            let s = s.as_ref();
            let bare = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if bare {
                s.to_string()
            } else {
                format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
            }
        })
        .collect();
    segments.join(".")
}

/// One key of the document with its full path and the spans of the key and its value.
struct Entry {
    path: Vec<String>,
    key_span: Range<usize>,
    value_span: Range<usize>,
    /// A `[table]` header: its value span is the header, not the table's contents.
    header: bool,
}

/// Every key of the document, tables before their contents.
fn entries(tree: &Spanned<DeTable<'_>>) -> Vec<Entry> {
    fn walk(table: &DeTable<'_>, text_path: &[String], out: &mut Vec<Entry>) {
        for (key, value) in table {
            let mut path = text_path.to_vec();
            path.push(key.get_ref().to_string());
            push(&path, key.span(), value, out);
        }
    }
    fn push(
        path: &[String],
        key_span: Range<usize>,
        value: &Spanned<DeValue<'_>>,
        out: &mut Vec<Entry>,
    ) {
        let header =
            matches!(value.get_ref(), DeValue::Table(_)) && value.span().start < key_span.start;
        out.push(Entry {
            path: path.to_vec(),
            key_span: key_span.clone(),
            value_span: value.span(),
            header,
        });
        match value.get_ref() {
            DeValue::Table(table) => walk(table, path, out),
            // Array elements are reported as the array's key.
            DeValue::Array(items) => {
                for item in items {
                    if let DeValue::Table(table) = item.get_ref() {
                        walk(table, path, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(tree.get_ref(), &[], &mut out);
    out
}

/// The deepest key whose value is, or contains, `span` (header spans do not contain contents).
fn innermost_value<'e>(entries: &'e [Entry], span: &Range<usize>) -> Option<&'e Entry> {
    entries
        .iter()
        .filter(|e| {
            e.value_span == *span
                || (!e.header && e.value_span.start <= span.start && span.end <= e.value_span.end)
        })
        .max_by_key(|e| e.path.len())
}

/// The path of the last `[table]` header that starts before `offset` (empty: the root table).
fn enclosing_header(entries: &[Entry], offset: usize) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.header && e.value_span.start < offset)
        .max_by_key(|e| e.value_span.start)
        .map(|e| e.path.clone())
        .unwrap_or_default()
}

/// Keys that are accepted by the parser only to be refused with a pointed message (credentials
/// written into the file) are not advertised in an "expected one of" list.
fn without_refused_keys(expected: &str) -> String {
    const REFUSED: [&str; 4] = [
        "`aws-secret-access-key`",
        "`secret-access-key`",
        "`aws-access-key-id`",
        "`aws-session-token`",
    ];
    let Some(list) = expected.strip_prefix("expected one of ") else {
        return expected.to_string();
    };
    let kept: Vec<&str> = list.split(", ").filter(|k| !REFUSED.contains(k)).collect();
    format!("expected one of {}", kept.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbb = 2\n\nccc";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (1, 5));
        assert_eq!(line_col(text, 5), (1, 6), "the newline itself ends line 1");
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 13), (3, 1));
        assert_eq!(line_col(text, 16), (4, 3));
    }

    #[test]
    fn columns_count_characters_and_offsets_are_clamped() {
        let text = "k = \"é\" # x\nz";
        // `#` is at byte 9 but character 8 (é is two bytes).
        assert_eq!(line_col(text, 9), (1, 9));
        // Inside é: moved back to its start.
        assert_eq!(line_col(text, 6), (1, 6));
        assert_eq!(line_col(text, 999), (2, 2));
        assert_eq!(line_col("", 3), (1, 1));
    }

    #[test]
    fn dotted_paths_quote_segments_that_are_not_bare() {
        assert_eq!(dotted(&["profiles", "prod", "path"]), "profiles.prod.path");
        assert_eq!(dotted(&["profiles", "my prod"]), "profiles.\"my prod\"");
        assert_eq!(
            dotted(&["label", "app.kubernetes.io/name"]),
            "label.\"app.kubernetes.io/name\""
        );
        assert_eq!(dotted(&["a\"b", ""]), "\"a\\\"b\".\"\"");
    }

    #[test]
    fn display_omits_what_is_unknown() {
        let mut e = ConfigError::in_file("c.toml", "cannot read");
        assert_eq!(e.to_string(), "c.toml: cannot read");
        e.line = Some(3);
        assert_eq!(e.to_string(), "c.toml:3: cannot read");
        e.column = Some(7);
        e.key = Some("profiles.prod".into());
        assert_eq!(
            e.to_string(),
            "c.toml:3:7: key `profiles.prod`: cannot read"
        );
    }

    fn toml_error(text: &str) -> ConfigError {
        let (tree, errors) = DeTable::parse_recoverable(text);
        let err = errors.first().expect("a syntax error");
        ConfigError::from_syntax("t.toml", text, &tree, err)
    }

    #[test]
    fn duplicate_tables_and_keys_name_their_path() {
        let e = toml_error("[profiles.a]\nsource = \"demo\"\n[profiles.a]\n");
        assert_eq!(
            e.to_string(),
            "t.toml:3:11: key `profiles.a`: duplicate table; it is already defined above"
        );
        let e = toml_error("[profiles.a]\nsource = \"demo\"\nsource = \"local\"\n");
        assert_eq!(
            e.to_string(),
            "t.toml:3:1: key `profiles.a.source`: duplicate key; it is already defined above"
        );
    }

    #[test]
    fn syntax_errors_carry_no_key() {
        let e = toml_error("a = [1, 2\nb = 3\n");
        assert_eq!(
            e.to_string(),
            "t.toml:2:1: missing comma between array elements, expected `,`"
        );
    }
}
