//! How the generator's numbers are written as text: fixed-point nano-units as plain decimals or
//! scientific notation (exact, never through floating point), integers, and line item ids.

use std::fmt::Write as _;

use super::NANO;
use crate::demo::rng::hash;

/// Appends a fixed-point 1e-9 value as a plain decimal with at most 9 decimals, trailing zeros
/// trimmed (`1.5`, `0.000000015`, `-3`).
pub fn push_fixed(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    let int = a / NANO as u64;
    let mut frac = a % NANO as u64;
    push_u64(out, int);
    if frac != 0 {
        out.push(b'.');
        let mut width = 9;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        let mut digits = [b'0'; 9];
        let mut f = frac;
        for i in (0..width).rev() {
            digits[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.extend_from_slice(&digits[..width]);
    }
}

/// Appends a fixed-point 1e-9 value in Java-style scientific notation (`1.5E-8`, `3.0E-9`),
/// exactly representable in nano-units by construction.
pub fn push_sci(out: &mut Vec<u8>, v: i64) {
    if v == 0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    if v < 0 {
        out.push(b'-');
    }
    let mut a = v.unsigned_abs();
    let mut zeros = 0_i32;
    while a.is_multiple_of(10) {
        a /= 10;
        zeros += 1;
    }
    let digits = a.to_string();
    let exp = digits.len() as i32 - 1 + zeros - 9;
    out.push(digits.as_bytes()[0]);
    out.push(b'.');
    if digits.len() > 1 {
        out.extend_from_slice(&digits.as_bytes()[1..]);
    } else {
        out.push(b'0');
    }
    out.push(b'E');
    let mut s = String::new();
    let _ = write!(s, "{exp}");
    out.extend_from_slice(s.as_bytes());
}

/// Appends an unsigned integer in decimal.
pub fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0_u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A fixed-point value as a `String`.
#[cfg(test)]
pub fn fixed_string(v: i64) -> String {
    let mut out = Vec::new();
    push_fixed(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

/// `identity/LineItemId`: 52 characters of base-32, like AWS's.
pub fn push_line_item_id(out: &mut Vec<u8>, id: u64) {
    const B32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = 0;
    for i in 0..52_u64 {
        if i % 12 == 0 {
            h = hash(&[id, i]);
        }
        out.push(B32[(h & 31) as usize]);
        h >>= 5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: i64) -> String {
        fixed_string(v)
    }

    fn sci(v: i64) -> String {
        let mut out = Vec::new();
        push_sci(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_point_text() {
        assert_eq!(fixed(0), "0");
        assert_eq!(fixed(1_500_000_000), "1.5");
        assert_eq!(fixed(15), "0.000000015");
        assert_eq!(fixed(-3 * NANO), "-3");
        assert_eq!(fixed(-1), "-0.000000001");
        assert_eq!(fixed(123_456_789_012), "123.456789012");
    }

    #[test]
    fn scientific_text_is_exact_in_nanos() {
        assert_eq!(sci(15), "1.5E-8");
        assert_eq!(sci(3), "3.0E-9");
        assert_eq!(sci(-250), "-2.5E-7");
        assert_eq!(sci(NANO), "1.0E0");
        assert_eq!(sci(123_456_789), "1.23456789E-1");
    }

    #[test]
    fn line_item_ids_are_52_chars_and_distinct() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        push_line_item_id(&mut a, 1);
        push_line_item_id(&mut b, 2);
        assert_eq!(a.len(), 52);
        assert_ne!(a, b);
    }
}
