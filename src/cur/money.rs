//! Money as whole nano-dollars in an `i64`: exact sums in any order (parallel reads agree to
//! the last digit), ±9.2 billion per value, and CUR's smallest amounts (1.5E-8) kept.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Nano-dollars per dollar.
pub const NANOS: i64 = 1_000_000_000;

/// An amount of money in nano-dollars (10⁻⁹ of the currency unit).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

/// Why a text is not an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a decimal number (letters, two dots, a lone sign, ...).
    Syntax,
    /// Beyond ±9.2 billion, or an exponent beyond reason.
    OutOfRange,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("not a number"),
            Self::OutOfRange => f.write_str("amount out of range"),
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// Parses a decimal number as CUR writes it: `12.5`, `-0.0000001`, `1.46E-8`, `3e2`.
    /// The caller decides what an empty cell means; here it is a syntax error.
    pub fn parse(text: &[u8]) -> Result<Money, MoneyError> {
        let mut i = 0;
        let negative = match text.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        // Significant digits as an integer, with the decimal exponent they are scaled by.
        let mut digits: i128 = 0;
        let mut exp10: i32 = 0;
        let mut seen_digit = false;
        let mut seen_dot = false;
        while i < text.len() {
            let c = text[i];
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if digits < 10_i128.pow(30) {
                        digits = digits * 10 + i128::from(c - b'0');
                        if seen_dot {
                            exp10 -= 1;
                        }
                    } else {
                        // Beyond 30 significant digits only the magnitude matters.
                        if !seen_dot {
                            exp10 += 1;
                        }
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                b'e' | b'E' => break,
                _ => return Err(MoneyError::Syntax),
            }
            i += 1;
        }
        if !seen_digit {
            return Err(MoneyError::Syntax);
        }
        if i < text.len() {
            // Exponent part.
            i += 1;
            let exp_negative = match text.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let mut e: i32 = 0;
            let start = i;
            while i < text.len() {
                let c = text[i];
                if !c.is_ascii_digit() {
                    return Err(MoneyError::Syntax);
                }
                e = e.saturating_mul(10).saturating_add(i32::from(c - b'0'));
                i += 1;
            }
            if i == start {
                return Err(MoneyError::Syntax);
            }
            exp10 = exp10.saturating_add(if exp_negative { -e } else { e });
        }
        // value = digits × 10^exp10 dollars = digits × 10^(exp10 + 9) nano-dollars.
        let scale = exp10.saturating_add(9);
        let nanos: i128 = if digits == 0 {
            0
        } else if scale >= 0 {
            if scale > 19 {
                return Err(MoneyError::OutOfRange);
            }
            digits
                .checked_mul(10_i128.pow(scale as u32))
                .ok_or(MoneyError::OutOfRange)?
        } else {
            let div = -scale;
            if div > 38 {
                0
            } else {
                let d = 10_i128.pow(div as u32);
                let q = digits / d;
                let r = digits % d;
                // Round half away from zero (the sign is applied below).
                if r * 2 >= d { q + 1 } else { q }
            }
        };
        let signed = if negative { -nanos } else { nanos };
        i64::try_from(signed)
            .map(Money)
            .map_err(|_| MoneyError::OutOfRange)
    }

    /// From a floating-point amount (Parquet / Athena `double`), rounded to the nano-dollar.
    pub fn from_f64(value: f64) -> Result<Money, MoneyError> {
        if !value.is_finite() {
            return Err(MoneyError::Syntax);
        }
        let scaled = value * 1e9;
        // Doubles this large are whole numbers: beyond the bound before rounding exactly when
        // after it.
        if scaled.abs() >= 9.2e18 {
            return Err(MoneyError::OutOfRange);
        }
        Ok(Money(round_half_away(scaled)))
    }

    /// The amount in dollars as a float (for display and JSON only; sums stay in `Money`).
    pub fn dollars(self) -> f64 {
        self.0 as f64 / NANOS as f64
    }

    /// `self × num / den`, rounded half away from zero; 0 when `den` is 0.
    pub fn scale(self, num: Money, den: Money) -> Money {
        if den.0 == 0 {
            return Money::ZERO;
        }
        let p = i128::from(self.0) * i128::from(num.0);
        let d = i128::from(den.0);
        let q = p / d;
        let r = p % d;
        let adjust = if 2 * r.abs() >= d.abs() {
            if (p < 0) == (d < 0) { 1 } else { -1 }
        } else {
            0
        };
        Money(i64::try_from(q + adjust).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN }))
    }

    /// Rounded to whole cents, as `(sign, dollars, cents)`.
    fn cents_parts(self) -> (bool, u64, u64) {
        let negative = self.0 < 0;
        let abs = u64::try_from(i128::from(self.0).abs()).unwrap_or(u64::MAX);
        let cents = abs / 10_000_000 + u64::from(abs % 10_000_000 >= 5_000_000);
        (negative, cents / 100, cents % 100)
    }

    /// `$1,234.56` (`-$3.10` when negative), rounded to the cent.
    pub fn display_dollars(self) -> String {
        self.display_in(Unit::USD)
    }

    /// In `unit`: `€1,234.56`, `CHF 1,234.56` (`-€3.10`, `-CHF 3.10` when negative), rounded to
    /// the cent (a hundredth of the unit, whatever the currency's own minor unit).
    pub fn display_in(self, unit: Unit) -> String {
        let (negative, dollars, cents) = self.cents_parts();
        let digits = dollars.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if negative && (dollars > 0 || cents > 0) {
            "-"
        } else {
            ""
        };
        format!("{sign}{unit}{grouped}.{cents:02}")
    }

    /// With its sign always written: `+$1.23`, `-$1.23` (deltas).
    pub fn display_signed(self) -> String {
        self.display_signed_in(Unit::USD)
    }

    /// With its sign always written, in `unit`: `+€1.23`, `-CHF 1.23`.
    pub fn display_signed_in(self, unit: Unit) -> String {
        if self.0 < 0 {
            format!("-{}", (-self).display_in(unit))
        } else {
            format!("+{}", self.display_in(unit))
        }
    }

    /// The exact decimal value with up to 9 decimals, trailing zeros removed (`12.5`, `-0.000000015`).
    pub fn to_decimal_string(self) -> String {
        let negative = self.0 < 0;
        let abs = i128::from(self.0).abs();
        let whole = abs / i128::from(NANOS);
        let frac = abs % i128::from(NANOS);
        let sign = if negative { "-" } else { "" };
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let frac = format!("{frac:09}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// How an amount's currency is written before it: `$` for US dollars (and for a CUR, whose
/// amounts name no currency: its payer's, US dollars unless AWS was asked otherwise), the sign
/// of the euro, the pound and the yen, the ISO 4217 code and a space for any other (`CHF `).
/// A code that is not three letters is written `XXX ` (ISO 4217's "no currency"): a bill's text
/// is never written raw into an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Sign(&'static str),
    Code([u8; 3]),
}

impl Unit {
    pub const USD: Unit = Unit::Sign("$");

    /// The unit of a `BillingCurrency` code ("" for none: US dollars). `ascii` writes the
    /// code for the signs outside ASCII (`EUR 8.00`).
    pub fn of(code: &str, ascii: bool) -> Unit {
        let sign = match code {
            "" | "USD" => return Unit::USD,
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            _ => "",
        };
        if !sign.is_empty() && !ascii {
            return Unit::Sign(sign);
        }
        match <[u8; 3]>::try_from(code.as_bytes()) {
            Ok(b) if b.iter().all(u8::is_ascii_uppercase) => Unit::Code(b),
            _ => Unit::Code(*b"XXX"),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Sign(s) => f.write_str(s),
            Unit::Code(b) => {
                for c in b {
                    fmt::Write::write_char(f, char::from(*c))?;
                }
                f.write_str(" ")
            }
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_dollars())
    }
}

/// `x.round() as i64` for `|x| < 9.2e18`, without the call to libm's `round` (Parquet
/// readers round every amount of every row): `x`'s integer part and fraction are both exact
/// in a double, so the fraction says which way to round, half away from zero.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "|x| < 9.2e18: its integer part fits an i64 and is a double exactly"
)]
fn round_half_away(x: f64) -> i64 {
    let whole = x as i64;
    let fraction = x - whole as f64;
    // Without branches: amounts' fractions are as good as random.
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(clippy::cast_possible_truncation, reason = "the reference rounding")]
    fn doubles_round_as_f64_round_does() {
        let mut edges = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.499_999_999_999_999_94,
            4.5e15 + 0.5,
            -4.5e15 - 0.5,
            9.007_199_254_740_991e15,
            9.199e18,
            -9.199e18,
            1e-300,
            -1e-300,
        ];
        // Amounts as the bills write them: dollars with up to 10 decimals, scaled.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let cents = (x % 2_000_000_000) as f64 - 1e9;
            edges.push(cents / 1e4 * 1e9);
            edges.push(f64::from_bits(x) % 1e12);
        }
        for v in edges
            .into_iter()
            .filter(|v| v.is_finite() && v.abs() < 9.2e18)
        {
            assert_eq!(round_half_away(v), v.round() as i64, "{v:e}");
        }
    }

    #[test]
    fn amounts_are_written_in_their_currency() {
        let m = Money(-1_234_567_890_000);
        assert_eq!(m.display_in(Unit::of("", false)), "-$1,234.57");
        assert_eq!(m.display_in(Unit::of("USD", true)), "-$1,234.57");
        assert_eq!(m.display_in(Unit::of("EUR", false)), "-€1,234.57");
        assert_eq!(m.display_in(Unit::of("EUR", true)), "-EUR 1,234.57");
        assert_eq!(m.display_in(Unit::of("GBP", false)), "-£1,234.57");
        assert_eq!(m.display_in(Unit::of("CHF", false)), "-CHF 1,234.57");
        assert_eq!((-m).display_signed_in(Unit::of("JPY", false)), "+¥1,234.57");
        // Not a currency code: never written raw.
        for junk in ["chf", "EURO", "E\u{1b}R", "€"] {
            assert_eq!(
                m.display_in(Unit::of(junk, false)),
                "-XXX 1,234.57",
                "{junk:?}"
            );
        }
    }

    fn p(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s.as_bytes()).map(|m| m.0)
    }

    #[test]
    fn parses_plain_and_signed_decimals() {
        assert_eq!(p("12.5"), Ok(12_500_000_000));
        assert_eq!(p("-0.000000001"), Ok(-1));
        assert_eq!(p("+3"), Ok(3_000_000_000));
        assert_eq!(p(".5"), Ok(500_000_000));
        assert_eq!(p("7."), Ok(7_000_000_000));
        assert_eq!(p("0"), Ok(0));
    }

    #[test]
    fn parses_exponents_as_cur_writes_them() {
        assert_eq!(p("1.5E-8"), Ok(15));
        assert_eq!(p("1.46E-8"), Ok(15)); // 14.6 nano rounds half away from zero
        assert_eq!(p("-1.44E-8"), Ok(-14));
        assert_eq!(p("3e2"), Ok(300_000_000_000));
        assert_eq!(p("2.5E+1"), Ok(25_000_000_000));
        assert_eq!(p("1E-12"), Ok(0));
    }

    #[test]
    fn rounds_half_away_from_zero_beyond_nanos() {
        assert_eq!(p("0.0000000005"), Ok(1));
        assert_eq!(p("0.0000000004999"), Ok(0));
        assert_eq!(p("-0.0000000005"), Ok(-1));
    }

    #[test]
    fn rejects_junk_and_huge_values() {
        for bad in ["", "-", "abc", "1.2.3", "1e", "1e+", "NaN", "1,5", "12 "] {
            assert_eq!(p(bad), Err(MoneyError::Syntax), "{bad:?}");
        }
        assert_eq!(p("1e30"), Err(MoneyError::OutOfRange));
        assert_eq!(p("10000000000"), Err(MoneyError::OutOfRange));
        assert_eq!(p("1e-400"), Ok(0));
    }

    #[test]
    fn from_f64_rounds_to_nanos() {
        assert_eq!(Money::from_f64(0.1).unwrap().0, 100_000_000);
        assert_eq!(Money::from_f64(-1.46e-8).unwrap().0, -15);
        assert!(Money::from_f64(f64::NAN).is_err());
        assert!(Money::from_f64(1e12).is_err());
    }

    #[test]
    fn displays_dollars_with_grouping_and_cents() {
        assert_eq!(Money(1_234_567_890_000).display_dollars(), "$1,234.57");
        assert_eq!(Money(-3_100_000_000).display_dollars(), "-$3.10");
        assert_eq!(Money(4_000_000).display_dollars(), "$0.00");
        assert_eq!(
            Money(1_000_000_000_000_000).display_dollars(),
            "$1,000,000.00"
        );
        assert_eq!(Money(12_500_000_000).to_decimal_string(), "12.5");
        assert_eq!(Money(-15).to_decimal_string(), "-0.000000015");
        assert_eq!(Money(0).to_decimal_string(), "0");
    }

    #[test]
    fn scale_rounds_and_guards_zero() {
        assert_eq!(Money(10).scale(Money(1), Money(3)), Money(3));
        assert_eq!(Money(10).scale(Money(2), Money(3)), Money(7));
        assert_eq!(Money(-10).scale(Money(2), Money(3)), Money(-7));
        assert_eq!(Money(10).scale(Money(5), Money(0)), Money(0));
    }
}
