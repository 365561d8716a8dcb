//! Date formats the feed formats require, checked strictly: RFC 3339 (Atom, JSON Feed)
//! and RFC 822 as RSS 2.0 uses it (four-digit year, numeric zone, matching weekday).
//!
//! The lenient date reader in `normalise::date` accepts what real feeds write; here the
//! point is to say exactly what is wrong with a date.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

use super::super::Checker;
use super::super::Rule;
use super::super::tree::El;

/// Parses an RFC 3339 timestamp (`2026-03-01T09:30:00Z`, `…+01:00`, fractions allowed);
/// the error says which part is wrong.
pub fn rfc3339(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() >= 20
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !shape_ok {
        return Err("not in the form YYYY-MM-DDThh:mm:ss followed by Z or ±hh:mm".into());
    }
    let zone = &text[19..];
    let zone = match zone.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err("a `.` with no fraction digits".into());
            }
            &fraction[digits..]
        }
        None => zone,
    };
    let zone_ok = zone == "Z"
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && zone.as_bytes()[3] == b':');
    if !zone_ok {
        return Err(format!(
            "time zone \"{zone}\" is not `Z` or ±hh:mm (a zone is required)"
        ));
    }
    DateTime::parse_from_rfc3339(text).map_err(|error| format!("not a real date or time ({error})"))
}

/// What is wrong with an RSS 2.0 date (RFC 822 with a four-digit year), if anything;
/// on success, the instant.
pub fn rfc822(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    let (weekday, rest) = match text.split_once(',') {
        Some((day, rest)) => (Some(day.trim()), rest.trim()),
        None => (None, text),
    };
    // Five words and no more, without a vector per date.
    let mut words = rest.split_whitespace();
    let parts: [&str; 5] = std::array::from_fn(|_| words.next().unwrap_or_default());
    if parts.iter().any(|part| part.is_empty()) || words.next().is_some() {
        return Err("not in the form `Wed, 02 Oct 2002 13:00:00 +0000`".into());
    }
    let day: u32 = parts[0]
        .parse()
        .map_err(|_| format!("day \"{}\" is not a number", parts[0]))?;
    let month = MONTHS
        .iter()
        .position(|m| *m == parts[1])
        .ok_or_else(|| format!("month \"{}\" is not Jan…Dec", parts[1]))? as u32
        + 1;
    if parts[2].len() != 4 || !parts[2].bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("year \"{}\" does not have four digits", parts[2]));
    }
    let year: i32 = parts[2].parse().map_err(|_| "bad year".to_string())?;
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("{} {} {} is not a date", parts[0], parts[1], parts[2]))?;
    let time = plain_time(parts[3])
        .map(Ok)
        .unwrap_or_else(|| NaiveTime::parse_from_str(parts[3], "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(parts[3], "%H:%M"))
        .map_err(|_| format!("time \"{}\" is not hh:mm:ss", parts[3]))?;
    let zone = parts[4];
    let offset = numeric_zone(zone)
        .or_else(|| named_zone(zone))
        .ok_or_else(|| {
            format!(
                "time zone \"{zone}\" is not an RFC 822 zone (write a numeric one such as +0100)"
            )
        })?;
    let offset =
        FixedOffset::east_opt(offset).ok_or_else(|| format!("zone \"{zone}\" is out of range"))?;
    let instant = offset
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(|| "not a real time".to_string())?;
    if let Some(weekday) = weekday {
        let actual = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
        if weekday != actual {
            return Err(format!(
                "{} {} {} is a {actual}, not a {weekday}",
                parts[0], parts[1], parts[2]
            ));
        }
    }
    Ok(instant)
}

/// `hh:mm:ss` written with two digits each and in range, read without chrono's format
/// parser (which reads it the same, but interprets its format string per date: a
/// combined feed has 10,000 dates). Anything else is left to that parser.
fn plain_time(text: &str) -> Option<NaiveTime> {
    let &[h1, h2, b':', m1, m2, b':', s1, s2] = text.as_bytes() else {
        return None;
    };
    let pair = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| u32::from((a - b'0') * 10 + (b - b'0')))
    };
    // `from_hms_opt` refuses an hour over 23 or a minute or second over 59, so 24:00:00
    // and 23:59:60 are left to the format parser.
    NaiveTime::from_hms_opt(pair(h1, h2)?, pair(m1, m2)?, pair(s1, s2)?)
}

/// Why a date is implausible for a feed entry: before 1995 (a zero or truncated timestamp
/// such as 1970-01-01; an archive of older writing is rare enough to flag), or more than
/// two days in the future.
/// Reports `rule` (a family's `date-implausible`) on the date element `el` when its
/// parsed `instant` is [`implausible`].
pub fn report_implausible(
    rule: &'static Rule,
    el: &El,
    label: Option<&str>,
    instant: DateTime<FixedOffset>,
    cx: &mut Checker,
) {
    if let Some(problem) = implausible(instant.to_utc(), cx.now()) {
        cx.report(rule, Some(el), label, format!("<{}>: {problem}", el.name));
    }
}

pub fn implausible(instant: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    if instant.year() < 1995 {
        Some(format!(
            "{} is before feeds existed",
            instant.format("%Y-%m-%d")
        ))
    } else if instant > now + chrono::Duration::days(2) {
        Some(format!(
            "{} is in the future",
            instant.format("%Y-%m-%d %H:%M UTC")
        ))
    } else {
        None
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Whether an RFC 822 date (already accepted by [`rfc822`]) ends in a numeric zone.
pub fn has_numeric_zone(text: &str) -> bool {
    text.split_whitespace()
        .last()
        .is_some_and(|zone| numeric_zone(zone).is_some())
}

/// Seconds east of UTC for the zone names RFC 822 §5.1 defines (not military letters).
fn named_zone(zone: &str) -> Option<i32> {
    let hours = match zone {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Seconds east of UTC for `+hhmm` / `-hhmm`.
fn numeric_zone(zone: &str) -> Option<i32> {
    let bytes = zone.as_bytes();
    if bytes.len() != 5 || !(bytes[0] == b'+' || bytes[0] == b'-') {
        return None;
    }
    if !bytes[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let hours: i32 = zone[1..3].parse().ok()?;
    let minutes: i32 = zone[3..5].parse().ok()?;
    if minutes >= 60 {
        return None;
    }
    let seconds = hours * 3600 + minutes * 60;
    Some(if bytes[0] == b'-' { -seconds } else { seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut reads a time only where chrono's parser reads the same one.
    #[test]
    fn plain_times_agree_with_chrono() {
        let mut read = 0;
        for text in [
            "00:00:00",
            "09:05:07",
            "23:59:59",
            "24:00:00",
            "23:60:00",
            "23:59:60",
            "9:05:07",
            "09:5:07",
            "09:05",
            "09-05-07",
            "0a:05:07",
            "09:05:07 ",
            "+9:05:07",
            "19:99:00",
        ] {
            let chrono = NaiveTime::parse_from_str(text, "%H:%M:%S").ok();
            if let Some(time) = plain_time(text) {
                assert_eq!(Some(time), chrono, "{text}");
                read += 1;
            }
        }
        assert_eq!(read, 3);
        for (text, reads) in [
            ("Fri, 08 Jun 2007 09:00:00 +0000", true),
            ("Fri, 08 Jun 2007 9:00 +0000", true),
            ("Fri, 08 Jun 2007 09:00:00", false),
            ("Fri, 08 Jun 2007 09:00:00 +0000 x", false),
            ("Sat, 08 Jun 2007 09:00:00 +0000", false),
        ] {
            assert_eq!(rfc822(text).is_ok(), reads, "{text}");
        }
    }

    #[test]
    fn rfc3339_accepts_zones_and_fractions_and_says_what_is_wrong() {
        assert!(rfc3339("2026-03-01T09:30:00Z").is_ok());
        assert!(rfc3339("2026-03-01T09:30:00.123+01:00").is_ok());
        assert!(
            rfc3339("2026-03-01 09:30:00Z")
                .unwrap_err()
                .contains("form")
        );
        assert!(rfc3339("2026-03-01T09:30:00").unwrap_err().contains("form"));
        assert!(
            rfc3339("2026-03-01T09:30:00+0100")
                .unwrap_err()
                .contains("zone")
        );
        assert!(
            rfc3339("2026-02-30T09:30:00Z")
                .unwrap_err()
                .contains("real")
        );
    }

    #[test]
    fn rfc822_checks_year_zone_and_weekday() {
        assert!(rfc822("Sun, 01 Mar 2026 09:30:00 +0000").is_ok());
        assert!(rfc822("01 Mar 2026 09:30 -0500").is_ok());
        assert!(
            rfc822("Sun, 01 Mar 26 09:30:00 +0000")
                .unwrap_err()
                .contains("four digits")
        );
        assert!(rfc822("Sun, 01 Mar 2026 09:30:00 GMT").is_ok());
        assert!(!has_numeric_zone("Sun, 01 Mar 2026 09:30:00 GMT"));
        assert!(has_numeric_zone("Sun, 01 Mar 2026 09:30:00 +0100"));
        assert_eq!(
            rfc822("Sun, 01 Mar 2026 09:30:00 EST").unwrap().to_utc(),
            rfc822("Sun, 01 Mar 2026 14:30:00 +0000").unwrap().to_utc()
        );
        assert!(
            rfc822("Sun, 01 Mar 2026 09:30:00 CET")
                .unwrap_err()
                .contains("RFC 822 zone")
        );
        assert!(
            rfc822("Mon, 01 Mar 2026 09:30:00 +0000")
                .unwrap_err()
                .contains("is a Sun")
        );
        assert!(rfc822("2026-03-01T09:30:00Z").is_err());
        assert!(
            rfc822("Sun, 31 Feb 2026 09:30:00 +0000")
                .unwrap_err()
                .contains("not a date")
        );
    }

    #[test]
    fn implausible_dates() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert!(implausible(Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(), now).is_some());
        assert!(implausible(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(), now).is_some());
        assert!(implausible(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(), now).is_none());
    }
}
