//! Dates and timestamps as edXML carries them (standards.md §3.8).
//!
//! The text is kept exactly as received so that a package read and written again says the same thing, and so that
//! a malformed value can be reported (by [`crate::validate`]) instead of being refused or silently dropped.
//!
//! Serialized as `{"raw": "2024/05/20", "iso": "2024-05-20"}` (a timestamp: `"iso": "2026-11-22T14:53:17"`, local
//! time without a zone, as the package carries none); `iso` is `null` when the text does not parse.

use std::fmt;
use time::{Date, Month, PrimitiveDateTime, Time};

/// A calendar date, written `yyyy/MM/dd` (e.g. `2024/05/20`): `PromulgationDate`, `DueDate`, and the date inside a
/// `DocumentId`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EdDate(String);

impl EdDate {
    /// The text of a date as the official library writes it: `yyyy/MM/dd`.
    pub fn new(date: Date) -> EdDate {
        EdDate(format_date(date))
    }

    /// Keeps any text, as received (it is checked by validation, not here).
    pub fn from_text(text: impl Into<String>) -> EdDate {
        EdDate(text.into())
    }

    /// The text as received or built.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// No text at all (the element was missing or empty).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The date, when the text is exactly `yyyy/MM/dd` and a real calendar day; `None` otherwise. The official
    /// reader also drops a date in any other form.
    pub fn date(&self) -> Option<Date> {
        parse_ymd(self.0.trim(), '/')
    }
}

impl serde::Serialize for EdDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        raw_and_iso(serializer, "EdDate", &self.0, self.date().map(iso_date))
    }
}

impl From<Date> for EdDate {
    fn from(date: Date) -> EdDate {
        EdDate::new(date)
    }
}

impl fmt::Display for EdDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A local time (Asia/Ho_Chi_Minh, no zone is carried), written `yyyy/MM/dd HH:mm:ss`: `TraceHeader/Timestamp`
/// and the status packet's `Timestamp`. `dd/MM/yyyy HH:mm:ss`, which one SDK example prints, is accepted on input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EdTimestamp(String);

impl EdTimestamp {
    /// The text as the official library writes it: `yyyy/MM/dd HH:mm:ss`.
    pub fn new(at: PrimitiveDateTime) -> EdTimestamp {
        EdTimestamp(format!(
            "{} {:02}:{:02}:{:02}",
            format_date(at.date()),
            at.hour(),
            at.minute(),
            at.second()
        ))
    }

    /// Keeps any text, as received.
    pub fn from_text(text: impl Into<String>) -> EdTimestamp {
        EdTimestamp(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The local date and time, from `yyyy/MM/dd HH:mm:ss` or `dd/MM/yyyy HH:mm:ss`; `None` for anything else.
    pub fn datetime(&self) -> Option<PrimitiveDateTime> {
        parse_timestamp(self.0.trim()).map(|(at, _)| at)
    }

    /// True when the text is in the form the official library writes (`yyyy/MM/dd HH:mm:ss`).
    pub fn is_canonical(&self) -> bool {
        matches!(parse_timestamp(self.0.trim()), Some((_, true)))
    }
}

impl serde::Serialize for EdTimestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let iso = self.datetime().map(|at| {
            format!(
                "{}T{:02}:{:02}:{:02}",
                iso_date(at.date()),
                at.hour(),
                at.minute(),
                at.second()
            )
        });
        raw_and_iso(serializer, "EdTimestamp", &self.0, iso)
    }
}

impl From<PrimitiveDateTime> for EdTimestamp {
    fn from(at: PrimitiveDateTime) -> EdTimestamp {
        EdTimestamp::new(at)
    }
}

impl fmt::Display for EdTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn raw_and_iso<S: serde::Serializer>(
    serializer: S,
    name: &'static str,
    raw: &str,
    iso: Option<String>,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut s = serializer.serialize_struct(name, 2)?;
    s.serialize_field("raw", raw)?;
    s.serialize_field("iso", &iso)?;
    s.end()
}

/// `yyyy-MM-dd` (ISO 8601).
fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn format_date(date: Date) -> String {
    format!(
        "{:04}/{:02}/{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Exactly `dddd{sep}dd{sep}dd` with a real day.
pub(crate) fn parse_ymd(s: &str, sep: char) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != sep as u8 || b[7] != sep as u8 {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    make_date(year, month, day)
}

/// Exactly `dd{sep}dd{sep}dddd` with a real day.
fn parse_dmy(s: &str, sep: char) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != sep as u8 || b[5] != sep as u8 {
        return None;
    }
    let day = digits(&b[0..2])?;
    let month = digits(&b[3..5])?;
    let year = digits(&b[6..10])?;
    make_date(year, month, day)
}

fn make_date(year: u32, month: u32, day: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let year = i32::try_from(year).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// `HH:mm:ss`.
fn parse_hms(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = u8::try_from(digits(&b[0..2])?).ok()?;
    let m = u8::try_from(digits(&b[3..5])?).ok()?;
    let sec = u8::try_from(digits(&b[6..8])?).ok()?;
    Time::from_hms(h, m, sec).ok()
}

/// The time and whether it was in the canonical `yyyy/MM/dd HH:mm:ss` form.
fn parse_timestamp(s: &str) -> Option<(PrimitiveDateTime, bool)> {
    let (day, time) = s.split_once(' ')?;
    let time = parse_hms(time.trim())?;
    if let Some(date) = parse_ymd(day, '/') {
        return Some((PrimitiveDateTime::new(date, time), true));
    }
    parse_dmy(day, '/').map(|date| (PrimitiveDateTime::new(date, time), false))
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_round_trip_and_reject_nonsense() {
        let d = EdDate::new(date!(2024 - 05 - 20));
        assert_eq!(d.as_str(), "2024/05/20");
        assert_eq!(d.date(), Some(date!(2024 - 05 - 20)));
        assert_eq!(EdDate::from_text("2014/02/30").date(), None);
        assert_eq!(EdDate::from_text("2024-05-20").date(), None);
        assert_eq!(EdDate::from_text("2024/5/20").date(), None);
        assert_eq!(EdDate::from_text("２０２４/05/20").date(), None);
        assert_eq!(EdDate::from_text("").date(), None);
        assert!(EdDate::default().is_empty());
    }

    #[test]
    fn timestamps_accept_both_orders() {
        let t = EdTimestamp::new(datetime!(2026-11-22 14:53:17));
        assert_eq!(t.as_str(), "2026/11/22 14:53:17");
        assert_eq!(t.datetime(), Some(datetime!(2026-11-22 14:53:17)));
        assert!(t.is_canonical());
        let dmy = EdTimestamp::from_text("26/09/2018 10:12:10");
        assert_eq!(dmy.datetime(), Some(datetime!(2018-09-26 10:12:10)));
        assert!(!dmy.is_canonical());
        assert_eq!(EdTimestamp::from_text("2018/09/26").datetime(), None);
        assert_eq!(
            EdTimestamp::from_text("2018/09/26 25:00:00").datetime(),
            None
        );
    }
}
