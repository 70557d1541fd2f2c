//! Typed views of one Arrow column of a batch, whatever encoding the writer chose: text
//! (plain, large, view, dictionary), money (float, decimal, text), the usage start (timestamp,
//! date, text) and CUR 2.0's tag map (map or JSON). Absent or null cells read as empty.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int32Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, MapArray};
use arrow_schema::{DataType, TimeUnit};

use crate::cur::money::Money;
use crate::cur::time::{Day, parse_day};
use crate::source::read_csv::parse_tag_json;

/// A text column of any Arrow string encoding.
pub(super) enum Text<'a> {
    Absent,
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    Dict(
        &'a arrow_array::DictionaryArray<Int32Type>,
        &'a arrow_array::StringArray,
    ),
}

impl<'a> Text<'a> {
    pub(super) fn of(col: Option<&'a ArrayRef>) -> Result<Text<'a>, String> {
        let Some(a) = col else {
            return Ok(Text::Absent);
        };
        Ok(match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => {
                let d = a.as_dictionary::<Int32Type>();
                Text::Dict(d, d.values().as_string::<i32>())
            }
            DataType::Null => Text::Absent,
            other => return Err(format!("a text column has type {other}")),
        })
    }

    /// Whether every cell reads empty for being null (or the column is absent).
    pub(super) fn all_null(&self) -> bool {
        let a: &dyn Array = match self {
            Text::Absent => return true,
            Text::Utf8(a) => *a,
            Text::Large(a) => *a,
            Text::View(a) => *a,
            Text::Dict(d, _) => *d,
        };
        a.null_count() == a.len()
    }

    pub(super) fn get(&self, row: usize) -> &'a str {
        match self {
            Text::Absent => "",
            Text::Utf8(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::Large(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::View(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::Dict(d, v) => {
                if d.is_null(row) {
                    ""
                } else {
                    let k = d.keys().value(row);
                    usize::try_from(k)
                        .ok()
                        .filter(|k| *k < v.len())
                        .map_or("", |k| v.value(k))
                }
            }
        }
    }
}

/// A money column: floating point (Athena `double`), decimal, or text.
pub(super) enum Amount<'a> {
    F64(&'a arrow_array::Float64Array),
    F32(&'a arrow_array::Float32Array),
    Decimal(&'a arrow_array::Decimal128Array, i8),
    Text(Text<'a>),
}

impl<'a> Amount<'a> {
    pub(super) fn of(a: &'a ArrayRef) -> Result<Amount<'a>, String> {
        Ok(match a.data_type() {
            DataType::Float64 => Amount::F64(a.as_primitive::<Float64Type>()),
            DataType::Float32 => Amount::F32(a.as_primitive::<Float32Type>()),
            DataType::Decimal128(_, s) => {
                Amount::Decimal(a.as_primitive::<arrow_array::types::Decimal128Type>(), *s)
            }
            _ => Amount::Text(Text::of(Some(a))?),
        })
    }

    pub(super) fn get(&self, row: usize) -> Result<Option<Money>, String> {
        let float = |v: f64| {
            Money::from_f64(v)
                .map(Some)
                .map_err(|e| format!("{v}: {e}"))
        };
        match self {
            Amount::F64(a) => {
                if a.is_null(row) {
                    Ok(None)
                } else {
                    float(a.value(row))
                }
            }
            Amount::F32(a) => {
                if a.is_null(row) {
                    Ok(None)
                } else {
                    float(f64::from(a.value(row)))
                }
            }
            Amount::Decimal(a, scale) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                let text = format!("{}e{}", a.value(row), -i32::from(*scale));
                Money::parse(text.as_bytes())
                    .map(Some)
                    .map_err(|e| format!("{text}: {e}"))
            }
            Amount::Text(t) => {
                let s = t.get(row);
                if s.is_empty() {
                    Ok(None)
                } else {
                    Money::parse(s.as_bytes())
                        .map(Some)
                        .map_err(|e| format!("`{s}`: {e}"))
                }
            }
        }
    }
    /// Whether every cell of the column is null.
    fn all_null(&self) -> bool {
        let a: &dyn Array = match self {
            Amount::F64(a) => *a,
            Amount::F32(a) => *a,
            Amount::Decimal(a, _) => *a,
            Amount::Text(t) => return t.all_null(),
        };
        a.null_count() == a.len()
    }

    /// The first `rows` amounts of the column into `out` (cleared first), a column at a time;
    /// a row whose amount does not convert reads `None` and is marked in `bad` (which
    /// [`Amount::get`] then explains).
    pub(super) fn convert(&self, rows: usize, out: &mut Vec<Option<Money>>, bad: &mut [bool]) {
        out.clear();
        if self.all_null() {
            // Most money columns are empty for most line item types: nothing to convert.
            out.resize(rows, None);
            return;
        }
        if let Amount::F64(a) = self {
            // Doubles (Athena's and every writer's money type): one tight loop over the values,
            // then the null slots cleared (whatever their bits: a null holds no amount).
            let values = a.values();
            let values = &values[..rows.min(values.len())];
            out.extend(values.iter().map(|&v| Money::from_f64(v).ok()));
            clear_nulls(a.nulls(), out, None);
            let nulls = a.nulls().filter(|n| n.null_count() > 0);
            // Only a value can be bad: a none left after the nulls are cleared.
            if out.iter().any(Option::is_none) {
                for (r, (v, b)) in out.iter().zip(bad.iter_mut()).enumerate() {
                    if v.is_none() && !nulls.is_some_and(|n| n.is_null(r)) {
                        *b = true;
                    }
                }
            }
            out.resize(rows, None);
            return;
        }
        out.extend((0..rows).zip(bad.iter_mut()).map(|(r, bad)| {
            self.get(r).unwrap_or_else(|_| {
                *bad = true;
                None
            })
        }));
    }
}

/// Sets each slot of `out` that `nulls` marks null to `empty`, 64 slots a word: nulls are
/// rare in most columns, and a word with none costs one test.
pub(super) fn clear_nulls<T: Copy>(
    nulls: Option<&arrow_buffer::NullBuffer>,
    out: &mut [T],
    empty: T,
) {
    let Some(nulls) = nulls.filter(|n| n.null_count() > 0) else {
        return;
    };
    let mut clear = |mut missing: u64, base: usize| {
        while missing != 0 {
            if let Some(v) = out.get_mut(base + missing.trailing_zeros() as usize) {
                *v = empty;
            }
            missing &= missing - 1;
        }
    };
    let chunks = nulls.inner().bit_chunks();
    let mut base = 0;
    for word in &chunks {
        clear(!word, base);
        base += 64;
    }
    let tail = chunks.remainder_len();
    clear(!chunks.remainder_bits() & ((1u64 << tail) - 1), base);
}

/// The usage start date column: timestamp, date or text.
pub(super) enum Days<'a> {
    Ts(&'a dyn Array, i64),
    Date32(&'a arrow_array::Date32Array),
    Text(Text<'a>),
}

impl<'a> Days<'a> {
    pub(super) fn of(a: &'a ArrayRef) -> Result<Days<'a>, String> {
        let per_day = |u: &TimeUnit| match u {
            TimeUnit::Second => 86_400,
            TimeUnit::Millisecond => 86_400_000,
            TimeUnit::Microsecond => 86_400_000_000,
            TimeUnit::Nanosecond => 86_400_000_000_000,
        };
        Ok(match a.data_type() {
            DataType::Timestamp(u, _) => Days::Ts(a.as_ref(), per_day(u)),
            DataType::Date32 => Days::Date32(a.as_primitive()),
            _ => Days::Text(Text::of(Some(a))?),
        })
    }

    pub(super) fn get(&self, row: usize) -> Option<Day> {
        match self {
            Days::Ts(a, per_day) => {
                if a.is_null(row) {
                    return None;
                }
                let v = timestamp_value(*a, row);
                Day::try_from(v.div_euclid(*per_day)).ok()
            }
            Days::Date32(a) => {
                if a.is_null(row) {
                    None
                } else {
                    Some(a.value(row))
                }
            }
            Days::Text(t) => parse_day(t.get(row).as_bytes()),
        }
    }

    /// The first `rows` days of the column into `out` (cleared first), as [`Days::get`] reads
    /// them, a column at a time.
    pub(super) fn convert(&self, rows: usize, out: &mut Vec<Option<Day>>) {
        out.clear();
        let Days::Ts(a, per_day) = self else {
            out.extend((0..rows).map(|r| self.get(r)));
            return;
        };
        let day = |v: i64| Day::try_from(v.div_euclid(*per_day)).ok();
        out.extend(timestamp_values(*a).iter().take(rows).map(|&v| day(v)));
        clear_nulls(a.nulls(), out, None);
        out.resize(rows, None);
    }

    /// Whether the row's start is not midnight (an hourly report).
    pub(super) fn sub_daily(&self, row: usize) -> bool {
        match self {
            Days::Ts(a, per_day) => {
                if a.is_null(row) {
                    return false;
                }
                let v = timestamp_value(*a, row);
                v.rem_euclid(*per_day) != 0
            }
            Days::Date32(_) => false,
            Days::Text(t) => t
                .get(row)
                .as_bytes()
                .get(11..13)
                .is_some_and(|h| h != b"00"),
        }
    }
}

/// A timestamp cell (not null) in its column's unit.
fn timestamp_value(a: &dyn Array, row: usize) -> i64 {
    timestamp_values(a).get(row).copied().unwrap_or(0)
}

/// A timestamp column's values (null slots included) in its unit.
fn timestamp_values(a: &dyn Array) -> &[i64] {
    match a.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            a.as_primitive::<TimestampSecondType>().values()
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            a.as_primitive::<TimestampMillisecondType>().values()
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            a.as_primitive::<TimestampMicrosecondType>().values()
        }
        _ => a.as_primitive::<TimestampNanosecondType>().values(),
    }
}

/// CUR 2.0's `resource_tags` (FOCUS's `Tags`): a Map<Utf8, Utf8> column, or a JSON text column.
pub(super) enum TagMap<'a> {
    Absent,
    Map(&'a MapArray, Text<'a>, Text<'a>),
    Json(Text<'a>),
}

impl<'a> TagMap<'a> {
    pub(super) fn of(col: Option<&'a ArrayRef>) -> Result<TagMap<'a>, String> {
        let Some(a) = col else {
            return Ok(TagMap::Absent);
        };
        if let DataType::Map(_, _) = a.data_type() {
            let m = a.as_map();
            return Ok(TagMap::Map(
                m,
                Text::of(Some(m.keys()))?,
                Text::of(Some(m.values()))?,
            ));
        }
        Ok(TagMap::Json(Text::of(Some(a))?))
    }

    /// Row `row`'s tags as (tag id, value); `focus` keys take a mapping's key rule
    /// ([`parse_tag_json`]).
    pub(super) fn entries(&self, row: usize, focus: bool) -> Result<Vec<(String, String)>, String> {
        match self {
            TagMap::Absent => Ok(Vec::new()),
            TagMap::Map(m, k, v) => {
                if m.is_null(row) {
                    return Ok(Vec::new());
                }
                let offsets = m.value_offsets();
                let (s, e) = (offsets[row] as usize, offsets[row + 1] as usize);
                let id = |key: &str| {
                    if focus {
                        crate::cur::columns::tag_id(key)
                    } else {
                        crate::cur::columns::normalize(key)
                    }
                };
                Ok((s..e)
                    .map(|i| (id(k.get(i)), v.get(i).to_string()))
                    .collect())
            }
            TagMap::Json(t) => {
                let s = t.get(row);
                if s.is_empty() {
                    Ok(Vec::new())
                } else {
                    parse_tag_json(s.as_bytes(), focus).map_err(|e| format!("tags: {e}"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        Array, ArrayRef, Float64Array, StringArray, TimestampMicrosecondArray, TimestampSecondArray,
    };

    use super::{Amount, Days, clear_nulls};

    /// A pattern of nulls that is not periodic in 64.
    fn nullable(len: usize) -> Vec<Option<f64>> {
        (0..len)
            .map(|i| (i % 7 != 3 && i % 11 != 5).then_some(i as f64 * 0.25 - 3.0))
            .collect()
    }

    #[test]
    fn exactly_the_null_slots_are_cleared_whatever_the_length_and_offset() {
        for len in [0, 1, 5, 63, 64, 65, 127, 128, 200] {
            let a = Float64Array::from(nullable(len));
            for offset in [0, 1, 3, 64] {
                if offset > len {
                    continue;
                }
                let s = a.slice(offset, len - offset);
                let mut out = vec![1_u8; s.len()];
                clear_nulls(s.nulls(), &mut out, 0);
                let cleared: Vec<usize> = (0..s.len()).filter(|&r| out[r] == 0).collect();
                let expected: Vec<usize> = (0..s.len()).filter(|&r| s.is_null(r)).collect();
                assert_eq!(cleared, expected, "len {len}, offset {offset}");
            }
        }
    }

    #[test]
    fn doubles_convert_a_column_at_a_time_as_row_by_row() {
        let mut values = nullable(150);
        values[10] = Some(f64::NAN);
        values[70] = Some(1e12);
        values[71] = Some(f64::INFINITY);
        let col: ArrayRef = Arc::new(Float64Array::from(values));
        // A slice, so the nulls start mid-word.
        let col = col.slice(2, 140);
        let a = Amount::of(&col).unwrap();
        let (mut out, mut bad) = (Vec::new(), vec![false; 140]);
        a.convert(140, &mut out, &mut bad);
        assert_eq!(out.len(), 140);
        for r in 0..140 {
            match a.get(r) {
                Ok(v) => assert!(out[r] == v && !bad[r], "row {r}"),
                Err(_) => assert!(out[r].is_none() && bad[r], "row {r}"),
            }
        }
        assert_eq!(
            (0..140).filter(|&r| bad[r]).collect::<Vec<_>>(),
            vec![8, 68, 69]
        );
    }

    #[test]
    fn days_convert_a_column_at_a_time_as_row_by_row() {
        let day = 86_400_i64;
        let secs: Vec<Option<i64>> = (0..100)
            .map(|i| (i % 9 != 4).then_some((i - 50) * day / 3 + 7))
            .collect();
        let micros: Vec<Option<i64>> = secs.iter().map(|s| s.map(|s| s * 1_000_000)).collect();
        let text: Vec<Option<&str>> = (0..100)
            .map(|i| match i % 4 {
                0 => None,
                1 => Some("2026-11-03T05:00:00Z"),
                2 => Some("not a date"),
                _ => Some("2026-12-31"),
            })
            .collect();
        let cols: [ArrayRef; 3] = [
            Arc::new(TimestampSecondArray::from(secs)),
            Arc::new(TimestampMicrosecondArray::from(micros)),
            Arc::new(StringArray::from(text)),
        ];
        for col in &cols {
            let col = col.slice(1, 97);
            let d = Days::of(&col).unwrap();
            let mut out = Vec::new();
            d.convert(97, &mut out);
            let expected: Vec<_> = (0..97).map(|r| d.get(r)).collect();
            assert_eq!(out, expected, "{}", col.data_type());
            assert!(out.iter().any(Option::is_none) && out.iter().any(Option::is_some));
        }
    }
}
