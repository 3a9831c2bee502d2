//! Exact money amounts in integer cents: the sandbox never uses floats for money.

use std::fmt::Write as _;

/// The largest absolute amount the sandbox accepts (10^15 whole units), so that sums
/// of many amounts stay far away from `i64` overflow.
const MAX_CENTS: i64 = 100_000_000_000_000_000;

/// An exact amount of money in cents (1/100 of a unit). May be negative (win/lose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Money(i64);

impl Money {
    /// Zero.
    pub(crate) const ZERO: Money = Money(0);

    /// Parses a decimal such as `"200000"`, `"8900.5"`, `"200000.0000"` or `"-2000.00"`.
    ///
    /// Digits beyond the second decimal place must be zeros (the value must be exact to
    /// the cent). No exponent, no thousands separators, no surrounding whitespace.
    pub(crate) fn parse(text: &str) -> Option<Money> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        if whole.is_empty() || whole.len() > 16 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if unsigned.contains('.') && fraction.is_empty() {
            return None;
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if fraction.bytes().skip(2).any(|b| b != b'0') {
            return None;
        }
        let mut cents: i64 = whole.parse().ok()?;
        cents = cents.checked_mul(100)?;
        let mut digits = fraction.bytes().take(2);
        let tenths = digits.next().map_or(0, |b| i64::from(b - b'0'));
        let hundredths = digits.next().map_or(0, |b| i64::from(b - b'0'));
        cents = cents.checked_add(tenths * 10 + hundredths)?;
        if cents > MAX_CENTS {
            return None;
        }
        Some(Money(if negative { -cents } else { cents }))
    }

    /// Parses a transaction amount: the one rule every route uses (the
    /// manual path segment, each item of a bulk manual batch, whether the
    /// item's amount is a JSON string or a JSON number literal). Digits, an
    /// optional `.` and digits, exact to the cent, more than zero, at most
    /// 10^15. No sign, exponent, separators (`_`, `,`) or whitespace: `1e3`,
    /// `+5`, `1_000`, ` 5` are refused everywhere.
    pub(crate) fn parse_positive(text: &str) -> Option<Money> {
        if !text.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        Money::parse(text).filter(|m| m.0 > 0)
    }

    /// `self + other`, or `None` past the sandbox's limit.
    pub(crate) fn checked_add(self, other: Money) -> Option<Money> {
        let sum = self.0.checked_add(other.0)?;
        (sum.abs() <= MAX_CENTS).then_some(Money(sum))
    }

    /// `self - other`, or `None` past the sandbox's limit.
    pub(crate) fn checked_sub(self, other: Money) -> Option<Money> {
        let difference = self.0.checked_sub(other.0)?;
        (difference.abs() <= MAX_CENTS).then_some(Money(difference))
    }

    /// Sum used for report totals; saturates instead of overflowing.
    pub(crate) fn saturating_add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    /// Fixed number of decimals: `fixed(4)` gives `"200000.0000"`, `fixed(2)` `"8900.00"`.
    pub(crate) fn fixed(self, decimals: usize) -> String {
        let mut out = self.plain_whole();
        out.push('.');
        let cents = self.0.unsigned_abs() % 100;
        let _ = write!(out, "{cents:02}");
        for _ in 2..decimals {
            out.push('0');
        }
        out
    }

    /// Whole numbers without decimals (`"500000"`), others with two (`"500000.50"`).
    /// Also valid as a JSON number literal.
    pub(crate) fn plain(self) -> String {
        if self.0 % 100 == 0 {
            self.plain_whole()
        } else {
            self.fixed(2)
        }
    }

    fn plain_whole(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}", self.0.unsigned_abs() / 100)
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn parses_exact_cents() {
        assert_eq!(Money::parse("200000.0000"), Some(Money(20_000_000)));
        assert_eq!(Money::parse("8900.5"), Some(Money(890_050)));
        assert_eq!(Money::parse("-2000.00"), Some(Money(-200_000)));
        assert_eq!(Money::parse("0.01"), Some(Money(1)));
        for bad in [
            "",
            ".",
            "1.",
            ".5",
            "1.001",
            "1e5",
            "abc",
            "1,000",
            " 1",
            "--1",
            "99999999999999999",
        ] {
            assert_eq!(Money::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Money::parse_positive("0"), None);
        assert_eq!(Money::parse_positive("-5"), None);
        for bad in [
            "+5", "1e3", "1E3", "1_000", " 5", "5 ", "1,000", "0x10", "١٢",
        ] {
            assert_eq!(Money::parse_positive(bad), None, "{bad:?}");
        }
        assert_eq!(Money::parse_positive("007"), Some(Money(700)));
        assert_eq!(Money::parse_positive("10000.50"), Some(Money(1_000_050)));
    }

    #[test]
    fn formats() {
        let m = Money(20_000_000);
        assert_eq!(m.fixed(4), "200000.0000");
        assert_eq!(m.fixed(2), "200000.00");
        assert_eq!(m.plain(), "200000");
        assert_eq!(Money(-200_050).fixed(2), "-2000.50");
        assert_eq!(Money(-5).fixed(2), "-0.05");
        assert_eq!(Money(-5).plain(), "-0.05");
        assert_eq!(Money(50).plain(), "0.50");
    }
}
