//! Instants, the clinic's zone and wall-clock math. Storage keeps UTC instants; only this
//! module turns them into local dates and times (via jiff's tz database).

use std::{fmt, str::FromStr, time::Duration};

use jiff::{
    Timestamp, ToSpan, Zoned,
    civil::{Date, DateTime, Time},
    tz::TimeZone,
};
use serde::{Deserialize, Deserializer};

/// The clinic's IANA time zone, e.g. `Europe/Berlin`.
#[derive(Clone)]
pub struct ClinicZone {
    name: String,
    tz: TimeZone,
}

impl ClinicZone {
    /// Looks the zone up in the bundled tz database.
    pub fn new(name: &str) -> Result<Self, String> {
        let tz = TimeZone::get(name).map_err(|e| format!("unknown time zone {name:?}: {e}"))?;
        Ok(Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The jiff zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The instant as local time in the clinic.
    pub fn local(&self, at: Timestamp) -> Zoned {
        at.to_zoned(self.tz.clone())
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, at: Timestamp) -> Date {
        self.local(at).date()
    }

    /// The instant of a local wall-clock time. In a spring-forward gap the time is moved
    /// forward by the gap's length; in an autumn fold the earlier instant is taken.
    pub fn instant(&self, local: DateTime) -> Timestamp {
        // `compatible` is RFC 5545's rule and the least surprising for a client.
        match self.tz.to_ambiguous_timestamp(local).compatible() {
            Ok(ts) => ts,
            // Only out-of-range dates fail; those never pass input validation.
            Err(_) => Timestamp::UNIX_EPOCH,
        }
    }

    /// The instant of the start of a local day (midnight, or the first valid time after it).
    pub fn start_of_day(&self, date: Date) -> Timestamp {
        self.instant(date.to_datetime(Time::midnight()))
    }

    /// RFC 3339 with the clinic's offset at that instant, e.g. `2026-03-30T10:00:00+02:00`.
    pub fn rfc3339(&self, at: Timestamp) -> String {
        // Whole seconds, with the zone's offset at that instant (cheaper than a `Zoned`, and
        // this runs for every slot of an availability answer).
        let whole = Timestamp::from_second(at.as_second()).unwrap_or(at);
        whole
            .display_with_offset(self.tz.to_offset(whole))
            .to_string()
    }

    /// The same local wall-clock time `days` calendar days later (DST-proof).
    pub fn same_local_time_after(&self, at: Timestamp, days: i64) -> Timestamp {
        let local = self.local(at).datetime();
        match local.checked_add(days.days()) {
            Ok(dt) => self.instant(dt),
            Err(_) => at,
        }
    }
}

impl fmt::Debug for ClinicZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for ClinicZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        ClinicZone::new(&name).map_err(serde::de::Error::custom)
    }
}

/// A UTC instant stored as whole Unix seconds in a BIGINT column (same on SQLite and PostgreSQL).
pub fn to_db(at: Timestamp) -> i64 {
    at.as_second()
}

/// The instant of a stored BIGINT.
pub fn from_db(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `std::time::Duration` as a jiff span-compatible signed duration.
pub fn sdur(d: Duration) -> jiff::SignedDuration {
    jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::MAX)
}

/// The words for units of time in one language: `(one, many)` for minutes, hours and days.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DurationWords {
    pub minute: (String, String),
    pub hour: (String, String),
    pub day: (String, String),
}

/// A local date in plain English words ("14 May 2027"): the one format of the API's English
/// sentences that name a day (screening waits, the first allowed day).
pub fn date_words(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// A local date with its weekday ("Friday 14 May 2027"), where a person picks a day (the dates
/// a course session may move to).
pub fn weekday_date_words(date: Date) -> String {
    format!("{} {}", date.strftime("%A"), date_words(date))
}

/// A duration as people write it: "24 hours", "2 hours 30 minutes", "7 days", "1 minute".
/// Whole days are named as days only from 48 hours up ("24 hours" reads better than "1 day"
/// for a notice window); seconds are dropped.
pub fn human_duration(d: Duration) -> String {
    let w = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    human_duration_in(
        d,
        &DurationWords {
            minute: w("minute", "minutes"),
            hour: w("hour", "hours"),
            day: w("day", "days"),
        },
    )
}

/// [`human_duration`] in the words of a language (the emails' `locale.toml`).
pub fn human_duration_in(d: Duration, words: &DurationWords) -> String {
    fn part(n: u64, (one, many): &(String, String)) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    }
    let minutes = d.as_secs() / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    if days >= 2 {
        parts.push(part(days, &words.day));
        if hours > 0 {
            parts.push(part(hours, &words.hour));
        }
    } else if minutes >= 60 {
        parts.push(part(minutes / 60, &words.hour));
    }
    if mins > 0 || parts.is_empty() {
        parts.push(part(mins, &words.minute));
    }
    parts.join(" ")
}

/// Parses an RFC 3339 instant; a time without an offset is rejected.
pub fn parse_instant(value: &str) -> Result<Timestamp, String> {
    value.parse::<Timestamp>().map_err(|_| {
        "must be an RFC 3339 time with an offset, e.g. 2026-03-02T10:00:00+01:00".to_owned()
    })
}

/// Parses a local `YYYY-MM-DD` date.
pub fn parse_date(value: &str) -> Result<Date, String> {
    if value.len() != 10 {
        return Err("must be a date YYYY-MM-DD".to_owned());
    }
    value
        .parse::<Date>()
        .map_err(|_| "must be a date YYYY-MM-DD".to_owned())
}

/// A local time of day in whole minutes since midnight; 1440 stands for "24:00".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MinuteOfDay(u16);

impl MinuteOfDay {
    /// Midnight at the end of the day.
    pub const END_OF_DAY: MinuteOfDay = MinuteOfDay(1440);

    /// From minutes since midnight (0..=1440).
    pub fn new(minutes: u16) -> Option<Self> {
        (minutes <= 1440).then_some(Self(minutes))
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Parses `HH:MM` (`24:00` allowed).
    pub fn parse_hhmm(value: &str) -> Result<Self, String> {
        let err = || format!("{value:?} is not a time HH:MM");
        let (h, m) = value.split_once(':').ok_or_else(err)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(err());
        }
        let h: u16 = h.parse().map_err(|_| err())?;
        let m: u16 = m.parse().map_err(|_| err())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(err());
        }
        Ok(Self(h * 60 + m))
    }

    /// `HH:MM`.
    pub fn hhmm(self) -> String {
        format!("{:02}:{:02}", self.0 / 60, self.0 % 60)
    }

    /// The instant of this time of day on a local date.
    pub fn on(self, date: Date, zone: &ClinicZone) -> Timestamp {
        if self.0 == 1440 {
            return match date.tomorrow() {
                Ok(next) => zone.start_of_day(next),
                Err(_) => zone.start_of_day(date),
            };
        }
        let time =
            Time::new((self.0 / 60) as i8, (self.0 % 60) as i8, 0, 0).unwrap_or(Time::midnight());
        zone.instant(date.to_datetime(time))
    }
}

/// Local hours in which no email leaves, e.g. `21:00-08:00`; empty disables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours(Option<(MinuteOfDay, MinuteOfDay)>);

impl QuietHours {
    /// No quiet hours.
    pub const NONE: QuietHours = QuietHours(None);

    /// The window, if any, as (from, until) local minutes; it may wrap past midnight.
    pub fn window(self) -> Option<(MinuteOfDay, MinuteOfDay)> {
        self.0
    }

    /// The earliest instant at or after `at` that lies outside the quiet window.
    pub fn next_allowed(self, at: Timestamp, zone: &ClinicZone) -> Timestamp {
        let Some((from, until)) = self.0 else {
            return at;
        };
        let local = zone.local(at);
        let minute = (local.hour() as u16) * 60 + local.minute() as u16;
        let (f, u) = (from.minutes(), until.minutes());
        let quiet = if f <= u {
            minute >= f && minute < u
        } else {
            minute >= f || minute < u
        };
        if !quiet {
            return at;
        }
        let date = local.date();
        // The window ends today if we are before `until`, otherwise tomorrow.
        let end_date = if minute < u {
            date
        } else {
            date.tomorrow().unwrap_or(date)
        };
        until.on(end_date, zone)
    }
}

impl FromStr for QuietHours {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(Self::NONE);
        }
        let (a, b) = value
            .split_once('-')
            .ok_or_else(|| format!("{value:?} is not a window HH:MM-HH:MM"))?;
        let (a, b) = (
            MinuteOfDay::parse_hhmm(a.trim())?,
            MinuteOfDay::parse_hhmm(b.trim())?,
        );
        if a == b {
            return Err("the window is empty".to_owned());
        }
        Ok(Self(Some((a, b))))
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> ClinicZone {
        ClinicZone::new("Europe/Berlin").unwrap()
    }

    #[test]
    fn dates_in_words() {
        let d = Date::new(2027, 5, 14).unwrap();
        assert_eq!(date_words(d), "14 May 2027");
        assert_eq!(weekday_date_words(d), "Friday 14 May 2027");
    }

    #[test]
    fn same_local_time_survives_spring_forward() {
        let z = berlin();
        let start: Timestamp = "2026-03-16T10:00:00+01:00".parse().unwrap();
        let later = z.same_local_time_after(start, 28);
        assert_eq!(z.rfc3339(later), "2026-04-13T10:00:00+02:00");
    }

    #[test]
    fn rfc3339_has_whole_seconds_and_the_offset_of_the_instant() {
        let at: Timestamp = "2026-07-01T08:00:00.75Z".parse().unwrap();
        assert_eq!(berlin().rfc3339(at), "2026-07-01T10:00:00+02:00");
        let winter: Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();
        assert_eq!(berlin().rfc3339(winter), "2026-12-01T09:00:00+01:00");
        let utc = ClinicZone::new("UTC").unwrap();
        assert_eq!(utc.rfc3339(winter), "2026-12-01T08:00:00+00:00");
        let ny = ClinicZone::new("America/New_York").unwrap();
        assert_eq!(ny.rfc3339(winter), "2026-12-01T03:00:00-05:00");
    }

    #[test]
    fn quiet_hours_hold_until_morning() {
        let z = berlin();
        let q: QuietHours = "21:00-08:00".parse().unwrap();
        let late: Timestamp = "2026-06-01T22:30:00+02:00".parse().unwrap();
        assert_eq!(
            z.rfc3339(q.next_allowed(late, &z)),
            "2026-06-02T08:00:00+02:00"
        );
        let early: Timestamp = "2026-06-02T06:00:00+02:00".parse().unwrap();
        assert_eq!(
            z.rfc3339(q.next_allowed(early, &z)),
            "2026-06-02T08:00:00+02:00"
        );
        let day: Timestamp = "2026-06-02T12:00:00+02:00".parse().unwrap();
        assert_eq!(q.next_allowed(day, &z), day);
        assert_eq!(QuietHours::NONE.next_allowed(late, &z), late);
    }

    #[test]
    fn hhmm_parsing() {
        assert_eq!(
            MinuteOfDay::parse_hhmm("24:00").unwrap(),
            MinuteOfDay::END_OF_DAY
        );
        assert!(MinuteOfDay::parse_hhmm("24:01").is_err());
        assert!(MinuteOfDay::parse_hhmm("9:00").is_err());
        assert!(MinuteOfDay::parse_hhmm("09:60").is_err());
        assert_eq!(MinuteOfDay::parse_hhmm("09:30").unwrap().minutes(), 570);
    }

    #[test]
    fn instants_need_an_offset() {
        assert!(parse_instant("2026-03-02T10:00:00").is_err());
        assert!(parse_instant("2026-03-02T10:00:00Z").is_ok());
        assert!(parse_instant("2026-03-02T10:00:00+01:00").is_ok());
    }

    #[test]
    fn durations_read_as_people_write_them() {
        let h = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(human_duration(h(24)), "24 hours");
        assert_eq!(human_duration(h(1)), "1 hour");
        assert_eq!(
            human_duration(h(2) + Duration::from_secs(1800)),
            "2 hours 30 minutes"
        );
        assert_eq!(human_duration(h(72)), "3 days");
        assert_eq!(human_duration(h(7 * 24)), "7 days");
        assert_eq!(human_duration(h(50)), "2 days 2 hours");
        assert_eq!(human_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(human_duration(Duration::from_secs(15 * 60)), "15 minutes");
        assert_eq!(human_duration(Duration::ZERO), "0 minutes");
    }
}
