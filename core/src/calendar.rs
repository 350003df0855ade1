//! Business days: when the bank checks a paper act and when QES data is loaded.
//!
//! The bank instructions tell the user two dates (seeds 000–004): the bank checks the paper
//! act of recognition by the next business day, and the data of a qualified signature (КЭП)
//! is loaded "не ранее 12:00 часов по местному времени следующего рабочего дня" (seed 004).
//!
//! [`BusinessCalendar`] knows Saturdays and Sundays and the fixed non-working holidays of the
//! Labour Code of the Russian Federation, art. 112 part 1 (January 1–8, February 23, March 8,
//! May 1, May 9, June 12, November 4). Everything that changes from year to year — the days
//! off moved by the government's yearly decree, the transfers of art. 112 part 2 when a
//! holiday falls on a weekend, regional holidays, and Saturdays made working days — is
//! supplied by the host, in code ([`add_holiday`](BusinessCalendar::add_holiday),
//! [`add_working_day`](BusinessCalendar::add_working_day)) or as text
//! ([`from_text`](BusinessCalendar::from_text)):
//!
//! ```text
//! # bank holidays 2027 (Постановление Правительства РФ …)
//! 2027-01-11 holiday   moved from Saturday 2027-01-02
//! 2027-12-31 holiday
//! 2027-06-19 working   Saturday made a working day
//! ```
//!
//! One entry a line: an ISO date, then `holiday` or `working`, then an optional comment;
//! `#` starts a comment line; blank lines are ignored. A date given both ways is an error.
//!
//! Days are counted in the bank's local time: Moscow time (UTC+3) unless
//! [`with_offset`](BusinessCalendar::with_offset) says otherwise. Times are always passed in.

use std::collections::BTreeSet;

use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::{Error, ErrorKind, Result};

/// Moscow time, UTC+3 (no daylight saving since 2014).
pub const MOSCOW: UtcOffset = match UtcOffset::from_hms(3, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The fixed non-working holidays of the Labour Code, art. 112 part 1, as (month, day).
pub const FIXED_HOLIDAYS: [(Month, u8); 14] = [
    (Month::January, 1),
    (Month::January, 2),
    (Month::January, 3),
    (Month::January, 4),
    (Month::January, 5),
    (Month::January, 6),
    (Month::January, 7),
    (Month::January, 8),
    (Month::February, 23),
    (Month::March, 8),
    (Month::May, 1),
    (Month::May, 9),
    (Month::June, 12),
    (Month::November, 4),
];

/// The hour (bank local time) from which QES data is loaded on the next business day (seed 004).
pub const QES_LOAD_HOUR: u8 = 12;

/// The longest run of days off we look through before giving up (a host file that declares
/// a whole year off is a mistake, not a calendar).
const MAX_DAYS_OFF_IN_A_ROW: u32 = 366;

/// Business days: weekends and the art. 112 holidays built in, plus the host's own days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    holidays: BTreeSet<Date>,
    working_days: BTreeSet<Date>,
    offset: UtcOffset,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar::new()
    }
}

impl BusinessCalendar {
    /// Weekends and the art. 112 holidays only, in Moscow time.
    pub fn new() -> BusinessCalendar {
        BusinessCalendar {
            holidays: BTreeSet::new(),
            working_days: BTreeSet::new(),
            offset: MOSCOW,
        }
    }

    /// The same calendar counting days in another local time (a branch in Novosibirsk, UTC+7).
    pub fn with_offset(mut self, offset: UtcOffset) -> BusinessCalendar {
        self.offset = offset;
        self
    }

    /// The offset of the bank's local time.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// Declares `date` a day off (a moved day off, a regional holiday).
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when `date` was declared a working day.
    pub fn add_holiday(&mut self, date: Date) -> Result<()> {
        if self.working_days.contains(&date) {
            return Err(conflict(date));
        }
        self.holidays.insert(date);
        Ok(())
    }

    /// Declares `date` a working day (a Saturday worked in exchange for a moved day off).
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when `date` was declared a holiday.
    pub fn add_working_day(&mut self, date: Date) -> Result<()> {
        if self.holidays.contains(&date) {
            return Err(conflict(date));
        }
        self.working_days.insert(date);
        Ok(())
    }

    /// The host's holidays, in date order.
    pub fn holidays(&self) -> Vec<Date> {
        self.holidays.iter().copied().collect()
    }

    /// The host's working days, in date order.
    pub fn working_days(&self) -> Vec<Date> {
        self.working_days.iter().copied().collect()
    }

    /// Reads the host's days from the text format of the module docs, on top of the built-in
    /// rules (Moscow time).
    ///
    /// Errors: [`ErrorKind::InvalidInput`] naming the line (`line N`) for a bad date, an
    /// unknown kind, or a date given both ways.
    pub fn from_text(text: &str) -> Result<BusinessCalendar> {
        let mut cal = BusinessCalendar::new();
        for (i, line) in text.lines().enumerate() {
            let field = format!("line {}", i + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(date), Some(kind)) = (words.next(), words.next()) else {
                return Err(Error::invalid_field(
                    &field,
                    "expected \"YYYY-MM-DD holiday|working\"",
                ));
            };
            // The line is the error's field, once: not repeated in its message.
            let date = parse_date(date).map_err(|e| e.with_field(&field))?;
            match kind {
                "holiday" => cal.add_holiday(date),
                "working" => cal.add_working_day(date),
                other => Err(Error::invalid_field(
                    &field,
                    format!("unknown kind \"{other}\" (expected holiday or working)"),
                )),
            }
            .map_err(|e| e.with_field(&field))?;
        }
        Ok(cal)
    }

    /// Reads the host's days from a file in the text format (see [`from_text`](Self::from_text)).
    ///
    /// Errors: [`ErrorKind::Io`] when the file does not read; [`ErrorKind::InvalidInput`]
    /// naming the line (`line N`) when it is not UTF-8 text, and those of `from_text`.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<BusinessCalendar> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::from(e).context(path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Error::invalid_field(
                format!("line {line}"),
                format!("{}: not UTF-8 text (byte {at})", path.display()),
            )
        })?;
        BusinessCalendar::from_text(&text).map_err(|e| e.context(path.display()))
    }

    /// The host's days in the text format, one a line, in date order (reads back equal).
    pub fn to_text(&self) -> String {
        let mut lines: Vec<(Date, &str)> = self
            .holidays
            .iter()
            .map(|d| (*d, "holiday"))
            .chain(self.working_days.iter().map(|d| (*d, "working")))
            .collect();
        lines.sort();
        lines
            .into_iter()
            .map(|(d, k)| format!("{} {k}\n", format_date(d)))
            .collect()
    }

    /// Whether `date` is one of the fixed holidays of art. 112 part 1.
    pub fn is_fixed_holiday(date: Date) -> bool {
        FIXED_HOLIDAYS
            .iter()
            .any(|&(m, d)| date.month() == m && date.day() == d)
    }

    /// Whether `date` is a business day: a host working day is; otherwise not a Saturday,
    /// Sunday, fixed holiday or host holiday.
    pub fn is_business_day(&self, date: Date) -> bool {
        if self.working_days.contains(&date) {
            return true;
        }
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !Self::is_fixed_holiday(date)
            && !self.holidays.contains(&date)
    }

    /// The first business day strictly after `date`.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] past the end of the calendar (year 9999) or after
    /// more than a year of days off in a row.
    pub fn next_business_day(&self, date: Date) -> Result<Date> {
        let mut d = date;
        for _ in 0..=MAX_DAYS_OFF_IN_A_ROW {
            d = d.next_day().ok_or_else(|| {
                Error::invalid_field("date", "no business day after the end of the calendar")
            })?;
            if self.is_business_day(d) {
                return Ok(d);
            }
        }
        Err(Error::invalid_field(
            "date",
            format!(
                "no business day within {MAX_DAYS_OFF_IN_A_ROW} days after {}",
                format_date(date)
            ),
        ))
    }

    /// The local date of an instant.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when the local date lies beyond the calendar
    /// (after 9999-12-31 or before -9999-01-01).
    pub fn local_date(&self, at: OffsetDateTime) -> Result<Date> {
        at.checked_to_offset(self.offset)
            .map(OffsetDateTime::date)
            .ok_or_else(|| Error::invalid_field("date", "the local date is beyond the calendar"))
    }

    /// The day by which the bank checks a paper act sent at `sent_at`: the next business day
    /// after the local date of sending (seeds 000, 001, 003).
    pub fn paper_check_by(&self, sent_at: OffsetDateTime) -> Result<Date> {
        self.next_business_day(self.local_date(sent_at)?)
    }

    /// The moment before which QES data registered at `registered_at` is not loaded: 12:00
    /// local time of the next business day (seed 004), with the local offset.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when that moment lies beyond the calendar.
    pub fn qes_loaded_not_before(&self, registered_at: OffsetDateTime) -> Result<OffsetDateTime> {
        let day = self.next_business_day(self.local_date(registered_at)?)?;
        let noon = Time::from_hms(QES_LOAD_HOUR, 0, 0)
            .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
        representable(day.with_time(noon).assume_offset(self.offset))
            .ok_or_else(|| Error::invalid_field("date", "no business day within the calendar"))
    }
}

/// `t` when its instant lies within what `time` holds (UTC years -9999 to 9999), else `None`.
/// `time` lets a local time and an offset name an instant outside that range (its own RFC 3339
/// parser accepts `9999-12-31T23:59:59-23:59`), and converting one to another offset later
/// panics: every time read from outside data passes through here (issue 13, defect 1).
pub(crate) fn representable(t: OffsetDateTime) -> Option<OffsetDateTime> {
    t.checked_to_offset(UtcOffset::UTC).map(|_| t)
}

fn conflict(date: Date) -> Error {
    Error::invalid_field(
        "date",
        format!(
            "{} is given both as a holiday and as a working day",
            format_date(date)
        ),
    )
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD` ([`ErrorKind::InvalidInput`] otherwise).
pub(crate) fn parse_date(s: &str) -> Result<Date> {
    let bad = || Error::invalid_field("date", format!("\"{s}\" is not a date YYYY-MM-DD"));
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    Date::from_calendar_date(
        i32::try_from(y).map_err(|_| bad())?,
        month,
        u8::try_from(d).map_err(|_| bad())?,
    )
    .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::PrimitiveDateTime;
    use time::macros::{date, datetime};

    #[test]
    fn weekends_and_fixed_holidays_are_days_off() {
        let c = BusinessCalendar::new();
        assert!(c.is_business_day(date!(2026 - 11 - 30))); // Monday
        assert!(!c.is_business_day(date!(2026 - 11 - 28))); // Saturday
        assert!(!c.is_business_day(date!(2026 - 11 - 29))); // Sunday
        assert!(!c.is_business_day(date!(2026 - 11 - 04))); // Wednesday, National Unity Day
        assert!(c.is_business_day(date!(2027 - 06 - 11))); // Friday before Russia Day
        assert!(!c.is_business_day(date!(2026 - 06 - 12))); // Friday, Russia Day
        for d in 1..=8 {
            let day = Date::from_calendar_date(2027, Month::January, d).unwrap();
            assert!(!c.is_business_day(day), "January {d}");
        }
        assert!(c.is_business_day(date!(2027 - 01 - 11))); // Monday after the New Year holidays
    }

    #[test]
    fn next_business_day_skips_weekends_and_new_year() {
        let c = BusinessCalendar::new();
        // Friday → Monday.
        assert_eq!(
            c.next_business_day(date!(2026 - 11 - 27)).unwrap(),
            date!(2026 - 11 - 30)
        );
        // Thursday 2026-12-31 → through Jan 1–8 (Fri 8th) and the weekend → Monday 11th.
        assert_eq!(
            c.next_business_day(date!(2026 - 12 - 31)).unwrap(),
            date!(2027 - 01 - 11)
        );
        // Tuesday 2026-11-03 → Thursday (the 4th is a holiday).
        assert_eq!(
            c.next_business_day(date!(2026 - 11 - 03)).unwrap(),
            date!(2026 - 11 - 05)
        );
    }

    #[test]
    fn host_transfers_change_the_answer() {
        let text = "# 2027\n\n2027-01-11 holiday moved from Sat 2027-01-02\n\
                    2026-12-26 working  a Saturday worked\n";
        let c = BusinessCalendar::from_text(text).unwrap();
        assert!(!c.is_business_day(date!(2027 - 01 - 11)));
        assert_eq!(
            c.next_business_day(date!(2026 - 12 - 31)).unwrap(),
            date!(2027 - 01 - 12)
        );
        assert!(c.is_business_day(date!(2026 - 12 - 26)));
        assert_eq!(
            c.next_business_day(date!(2026 - 12 - 25)).unwrap(),
            date!(2026 - 12 - 26)
        );
        let again = BusinessCalendar::from_text(&c.to_text()).unwrap();
        assert_eq!(again, c);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("holidays.txt");
        std::fs::write(&path, text).unwrap();
        assert_eq!(BusinessCalendar::load(&path).unwrap(), c);
        let missing = BusinessCalendar::load(dir.path().join("none.txt")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Io);
        // Not UTF-8 (a Windows-1251 comment on line 2): invalid input naming the line, not I/O.
        let cp1251 = dir.path().join("cp1251.txt");
        std::fs::write(
            &cp1251,
            b"2027-01-11 holiday\n2027-01-12 holiday \xcf\xe5\xf0\xe5\xed\xee\xf1\n",
        )
        .unwrap();
        let e = BusinessCalendar::load(&cp1251).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidInput, Some("line 2")),
            "{e}"
        );
        assert!(
            e.message().contains("cp1251.txt") && e.message().contains("UTF-8"),
            "{e}"
        );
        // A bad line in a file names the file and the line, each once.
        let bad = dir.path().join("bad.txt");
        std::fs::write(&bad, "2027-01-11 holiday\n2027-13-01 holiday\n").unwrap();
        let e = BusinessCalendar::load(&bad).unwrap_err();
        assert_eq!(e.field(), Some("line 2"));
        assert_eq!(e.to_string().matches("line 2").count(), 1, "{e}");
        assert!(e.message().contains("bad.txt"), "{e}");
    }

    #[test]
    fn bad_text_names_the_line() {
        for (text, line) in [
            ("2027-01-11 holiday\n2027-13-01 holiday", "line 2"),
            ("2027-01-11", "line 1"),
            ("# c\n2027-01-11 off", "line 2"),
            ("2027-01-11 holiday\n2027-01-11 working", "line 2"),
            ("27-01-11 holiday", "line 1"),
            ("2027-02-30 holiday", "line 1"),
            ("+027-02-03 holiday", "line 1"),
        ] {
            let e = BusinessCalendar::from_text(text).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{text}");
            assert_eq!(e.field(), Some(line), "{text}: {e}");
            // Said once (issue 13: "line 2: line 2: ...").
            assert_eq!(e.to_string().matches(line).count(), 1, "{e}");
        }
    }

    #[test]
    fn paper_check_counts_in_moscow_time() {
        let c = BusinessCalendar::new();
        // Friday 22:30 UTC is already Saturday 01:30 in Moscow → Monday.
        assert_eq!(
            c.paper_check_by(datetime!(2026-11-27 22:30 UTC)).unwrap(),
            date!(2026 - 11 - 30)
        );
        // Friday 20:00 UTC is Friday 23:00 in Moscow → Monday too.
        assert_eq!(
            c.paper_check_by(datetime!(2026-11-27 20:00 UTC)).unwrap(),
            date!(2026 - 11 - 30)
        );
        // Thursday 10:00 UTC → Friday.
        assert_eq!(
            c.paper_check_by(datetime!(2026-11-26 10:00 UTC)).unwrap(),
            date!(2026 - 11 - 27)
        );
    }

    #[test]
    fn qes_is_loaded_from_noon_of_the_next_business_day() {
        let c = BusinessCalendar::new();
        let t = c
            .qes_loaded_not_before(datetime!(2026-12-30 15:00 +03:00))
            .unwrap();
        assert_eq!(t, datetime!(2026-12-31 12:00 +03:00));
        assert_eq!(t.offset(), MOSCOW);
        let t = c
            .qes_loaded_not_before(datetime!(2026-12-31 10:00 UTC))
            .unwrap();
        assert_eq!(t, datetime!(2027-01-11 09:00 UTC));
        let nsk = BusinessCalendar::new().with_offset(UtcOffset::from_hms(7, 0, 0).unwrap());
        // 2026-11-27 18:00 UTC is Saturday 01:00 in Novosibirsk, Friday 21:00 in Moscow.
        assert_eq!(
            nsk.qes_loaded_not_before(datetime!(2026-11-27 18:00 UTC))
                .unwrap(),
            datetime!(2026-11-30 12:00 +07:00)
        );
        assert_eq!(
            c.qes_loaded_not_before(datetime!(2026-11-27 18:00 UTC))
                .unwrap(),
            datetime!(2026-11-30 12:00 +03:00)
        );
    }

    #[test]
    fn end_of_calendar_and_endless_holidays_are_errors() {
        let c = BusinessCalendar::new();
        assert_eq!(
            c.next_business_day(Date::MAX).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let mut off = BusinessCalendar::new();
        let mut d = date!(2030 - 01 - 01);
        for _ in 0..400 {
            off.add_holiday(d).unwrap();
            d = d.next_day().unwrap();
        }
        assert!(off.next_business_day(date!(2029 - 12 - 31)).is_err());
        assert!(off.add_working_day(date!(2030 - 05 - 05)).is_err());
    }

    #[test]
    fn instants_at_the_end_of_time_are_errors_not_panics() {
        // Issue 13 defect 1: 23:00 UTC on the last day is already year 10000 in Moscow.
        let last = datetime!(9999-12-31 23:00 UTC);
        let c = BusinessCalendar::new();
        for e in [
            c.local_date(last).unwrap_err(),
            c.paper_check_by(last).unwrap_err(),
            c.qes_loaded_not_before(last).unwrap_err(),
            // The next business day exists, but its noon in UTC−12 is past the end.
            BusinessCalendar::new()
                .with_offset(UtcOffset::from_hms(-12, 0, 0).unwrap())
                .qes_loaded_not_before(datetime!(9999-12-30 20:00 UTC))
                .unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        }
        assert_eq!(
            c.local_date(datetime!(9999-12-31 20:59:59 UTC)).unwrap(),
            Date::MAX
        );
        let beyond = PrimitiveDateTime::new(Date::MAX, Time::from_hms(23, 30, 0).unwrap())
            .assume_offset(UtcOffset::from_hms(-1, 0, 0).unwrap());
        assert!(representable(beyond).is_none());
        assert!(representable(last).is_some());
    }
}
