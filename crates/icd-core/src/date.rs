//! Calendar dates, as the MCE tables and records use them.
//!
//! ```
//! use icd_core::Date;
//! let d: Date = "2026-04-01".parse().unwrap();
//! assert_eq!(d, "20260401".parse().unwrap());
//! assert_eq!(d.to_string(), "2026-04-01");
//! ```

use std::fmt;
use std::str::FromStr;

/// A proleptic Gregorian date. Orders chronologically.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    ymd: u32,
}

/// Why a string is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a date: {problem}")]
pub struct DateError {
    /// What was given.
    pub input: String,
    /// What is wrong with it.
    pub problem: DateProblem,
}

/// What is wrong with a string that is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateProblem {
    /// Not of the form `YYYY-MM-DD` or `YYYYMMDD`: write it so.
    #[error("write it as YYYY-MM-DD (e.g. 2026-04-01) or YYYYMMDD")]
    Form,
    /// A year of 0: years run from 1 to 9999.
    #[error("there is no year 0")]
    Year,
    /// A month outside 1 to 12.
    #[error("there is no month {0}; months run from 01 to 12")]
    Month(u32),
    /// A day the month does not have (February 30): check the day.
    #[error("{} {day} does not exist ({} {year} has {days} days)", MONTHS[*month as usize - 1], MONTHS[*month as usize - 1])]
    Day {
        /// The year.
        year: u32,
        /// The month, 1 to 12.
        month: u32,
        /// The day written.
        day: u32,
        /// How many days the month has that year.
        days: u32,
    },
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// A date from its parts, or `None` if there is no such day.
    pub fn from_ymd(year: u32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            ymd: year * 10_000 + month * 100 + day,
        })
    }

    /// The date as the number `yyyymmdd`, the MCE tables' form.
    pub fn yyyymmdd(self) -> u32 {
        self.ymd
    }

    /// A date from `yyyymmdd`, checked.
    pub fn from_yyyymmdd(n: u32) -> Option<Date> {
        Date::from_ymd(n / 10_000, n / 100 % 100, n % 100)
    }

    /// Year.
    pub fn year(self) -> u32 {
        self.ymd / 10_000
    }
    /// Month, 1 to 12.
    pub fn month(self) -> u32 {
        self.ymd / 100 % 100
    }
    /// Day of the month.
    pub fn day(self) -> u32 {
        self.ymd % 100
    }

    /// Days since 0000-03-01 (a monotone day number for differences).
    pub fn day_number(self) -> i64 {
        // Howard Hinnant's days_from_civil, shifted; exact for all years here.
        let (y, m, d) = (self.year() as i64, self.month() as i64, self.day() as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe
    }

    /// The next day (`None` after 9999-12-31).
    pub fn next_day(self) -> Option<Date> {
        let (y, m, d) = (self.year(), self.month(), self.day());
        Date::from_ymd(y, m, d + 1)
            .or_else(|| Date::from_ymd(y, m + 1, 1))
            .or_else(|| Date::from_ymd(y + 1, 1, 1))
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.day_number() - self.day_number()
    }

    /// Age in completed years on `on`, or `None` if `on` is before `self`.
    pub fn age_on(self, on: Date) -> Option<u32> {
        if on < self {
            return None;
        }
        let mut age = on.year() - self.year();
        if (on.month(), on.day()) < (self.month(), self.day()) {
            age -= 1;
        }
        Some(age)
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        let t = s.trim();
        let fail = |problem| DateError {
            input: t.to_string(),
            problem,
        };
        let err = || fail(DateProblem::Form);
        let digits: String = match t.len() {
            8 => t.to_string(),
            10 if t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' => t.replace('-', ""),
            _ => return Err(err()),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() != 8 {
            return Err(err());
        }
        let n: u32 = digits.parse().map_err(|_| err())?;
        let (year, month, day) = (n / 10_000, n / 100 % 100, n % 100);
        if year == 0 {
            return Err(fail(DateProblem::Year));
        }
        if !(1..=12).contains(&month) {
            return Err(fail(DateProblem::Month(month)));
        }
        let days = days_in_month(year, month);
        Date::from_ymd(year, month, day).ok_or_else(|| {
            fail(DateProblem::Day {
                year,
                month,
                day,
                days,
            })
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_and_rejects_bad_days() {
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        assert_eq!(
            "20260401".parse::<Date>().unwrap().to_string(),
            "2026-04-01"
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-4-1",
            "",
            "abcdefgh",
            "2026/04/01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn next_days() {
        let next = |s: &str| s.parse::<Date>().unwrap().next_day().map(|d| d.to_string());
        assert_eq!(next("2026-09-30").as_deref(), Some("2026-10-01"));
        assert_eq!(next("2024-02-28").as_deref(), Some("2024-02-29"));
        assert_eq!(next("2026-12-31").as_deref(), Some("2027-01-01"));
        assert_eq!(next("9999-12-31"), None);
    }

    #[test]
    fn says_why_a_date_is_wrong() {
        let why = |s: &str| s.parse::<Date>().unwrap_err().to_string();
        assert_eq!(
            why("2026-02-30"),
            "'2026-02-30' is not a date: February 30 does not exist (February 2026 has 28 days)"
        );
        assert_eq!(
            why("20240230"),
            "'20240230' is not a date: February 30 does not exist (February 2024 has 29 days)"
        );
        assert_eq!(
            why("2026-04-31"),
            "'2026-04-31' is not a date: April 31 does not exist (April 2026 has 30 days)"
        );
        assert_eq!(
            why("2026-04-00"),
            "'2026-04-00' is not a date: April 0 does not exist (April 2026 has 30 days)"
        );
        assert_eq!(
            why("2026-13-01"),
            "'2026-13-01' is not a date: there is no month 13; months run from 01 to 12"
        );
        assert_eq!(
            why("02/30/2026"),
            "'02/30/2026' is not a date: write it as YYYY-MM-DD (e.g. 2026-04-01) or YYYYMMDD"
        );
        assert_eq!(
            why("0000-01-01"),
            "'0000-01-01' is not a date: there is no year 0"
        );
    }

    #[test]
    fn differences_and_ages() {
        let a: Date = "2024-02-28".parse().unwrap();
        let b: Date = "2024-03-01".parse().unwrap();
        assert_eq!(a.days_until(b), 2);
        let born: Date = "2000-03-01".parse().unwrap();
        assert_eq!(born.age_on("2026-02-28".parse().unwrap()), Some(25));
        assert_eq!(born.age_on("2026-03-01".parse().unwrap()), Some(26));
        assert_eq!(born.age_on("1999-01-01".parse().unwrap()), None);
    }

    proptest::proptest! {
        #[test]
        fn day_numbers_are_consecutive(n in 0u32..3_000_000) {
            // Walk from an arbitrary valid date to the next day.
            let y = 1900 + n / 10_000 % 200;
            let m = 1 + n / 100 % 12;
            let d = 1 + n % 28;
            let a = Date::from_ymd(y, m, d).unwrap();
            let next = [Date::from_ymd(y, m, d + 1), Date::from_ymd(y, m + 1, 1), Date::from_ymd(y + 1, 1, 1)]
                .into_iter().flatten().find(|x| *x > a).unwrap();
            proptest::prop_assert_eq!(a.days_until(next), 1);
        }
    }
}
