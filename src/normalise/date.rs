//! Dates from feeds: RFC 822/2822 and its deviations, RFC 3339/ISO 8601/W3C-DTF, to UTC.
//!
//! Feeds write dates every way imaginable, so `parse` is a hand-written, lenient reader
//! with two paths. Text that starts like ISO 8601 (`2024`, `2024-03-05T09:00:00.5+01:00`,
//! `20240305T090000Z`, `2024-W10-2`, `2024-065`, the space-separated SQL form) goes through
//! a strict field-by-field reader. Everything else is split into words and read like
//! RFC 822 as real feeds bend it: weekday ignored (long, short, odd or wrong, English or
//! Dutch; any word before the first comma when the date does not read with it, as
//! `mer, 16 nov 2022`), month names in English, Dutch, German, French, Italian, Spanish
//! or Portuguese (full or abbreviated), day and month in either order, two-digit years
//! (RFC 2822: below 50 is 20xx, else 19xx), missing seconds or time, asctime
//! (`Sun Jan  4 16:29:06 2004`), RFC 850 (`06-Nov-94`), `2006/09/15`, `am`/`pm`.
//!
//! Zones: numeric (`+0100`, `+01:00`, `-05`, `GMT+1`), `Z`, and named ones from a table
//! (North American, European, a few Asian and Australian). RFC 2822 §4.3 says a zone
//! whose meaning is unknown — including the military letters, whose signs RFC 822 got
//! backwards — SHOULD be read as `-0000`, no information; we follow it and read them as
//! UTC. No zone at all is UTC too. Out-of-range values (month 13, 30 February, hour 25,
//! zone +99:99) give `None`, never a guess, and never "now".

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Longer text is not a date: refuse it before doing any work.
const MAX_LEN: usize = 120;

/// Reads a date in any form feeds use and converts it to UTC; `None` when it cannot be read.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    let starts_with_digit = text.as_bytes()[0].is_ascii_digit();
    if starts_with_digit && let Some(date) = parse_iso(text.as_bytes()) {
        return Some(date);
    }
    if let Some(date) = parse_rfc1123(text.as_bytes()) {
        return Some(date);
    }
    parse_words(text)
}

/// The form nearly every RSS date is written in (RFC 822 as RFC 1123 and 2822 fixed it),
/// `Tue, 05 Mar 2024 09:00:00 +0100`, read field by field without splitting it into words
/// or lowercasing copies of them: an optional English weekday abbreviation and comma, a
/// day of one or two digits, an English month abbreviation, a four-digit year,
/// `hh:mm:ss` and a zone `+hhmm`, `-hhmm`, `GMT`, `UT`, `UTC` or `Z`, single spaces
/// between. Anything else, or a value out of range, is `None`, and the word reader, which
/// reads this form to the same date, takes over.
fn parse_rfc1123(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let mut cur = Cursor { bytes, pos: 0 };
    if bytes.get(3..5) == Some(b", ".as_slice()) {
        let weekday = [bytes[0], bytes[1], bytes[2]].map(|byte| byte.to_ascii_lowercase());
        if !is_weekday(std::str::from_utf8(&weekday).ok()?) {
            return None;
        }
        cur.pos = 5;
    }
    let day = match cur.digit_run() {
        1 | 2 => cur.digits(cur.digit_run())?,
        _ => return None,
    };
    let month_at = cur.pos + 1;
    if !cur.eat(b' ') || bytes.get(month_at + 3) != Some(&b' ') {
        return None;
    }
    let month = bytes.get(month_at..month_at + 3)?;
    let month = [month[0], month[1], month[2]].map(|byte| byte.to_ascii_lowercase());
    let month = month_number(std::str::from_utf8(&month).ok()?)?;
    cur.pos = month_at + 4;
    if cur.digit_run() != 4 {
        return None;
    }
    let year = i32::try_from(cur.digits(4)?).ok()?;
    let two = |cur: &mut Cursor, after: u8| -> Option<u32> {
        if !cur.eat(after) || cur.digit_run() != 2 {
            return None;
        }
        cur.digits(2)
    };
    let hour = two(&mut cur, b' ')?;
    let minute = two(&mut cur, b':')?;
    let second = two(&mut cur, b':')?;
    if hour >= 24 || !cur.eat(b' ') {
        return None;
    }
    let offset = match cur.rest() {
        b"GMT" | b"UT" | b"UTC" | b"Z" => 0,
        rest @ [b'+' | b'-', _, _, _, _] => numeric_offset(std::str::from_utf8(rest).ok()?)?,
        _ => return None,
    };
    Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset,
    }
    .to_utc()
}

/// The calendar fields of a date, before validation and zone conversion.
#[derive(Default)]
struct Fields {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Offset east of UTC, in minutes.
    offset: i32,
}

impl Fields {
    /// Validates every field and converts to UTC.
    fn to_utc(&self) -> Option<DateTime<Utc>> {
        if !(1..=9999).contains(&self.year) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(self.year, self.month, self.day)?;
        // RFC 3339 allows a leap second; chrono represents the minute without it.
        let second = if self.second == 60 { 59 } else { self.second };
        // ISO 8601 allows 24:00:00 as the end of a day.
        let (date, hour) = if self.hour == 24 && self.minute == 0 && second == 0 {
            (date.succ_opt()?, 0)
        } else {
            (date, self.hour)
        };
        let time = NaiveTime::from_hms_opt(hour, self.minute, second)?;
        let local = NaiveDateTime::new(date, time);
        let utc = local.checked_sub_signed(Duration::minutes(i64::from(self.offset)))?;
        Some(utc.and_utc())
    }
}

// ---------------------------------------------------------------------------------------
// ISO 8601 / RFC 3339 / W3C-DTF
// ---------------------------------------------------------------------------------------

/// A cursor over the bytes of an ISO 8601 date.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// How many ASCII digits follow.
    fn digit_run(&self) -> usize {
        self.bytes[self.pos..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count()
    }

    /// Reads exactly `count` digits as a number.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + count)?;
        let mut value = 0u32;
        for &byte in slice {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(byte - b'0');
        }
        self.pos += count;
        Some(value)
    }

    /// Skips a fraction (`.5`, `,123`): dates are kept to the second.
    fn skip_fraction(&mut self) -> Option<()> {
        if matches!(self.peek(), Some(b'.' | b',')) {
            self.pos += 1;
            let run = self.digit_run();
            if run == 0 {
                return None;
            }
            self.pos += run;
        }
        Some(())
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn rest(&self) -> &[u8] {
        &self.bytes[self.pos..]
    }
}

/// Reads ISO 8601 in its extended (`2024-03-05T09:00:00Z`) and basic (`20240305T0900Z`)
/// forms, with calendar, ordinal (`2024-065`) or week (`2024-W10-2`) dates, truncated
/// dates (`2024`, `2024-03`), a `T`, `t` or space before the time, and an optional zone.
fn parse_iso(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let mut cur = Cursor { bytes, pos: 0 };
    if cur.digit_run() < 4 {
        return None;
    }
    let mut fields = Fields {
        year: i32::try_from(cur.digits(4)?).ok()?,
        month: 1,
        day: 1,
        ..Fields::default()
    };
    let date = if cur.eat(b'-') {
        read_extended_date(&mut cur, fields.year)?
    } else {
        read_basic_date(&mut cur, fields.year)?
    };
    fields.month = date.0;
    fields.day = date.1;

    // The time, after `T` or spaces; a date alone is midnight UTC.
    let spaces = cur.skip_spaces();
    let has_time = if matches!(cur.peek(), Some(b'T' | b't')) {
        cur.pos += 1;
        true
    } else {
        spaces > 0 && cur.digit_run() >= 1
    };
    if has_time {
        read_time(&mut cur, &mut fields)?;
        fields.offset = read_iso_zone(&mut cur)?;
    } else if spaces > 0 && !cur.rest().is_empty() {
        return None;
    }
    if !cur.rest().is_empty() {
        return None;
    }
    fields.to_utc()
}

/// After `YYYY-`: `MM`, `MM-DD`, `DDD` (ordinal), `Www`, `Www-D`; also Google's
/// three-digit month with an extra leading zero (`2003-012-31`).
fn read_extended_date(cur: &mut Cursor, year: i32) -> Option<(u32, u32)> {
    if cur.eat(b'W') {
        let week = cur.digits(2)?;
        let weekday = if cur.eat(b'-') { cur.digits(1)? } else { 1 };
        return week_date(year, week, weekday);
    }
    match cur.digit_run() {
        2 => {
            let month = cur.digits(2)?;
            let day = if cur.eat(b'-') { cur.digits(2)? } else { 1 };
            Some((month, day))
        }
        3 if cur.rest().get(3) == Some(&b'-') && cur.peek() == Some(b'0') => {
            let month = cur.digits(3)?;
            cur.eat(b'-');
            Some((month, cur.digits(2)?))
        }
        3 => ordinal_date(year, cur.digits(3)?),
        _ => None,
    }
}

/// After `YYYY` with no hyphen: nothing, `MMDD`, `DDD` or `WwwD`.
fn read_basic_date(cur: &mut Cursor, year: i32) -> Option<(u32, u32)> {
    if cur.eat(b'W') {
        let week = cur.digits(2)?;
        let weekday = if cur.digit_run() == 1 {
            cur.digits(1)?
        } else {
            1
        };
        return week_date(year, week, weekday);
    }
    match cur.digit_run() {
        0 => Some((1, 1)),
        4 => Some((cur.digits(2)?, cur.digits(2)?)),
        3 => ordinal_date(year, cur.digits(3)?),
        _ => None,
    }
}

fn ordinal_date(year: i32, ordinal: u32) -> Option<(u32, u32)> {
    use chrono::Datelike;
    let date = NaiveDate::from_yo_opt(year, ordinal)?;
    Some((date.month(), date.day()))
}

fn week_date(year: i32, week: u32, weekday: u32) -> Option<(u32, u32)> {
    use chrono::Datelike;
    let weekday = match weekday {
        1 => chrono::Weekday::Mon,
        2 => chrono::Weekday::Tue,
        3 => chrono::Weekday::Wed,
        4 => chrono::Weekday::Thu,
        5 => chrono::Weekday::Fri,
        6 => chrono::Weekday::Sat,
        7 => chrono::Weekday::Sun,
        _ => return None,
    };
    let date = NaiveDate::from_isoywd_opt(year, week, weekday)?;
    if date.year() != year && date.iso_week().year() != year {
        return None;
    }
    Some((date.month(), date.day()))
}

/// `hh`, `hh:mm`, `hh:mm:ss`, `hhmm`, `hhmmss`, with an optional fraction; one-digit
/// hours are accepted (`9:15`) as feeds write them.
fn read_time(cur: &mut Cursor, fields: &mut Fields) -> Option<()> {
    let hour_digits = match cur.digit_run() {
        1 => 1,
        2 | 4 | 6 => 2,
        _ => return None,
    };
    fields.hour = cur.digits(hour_digits)?;
    if cur.eat(b':') {
        fields.minute = cur.digits(2)?;
        if cur.eat(b':') {
            fields.second = cur.digits(2)?;
        }
    } else if cur.digit_run() >= 2 {
        fields.minute = cur.digits(2)?;
        if cur.digit_run() >= 2 {
            fields.second = cur.digits(2)?;
        }
    }
    cur.skip_fraction()
}

/// `Z`, `+hh:mm`, `+hhmm`, `+hh`, nothing (UTC), or after spaces any zone `zone_offset`
/// knows (`2004-07-08 23:56:58 -00:20`, `2024-03-05 09:00 CET`).
fn read_iso_zone(cur: &mut Cursor) -> Option<i32> {
    let spaced = cur.skip_spaces() > 0;
    let rest = std::str::from_utf8(cur.rest()).ok()?;
    if rest.is_empty() {
        return Some(0);
    }
    if !spaced && !matches!(rest.as_bytes()[0], b'Z' | b'z' | b'+' | b'-') {
        return None;
    }
    let offset = zone_offset(rest)?;
    cur.pos = cur.bytes.len();
    Some(offset)
}

// ---------------------------------------------------------------------------------------
// RFC 822 and everything word-shaped
// ---------------------------------------------------------------------------------------

/// Reads RFC 822/1123/2822/850 dates, asctime and their common deviations word by word.
fn parse_words(text: &str) -> Option<DateTime<Utc>> {
    read_words(text).or_else(|| {
        // A weekday in a language the tables do not know, or one that is also a month
        // abbreviation (Italian `mar`, Tuesday): RFC 822 puts the weekday before a comma.
        let (first, rest) = text.trim_start().split_once(',')?;
        let first = first.trim().trim_end_matches('.');
        (!first.is_empty() && first.chars().all(char::is_alphabetic)).then_some(())?;
        read_words(rest)
    })
}

fn read_words(text: &str) -> Option<DateTime<Utc>> {
    let mut reader = WordReader::default();
    let mut in_comment = false;
    for word in text.split(|c: char| c.is_ascii_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        // RFC 822 comments, usually a zone name after a numeric zone: `+0100 (CET)`.
        if in_comment || word.starts_with('(') {
            in_comment = !word.ends_with(')');
            continue;
        }
        reader.word(word)?;
    }
    reader.finish()
}

#[derive(Default)]
struct WordReader {
    day: Option<u32>,
    month: Option<u32>,
    /// The year and how many digits it was written with.
    year: Option<(i32, usize)>,
    time: Option<(u32, u32, u32)>,
    offset: Option<i32>,
    /// Whether the offset was written as digits (`+0100`), which a zone name after it
    /// only repeats.
    numeric_offset: bool,
    /// Whether the date was `2024-03-05` with a time after it, which the ISO reader would
    /// have read were it not for what follows: only a time and zone may follow.
    dashed: bool,
    /// `Some(true)` after `pm`, `Some(false)` after `am`.
    pm: Option<bool>,
}

impl WordReader {
    fn word(&mut self, word: &str) -> Option<()> {
        // Empty pieces come from splitting `06--Nov`: not a date.
        let &first = word.as_bytes().first()?;
        if first.is_ascii_digit() {
            if word.contains(':') {
                return self.time_word(word);
            }
            if word.contains('/') {
                return self.slashed_date(word, '/');
            }
            if word.len() == 10
                && word
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b'-')
            {
                // `2024-03-05 09:00:00 +0000 UTC`, Go's default date format: the ISO
                // reader refuses the zone name after the offset.
                self.dashed = true;
                return self.slashed_date(word, '-');
            }
            if word.contains('-') && word.bytes().any(|byte| byte.is_ascii_alphabetic()) {
                return word.split('-').try_for_each(|part| self.word(part));
            }
            return self.number(word);
        }
        if first == b'+' || first == b'-' {
            return self.zone(word);
        }
        if word.contains('-') && !word.contains(['+', ':']) && month_number(word).is_none() {
            // RFC 850: `06-Nov-94`, reached here only when it starts with a letter.
            return word.split('-').try_for_each(|part| self.word(part));
        }
        self.name(word)
    }

    /// A word of letters: month, weekday, filler, `am`/`pm` or zone.
    fn name(&mut self, word: &str) -> Option<()> {
        // Unicode lower case: `MÄR`, `DÉC`.
        let lower = word.trim_end_matches('.').to_lowercase();
        if let Some(month) = month_number(&lower) {
            if self.month.is_some() {
                return None;
            }
            self.month = Some(month);
            return Some(());
        }
        // `at` is a filler before the time (`5 March 2024 at 9:00`) and Atlantic time
        // after it.
        let filler =
            matches!(lower.as_str(), "om" | "the" | "of") || (lower == "at" && self.time.is_none());
        if is_weekday(&lower) || filler {
            return Some(());
        }
        match lower.as_str() {
            "am" | "a.m" => return self.meridiem(false),
            "pm" | "p.m" => return self.meridiem(true),
            _ => {}
        }
        // A zone name after a numeric offset (`-0400 EDT`, `+0000 UTC`) names the same
        // zone; the digits are exact, so the name is skipped like an RFC 822 comment.
        if self.numeric_offset && lower.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.numeric_offset = false;
            return zone_offset(word).map(|_| ());
        }
        // A zone only makes sense once there is a time or a complete date.
        if self.offset.is_some() || (self.time.is_none() && self.year.is_none()) {
            return None;
        }
        self.offset = Some(zone_offset(word)?);
        Some(())
    }

    fn meridiem(&mut self, pm: bool) -> Option<()> {
        if self.time.is_none() || self.pm.is_some() {
            return None;
        }
        self.pm = Some(pm);
        Some(())
    }

    /// Digits: a day (1–2 digits, optionally `5th` or `5.`), else a year.
    fn number(&mut self, word: &str) -> Option<()> {
        let digits_end = word
            .bytes()
            .position(|byte| !byte.is_ascii_digit())
            .unwrap_or(word.len());
        let (digits, suffix) = word.split_at(digits_end);
        let suffix = suffix.to_ascii_lowercase();
        let ordinal = matches!(suffix.as_str(), "st" | "nd" | "rd" | "th" | "e" | ".");
        if !suffix.is_empty() && !ordinal {
            // A zone glued to something else, or junk.
            return None;
        }
        if digits.len() > 4 {
            return None;
        }
        let value: u32 = digits.parse().ok()?;
        if digits.len() <= 2 && self.day.is_none() {
            self.day = Some(value);
        } else if self.year.is_none() && !ordinal {
            self.year = Some((i32::try_from(value).ok()?, digits.len()));
        } else {
            return None;
        }
        Some(())
    }

    /// `2006/09/15` (or `2006-09-15`); only year-first, since `03/05/2024` is ambiguous.
    fn slashed_date(&mut self, word: &str, separator: char) -> Option<()> {
        let mut parts = word.split(separator);
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || self.year.is_some() {
            return None;
        }
        if self.month.is_some() || self.day.is_some() {
            return None;
        }
        self.year = Some((year.parse().ok()?, 4));
        self.month = Some(small_number(month)?);
        self.day = Some(small_number(day)?);
        Some(())
    }

    /// `hh:mm`, `hh:mm:ss`, `hh:mm:ss.fff`, possibly with a zone or `pm` glued on.
    fn time_word(&mut self, word: &str) -> Option<()> {
        if self.time.is_some() {
            return None;
        }
        let end = word
            .bytes()
            .position(|byte| !(byte.is_ascii_digit() || byte == b':' || byte == b'.'))
            .unwrap_or(word.len());
        let (clock, glued) = word.split_at(end);
        let clock = match clock.split_once('.') {
            Some((clock, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => clock,
            Some(_) => return None,
            None => clock,
        };
        let mut parts = clock.split(':');
        let hour = small_number(parts.next()?)?;
        let minute = small_number(parts.next()?)?;
        let second = match parts.next() {
            Some(part) => small_number(part)?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        self.time = Some((hour, minute, second));
        if glued.is_empty() {
            Some(())
        } else if glued.starts_with(['+', '-']) {
            self.zone(glued)
        } else {
            self.name(glued)
        }
    }

    fn zone(&mut self, word: &str) -> Option<()> {
        if self.offset.is_some() {
            return None;
        }
        self.offset = Some(zone_offset(word)?);
        self.numeric_offset = word.starts_with(['+', '-']);
        Some(())
    }

    fn finish(self) -> Option<DateTime<Utc>> {
        let (year, digits) = self.year?;
        let year = match digits {
            // RFC 2822 §4.3: two-digit years below 50 are 20xx, others 19xx;
            // three-digit years are 1900 + the value.
            1 | 2 if year < 50 => year + 2000,
            1 | 2 => year + 1900,
            3 => year + 1900,
            _ => year,
        };
        if self.dashed && self.time.is_none() {
            return None;
        }
        let (mut hour, minute, second) = self.time.unwrap_or((0, 0, 0));
        if let Some(pm) = self.pm {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = match (pm, hour) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, hour) => hour + 12,
                (false, hour) => hour,
            };
        }
        if hour == 24 {
            // `24:00` is ISO's end of day; RFC 822 never had it.
            return None;
        }
        Fields {
            year,
            month: self.month?,
            day: self.day?,
            hour,
            minute,
            second,
            offset: self.offset.unwrap_or(0),
        }
        .to_utc()
    }
}

/// One or two digits.
fn small_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Month names in English, Dutch, German, French, Italian, Spanish and Portuguese, full
/// or abbreviated, lower-case, with any trailing dot already removed by the caller where it
/// matters.
fn month_number(lower: &str) -> Option<u32> {
    let lower = lower.trim_end_matches('.');
    let month = match lower {
        // English and Dutch, then German, French, Italian, Spanish and Portuguese forms
        // that are not already there.
        "jan" | "january" | "januari" | "januar" | "janv" | "janvier" | "gen" | "gennaio"
        | "ene" | "enero" | "janeiro" => 1,
        "feb" | "february" | "februari" | "februar" | "févr" | "fevr" | "février" | "fevrier"
        | "febbraio" | "febrero" | "fev" | "fevereiro" => 2,
        "mar" | "march" | "mrt" | "maart" | "mär" | "mrz" | "märz" | "mars" | "marzo" | "março" => {
            3
        }
        "apr" | "april" | "avr" | "avril" | "aprile" | "abr" | "abril" => 4,
        "may" | "mei" | "mai" | "mag" | "maggio" | "mayo" | "maio" => 5,
        "jun" | "june" | "juni" | "juin" | "giu" | "giugno" | "junio" | "junho" => 6,
        "jul" | "july" | "juli" | "juil" | "juillet" | "lug" | "luglio" | "julio" | "julho" => 7,
        "aug" | "august" | "augustus" | "août" | "aout" | "ago" | "agosto" => 8,
        "sep" | "sept" | "september" | "septembre" | "set" | "settembre" | "septiembre"
        | "setiembre" | "setembro" => 9,
        "oct" | "october" | "okt" | "oktober" | "octobre" | "ott" | "ottobre" | "octubre"
        | "out" | "outubro" => 10,
        "nov" | "november" | "novembre" | "noviembre" | "novembro" => 11,
        "dec" | "december" | "dez" | "dezember" | "déc" | "décembre" | "decembre" | "dic"
        | "dicembre" | "diciembre" | "dezembro" => 12,
        _ => return None,
    };
    Some(month)
}

/// Weekday names in English and Dutch, full or abbreviated, including the odd forms
/// feeds use (`Tues`, `Thurs`, `Weds`).
fn is_weekday(lower: &str) -> bool {
    matches!(
        lower,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "weds"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
            | "ma"
            | "maandag"
            | "di"
            | "dinsdag"
            | "wo"
            | "woensdag"
            | "do"
            | "donderdag"
            | "vr"
            | "vrijdag"
            | "za"
            | "zaterdag"
            | "zo"
            | "zondag"
    )
}

/// A zone as an offset east of UTC in minutes: `Z`, `+0100`, `+01:00`, `-05`, `GMT`,
/// `GMT+01:00`, `UTC-5`, `Etc/GMT`, a named zone, or any other short alphabetic name
/// (unknown zones and military letters mean "no information", RFC 2822 §4.3: UTC).
fn zone_offset(zone: &str) -> Option<i32> {
    let zone = zone.trim_end_matches('.');
    if zone.starts_with(['+', '-']) {
        return numeric_offset(zone);
    }
    let lower = zone.to_ascii_lowercase();
    let lower = lower.strip_prefix("etc/").unwrap_or(&lower);
    for prefix in ["gmt", "utc", "ut"] {
        if let Some(rest) = lower.strip_prefix(prefix)
            && rest.starts_with(['+', '-'])
        {
            return numeric_offset(rest);
        }
    }
    let hours = match lower {
        "z" | "ut" | "utc" | "gmt" | "wet" | "uct" | "zulu" => 0,
        "bst" | "west" | "cet" | "met" | "mez" => 60,
        "cest" | "mest" | "mesz" | "eet" => 120,
        "eest" | "msk" => 180,
        "edt" => -240,
        "est" | "et" | "cdt" => -300,
        "cst" | "ct" => -360,
        "mst" | "mt" => -420,
        "mdt" => -360,
        "pst" | "pt" => -480,
        "pdt" => -420,
        "akst" => -540,
        "akdt" => -480,
        "hst" => -600,
        "ast" | "at" => -240,
        "adt" => -180,
        "nst" => -210,
        "ndt" => -150,
        "jst" | "kst" => 540,
        "hkt" | "sgt" | "awst" => 480,
        "aest" => 600,
        "aedt" => 660,
        "acst" => 570,
        "acdt" => 630,
        "nzst" => 720,
        "nzdt" => 780,
        other
            if (1..=5).contains(&other.len()) && other.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            0
        }
        _ => return None,
    };
    Some(hours)
}

/// `+hhmm`, `+hh:mm`, `+hh`, `+h`; hours up to 23 and minutes up to 59.
fn numeric_offset(zone: &str) -> Option<i32> {
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = &zone[1..];
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (hours, minutes) = match digits.split_once(':') {
        Some((hours, minutes)) if minutes.len() == 2 => (hours, minutes),
        Some(_) => return None,
        None => match digits.len() {
            1 | 2 => (digits, "0"),
            3 | 4 => digits.split_at(digits.len() - 2),
            _ => return None,
        },
    };
    if hours.is_empty() || hours.len() > 2 {
        return None;
    }
    if !hours
        .bytes()
        .chain(minutes.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<String> {
        parse(text).map(|date| date.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    fn check(cases: &[(&str, Option<&str>)]) {
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let got = utc(input);
            if got.as_deref() != *expected {
                failures.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn rfc_822_and_its_deviations() {
        check(&[
            (
                "Mon, 04 Mar 2024 10:00:00 +0000",
                Some("2024-03-04T10:00:00Z"),
            ),
            (
                "Mon, 04 Mar 2024 10:00:00 GMT",
                Some("2024-03-04T10:00:00Z"),
            ),
            ("Tue, 5 Mar 2024 09:00:00 EST", Some("2024-03-05T14:00:00Z")),
            ("5 Mar 2024 09:00:00 PDT", Some("2024-03-05T16:00:00Z")),
            (
                "Tues, 05 Mar 2024 09:00:00 +0100",
                Some("2024-03-05T08:00:00Z"),
            ),
            (
                "Thurs, 07 Mar 2024 09:00:00 UTC",
                Some("2024-03-07T09:00:00Z"),
            ),
            (
                "Tuesday, 05 March 2024 09:00:00 UT",
                Some("2024-03-05T09:00:00Z"),
            ),
            // The weekday is wrong: ignored.
            (
                "Wed, 05 Mar 2024 09:00:00 GMT",
                Some("2024-03-05T09:00:00Z"),
            ),
            ("Tue, 05 Mar 2024 09:00 GMT", Some("2024-03-05T09:00:00Z")),
            ("Tue, 05 Mar 24 09:00:00 GMT", Some("2024-03-05T09:00:00Z")),
            ("Fri, 05 Mar 99 09:00:00 GMT", Some("1999-03-05T09:00:00Z")),
            ("Thu, 01 Jan 04 19:48:21 GMT", Some("2004-01-01T19:48:21Z")),
            ("Thu, 01 Jan 49 19:48:21 GMT", Some("2049-01-01T19:48:21Z")),
            ("Thu, 01 Jan 50 19:48:21 GMT", Some("1950-01-01T19:48:21Z")),
            (
                "Thu,  5 Apr 2012 10:00:00 GMT",
                Some("2012-04-05T10:00:00Z"),
            ),
            (
                "Fri,24 Nov 2023 18:28:36 -0000",
                Some("2023-11-24T18:28:36Z"),
            ),
            (
                "Mon, 13 Feb, 2012 06:28:00 UTC",
                Some("2012-02-13T06:28:00Z"),
            ),
            ("Thu, 01 Jan 2004", Some("2004-01-01T00:00:00Z")),
            ("Tue, 05 Mar 2024 09:00:00", Some("2024-03-05T09:00:00Z")),
            ("Tue, 05 Mar 2024 09:00:00 Z", Some("2024-03-05T09:00:00Z")),
            (
                "Tue, 05 Mar 2024 09:00:00 +01:00",
                Some("2024-03-05T08:00:00Z"),
            ),
            (
                "Tue, 05 Mar 2024 09:00:00 -05",
                Some("2024-03-05T14:00:00Z"),
            ),
            (
                "Tue, 05 Mar 2024 09:00:00 +0530",
                Some("2024-03-05T03:30:00Z"),
            ),
            (
                "Tue, 05 Mar 2024 09:00:00 +0100 (CET)",
                Some("2024-03-05T08:00:00Z"),
            ),
            (
                "tue, 05 MAR 2024 09:00:00 gmt",
                Some("2024-03-05T09:00:00Z"),
            ),
            (
                "Wed, 19 Aug 2009 18:28:00 Etc/GMT",
                Some("2009-08-19T18:28:00Z"),
            ),
            (
                "Wed, 19 Feb 2012 22:40:00 GMT-01:01",
                Some("2012-02-19T23:41:00Z"),
            ),
            (
                "Wed, 19 Feb 2012 22:40:00 -01:01",
                Some("2012-02-19T23:41:00Z"),
            ),
            (
                "Thu Aug 30 2012 17:26:16 +0200",
                Some("2012-08-30T15:26:16Z"),
            ),
            (
                "Tue, 05 Mar 2024 09:00:00.123 +0000",
                Some("2024-03-05T09:00:00Z"),
            ),
            (
                "Thu, 01 Jan 0100 00:00:01 +0100",
                Some("0099-12-31T23:00:01Z"),
            ),
            // RFC 850, as HTTP still allows.
            (
                "Sunday, 06-Nov-94 08:49:37 GMT",
                Some("1994-11-06T08:49:37Z"),
            ),
            ("06-Nov-1994 08:49:37 GMT", Some("1994-11-06T08:49:37Z")),
            // Perforce-style slashes, year first.
            ("Fri, 2006/09/15 08:19:53 EDT", Some("2006-09-15T12:19:53Z")),
            // Month before day, as US feeds write it.
            ("March 5, 2024 9:00 PM", Some("2024-03-05T21:00:00Z")),
            ("March 5th, 2024 12:15 am", Some("2024-03-05T00:15:00Z")),
            ("Mar 5 2024 12:00 pm EST", Some("2024-03-05T17:00:00Z")),
            ("5 March 2024 at 9:00", Some("2024-03-05T09:00:00Z")),
            ("2024 Mar 05 10:00:00 GMT", Some("2024-03-05T10:00:00Z")),
            ("Tue, 05 Mar 2024 09:00:00GMT", Some("2024-03-05T09:00:00Z")),
            (
                "Tue, 05 Mar 2024 09:00:00+0100",
                Some("2024-03-05T08:00:00Z"),
            ),
        ]);
    }

    #[test]
    fn a_zone_name_after_a_numeric_offset_repeats_it() {
        check(&[
            (
                "Thu, 05 Oct 2023 14:30:00 -0400 EDT",
                Some("2023-10-05T18:30:00Z"),
            ),
            (
                "Thu, 05 Oct 2023 14:30:00 +0000 GMT",
                Some("2023-10-05T14:30:00Z"),
            ),
            // The digits win over a name that disagrees with them.
            (
                "Thu, 05 Oct 2023 14:30:00 +0200 GMT",
                Some("2023-10-05T12:30:00Z"),
            ),
            // Go's default format.
            (
                "2023-10-05 14:30:00 +0000 UTC",
                Some("2023-10-05T14:30:00Z"),
            ),
            (
                "2023-10-05 14:30:00 -0700 PDT",
                Some("2023-10-05T21:30:00Z"),
            ),
            // Only one name, and only after digits.
            ("Thu, 05 Oct 2023 14:30:00 -0400 EDT EST", None),
            ("Thu, 05 Oct 2023 14:30:00 EDT EST", None),
            ("2023-10-05-01 14:30:00 +0000 UTC", None),
        ]);
    }

    #[test]
    fn named_and_military_zones() {
        check(&[
            (
                "Mon, 26 January 2004 16:31:00 EDT",
                Some("2004-01-26T20:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 CST",
                Some("2004-01-26T22:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 CDT",
                Some("2004-01-26T21:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 MST",
                Some("2004-01-26T23:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 MDT",
                Some("2004-01-26T22:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 PST",
                Some("2004-01-27T00:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 AT",
                Some("2004-01-26T20:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 ET",
                Some("2004-01-26T21:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 CT",
                Some("2004-01-26T22:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 MT",
                Some("2004-01-26T23:31:00Z"),
            ),
            (
                "Mon, 26 January 2004 16:31:00 PT",
                Some("2004-01-27T00:31:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 MET",
                Some("2015-04-30T07:57:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 MEST",
                Some("2015-04-30T06:57:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 CET",
                Some("2015-04-30T07:57:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 CEST",
                Some("2015-04-30T06:57:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 BST",
                Some("2015-04-30T07:57:00Z"),
            ),
            (
                "Thu, 30 Apr 2015 08:57:00 JST",
                Some("2015-04-29T23:57:00Z"),
            ),
            // RFC 2822 §4.3: military letters and unknown names carry no information.
            ("Thu, 30 Apr 2015 08:57:00 A", Some("2015-04-30T08:57:00Z")),
            ("Thu, 30 Apr 2015 08:57:00 N", Some("2015-04-30T08:57:00Z")),
            ("Thu, 30 Apr 2015 08:57:00 Y", Some("2015-04-30T08:57:00Z")),
            (
                "Thu, 30 Apr 2015 08:57:00 XYZT",
                Some("2015-04-30T08:57:00Z"),
            ),
        ]);
    }

    #[test]
    fn dutch_month_and_weekday_names() {
        check(&[
            (
                "di, 05 mrt 2024 09:00:00 +0100",
                Some("2024-03-05T08:00:00Z"),
            ),
            ("dinsdag 5 maart 2024 09:00", Some("2024-03-05T09:00:00Z")),
            ("vr 10 mei 2024 10:00 CEST", Some("2024-05-10T08:00:00Z")),
            ("31 okt 2024", Some("2024-10-31T00:00:00Z")),
            ("1 Januari 2024", Some("2024-01-01T00:00:00Z")),
            (
                "zondag 3 februari 2019 om 14:30",
                Some("2019-02-03T14:30:00Z"),
            ),
            ("15 juni 2023", Some("2023-06-15T00:00:00Z")),
            ("15 juli 2023", Some("2023-07-15T00:00:00Z")),
            ("15 augustus 2023", Some("2023-08-15T00:00:00Z")),
            ("15 oktober 2023", Some("2023-10-15T00:00:00Z")),
            ("15 sept 2023", Some("2023-09-15T00:00:00Z")),
        ]);
    }

    #[test]
    fn other_languages_and_unknown_weekdays() {
        check(&[
            // Il Messaggero: Italian weekday and month.
            (
                "mer, 16 nov 2022 00:38:15 +0100",
                Some("2022-11-15T23:38:15Z"),
            ),
            // `mar` is Tuesday in Italian and March everywhere.
            (
                "mar, 15 nov 2022 10:00:00 +0100",
                Some("2022-11-15T09:00:00Z"),
            ),
            (
                "Mi, 05 MÄR 2025 12:00:00 +0100",
                Some("2025-03-05T11:00:00Z"),
            ),
            (
                "jeu., 12 déc. 2024 08:00:00 GMT",
                Some("2024-12-12T08:00:00Z"),
            ),
            ("12 août 2024", Some("2024-08-12T00:00:00Z")),
            (
                "sáb, 03 ago 2024 10:00:00 -0300",
                Some("2024-08-03T13:00:00Z"),
            ),
            (
                "qua, 02 out 2024 10:00:00 -0300",
                Some("2024-10-02T13:00:00Z"),
            ),
            ("1 gennaio 2024", Some("2024-01-01T00:00:00Z")),
            ("15 Oktober 2024 09:30", Some("2024-10-15T09:30:00Z")),
            // The word before the comma is only skipped when the rest is a date.
            ("foo, bar", None),
            ("Nov, 2024", None),
        ]);
    }

    #[test]
    fn asctime() {
        check(&[
            ("Sun Jan  4 16:29:06 2004", Some("2004-01-04T16:29:06Z")),
            ("Sun Jan  4 16:29:06 PST 2004", Some("2004-01-05T00:29:06Z")),
            (
                "Sun Jul 15 01:16:00 +0000 2012",
                Some("2012-07-15T01:16:00Z"),
            ),
        ]);
    }

    #[test]
    fn iso_8601_rfc_3339_and_w3c_dtf() {
        check(&[
            ("2003-12-31T10:14:55Z", Some("2003-12-31T10:14:55Z")),
            ("2003-12-31t10:14:55z", Some("2003-12-31T10:14:55Z")),
            ("2003-12-31T10:14:55-08:00", Some("2003-12-31T18:14:55Z")),
            ("2003-12-31T18:14:55+08:00", Some("2003-12-31T10:14:55Z")),
            (
                "2007-04-23T23:25:47.538+10:00",
                Some("2007-04-23T13:25:47Z"),
            ),
            ("2003-12-31T10:14:55.1234Z", Some("2003-12-31T10:14:55Z")),
            ("2003-12-31T10:14:55,5Z", Some("2003-12-31T10:14:55Z")),
            ("2003-12-31", Some("2003-12-31T00:00:00Z")),
            ("2003-12", Some("2003-12-01T00:00:00Z")),
            ("2003", Some("2003-01-01T00:00:00Z")),
            ("2024-03-05T09:00", Some("2024-03-05T09:00:00Z")),
            ("2024-03-05T09:00+01:00", Some("2024-03-05T08:00:00Z")),
            ("2024-03-05T09", Some("2024-03-05T09:00:00Z")),
            ("2024-03-05 09:00:00", Some("2024-03-05T09:00:00Z")),
            ("2004-07-08 23:56:58 -00:20", Some("2004-07-09T00:16:58Z")),
            ("2004-07-08 23:56:58.0", Some("2004-07-08T23:56:58Z")),
            ("2024-03-05 09:00:00 CET", Some("2024-03-05T08:00:00Z")),
            ("2024-03-05T09:00:00+0100", Some("2024-03-05T08:00:00Z")),
            ("2024-03-05T09:00:00-05", Some("2024-03-05T14:00:00Z")),
            ("2024-03-05T9:15-05:00", Some("2024-03-05T14:15:00Z")),
            ("20240305T090000Z", Some("2024-03-05T09:00:00Z")),
            ("20240305T0900+0100", Some("2024-03-05T08:00:00Z")),
            ("20240305", Some("2024-03-05T00:00:00Z")),
            ("2024-065", Some("2024-03-05T00:00:00Z")),
            ("2024065", Some("2024-03-05T00:00:00Z")),
            ("2024-W10-2", Some("2024-03-05T00:00:00Z")),
            ("2024W102", Some("2024-03-05T00:00:00Z")),
            ("2024-W10", Some("2024-03-04T00:00:00Z")),
            ("2003-012-31T10:14:55+00:00", Some("2003-12-31T10:14:55Z")),
            ("2024-03-05T23:59:60Z", Some("2024-03-05T23:59:59Z")),
            ("2024-03-05T24:00:00Z", Some("2024-03-06T00:00:00Z")),
            ("  2024-03-05T09:00:00Z \n", Some("2024-03-05T09:00:00Z")),
            // Rollovers across leap days.
            ("2004-02-28T18:14:55-08:00", Some("2004-02-29T02:14:55Z")),
            ("2003-02-28T18:14:55-08:00", Some("2003-03-01T02:14:55Z")),
            ("2000-02-28T18:14:55-08:00", Some("2000-02-29T02:14:55Z")),
        ]);
    }

    #[test]
    fn out_of_range_and_garbage_give_none() {
        check(&[
            ("", None),
            ("   ", None),
            ("not a date", None),
            ("yesterday", None),
            ("2024-13-05", None),
            ("2024-02-30", None),
            ("2023-02-29", None),
            ("2003-12-31T25:14:55Z", None),
            ("2003-12-31T10:61:55Z", None),
            ("2003-12-31T10:14:61Z", None),
            ("9999-12-31T23:59:59-99:99", None),
            ("22013", None),
            ("013", None),
            ("2013-01-27-01", None),
            ("2013-01-28T11:30:00-06:00Textra", None),
            ("2013-xx-27", None),
            ("2013-01-28T09:xx:00Z", None),
            ("2013-01-28T09:00:00+00:xx", None),
            ("2024-03-05T24:30:00Z", None),
            ("Sun, 16 Dec 2012 1:2:3:4 GMT", None),
            ("Sun, 16 zzz 2012 11:47:32 GMT", None),
            ("Sun, Dec x 2012 11:47:32 GMT", None),
            ("Sun, 16 Dec zz 11:47:32 GMT", None),
            ("Sun, 16 Dec 2012 11:47:32 +zz:00", None),
            ("Sun, 16 Dec 2012 11:47:32 +00:zz", None),
            ("Sun, 99 Jun 2009 12:00:00 GMT", None),
            ("Sun, 31 Dec 9999 23:59:59 -9999", None),
            ("Tue, 30 Feb 2024 09:00:00 GMT", None),
            ("Tue, 05 Foo 2024 09:00:00 GMT", None),
            ("Tue, 05 Mar 2024 25:00:00 GMT", None),
            ("Tue, 05 Mar 2024 13:00 PM", None),
            ("Tue, 05 Mar 2024 09:00:00 GMT GMT", None),
            ("Mar Apr 5 2024", None),
            ("03/05/2024", None),
            ("1709629200", None),
            ("-2024-03-05", None),
            ("2024-03-05T", None),
            ("2024-03-05 junk", None),
        ]);
    }

    const FUZZ_ROUNDS: usize = 20_000;

    #[test]
    fn the_rfc_1123_path_reads_what_the_word_reader_reads() {
        let mut fast = 0;
        for weekday in [
            "",
            "Tue, ",
            "tue, ",
            "SUN, ",
            "Dinsdag, ",
            "Xyz, ",
            "Tue,  ",
        ] {
            for day in ["5", "05", "31", "00", "123", "x"] {
                for month in ["Mar", "mar", "FEB", "Dec", "Mrt", "March", "M4r"] {
                    for year in ["2024", "1999", "0000", "24", "20245"] {
                        for time in [
                            "09:00:00", "23:59:60", "24:00:00", "9:00:00", "09:00", "12:61:00",
                        ] {
                            for zone in [
                                "+0000", "-0530", "+2400", "+0099", "GMT", "UT", "UTC", "Z", "EST",
                                "+01:00", "",
                            ] {
                                let text = format!("{weekday}{day} {month} {year} {time} {zone}");
                                let text = text.trim();
                                let quick = parse_rfc1123(text.as_bytes());
                                if quick.is_some() {
                                    fast += 1;
                                    // The word reader itself, not `parse`, which
                                    // would answer by the quick path again.
                                    assert_eq!(quick, read_words(text), "{text}");
                                }
                            }
                        }
                    }
                }
            }
        }
        // The common forms take the quick path.
        assert!(fast > 1000, "{fast}");
        assert_eq!(
            parse_rfc1123(b"Tue, 05 Mar 2024 09:00:00 +0100").map(|date| date.to_rfc3339()),
            Some("2024-03-05T08:00:00+00:00".to_string())
        );
        assert_eq!(parse_rfc1123(b"Tue, 05 Mar 2024 24:00:00 GMT"), None);
        assert_eq!(parse_rfc1123(b"Tue, 30 Feb 2024 09:00:00 GMT"), None);
        assert_eq!(parse_rfc1123(b"05 Mar 2024 09:00:00 EST"), None);
        assert_eq!(parse_rfc1123(b"Tue, 05 Mar 2024 09:00:00"), None);
    }

    #[test]
    fn hostile_input_never_panics() {
        let pieces = [
            "Tue", ",", " ", "05", "Mar", "2024", "09:00:00", "GMT", "+0100", "-", "--", "/", ":",
            "T", "Z", "W", ".", "pm", "(", ")", "9999", "0", "é", "-05:", "+", "24:00", "60", "1",
            "12", "123", "2024-", "W1", "t", "at", "Etc/", "utc", "00", ",5", "am", "3rd",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..FUZZ_ROUNDS {
            let mut text = String::new();
            for _ in 0..(seed % 9) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let _ = parse(&text);
            seed = seed.wrapping_add(1);
        }
        assert_eq!(parse("Sun, 06--Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse("06-Nov- 08:49:37"), None);
    }

    #[test]
    fn overlong_input_is_refused_without_work() {
        let long = format!(
            "Tue, 05 Mar 2024 09:00:00 GMT{}",
            " ".repeat(10) + &"x".repeat(200)
        );
        assert_eq!(parse(&long), None);
    }

    #[test]
    fn result_is_utc_for_every_zone_form() {
        let expected = parse("2024-03-05T08:00:00Z");
        for text in [
            "2024-03-05T09:00:00+01:00",
            "Tue, 05 Mar 2024 09:00:00 +0100",
            "Tue, 05 Mar 2024 09:00:00 CET",
            "Tue, 05 Mar 2024 03:00:00 EST",
            "Tue, 05 Mar 2024 09:00:00 GMT+1",
            "Tue, 05 Mar 2024 09:00:00 UTC+01:00",
        ] {
            assert_eq!(parse(text), expected, "{text}");
        }
    }
}
