//! Episode durations (`itunes:duration` and friends) to whole seconds.
//!
//! Apple documents seconds (`3723`) or `H:MM:SS`/`MM:SS`, and feeds add every variation:
//! one-digit fields (`1:2:3`), minutes past 59 (`75:30`), a fraction (`1:02:03.5`, `90.5`),
//! stray spaces, and now and then an ISO 8601 duration (`PT1H2M3S`). Fractions are cut
//! off, as podcast clients do. Anything else — negative values, letters, empty fields,
//! more than three fields, a number too large for a `u64` — is `None`. The arithmetic is
//! checked integer arithmetic throughout: no float conversion can overflow.

/// Reads `3723`, `62:03`, `1:02:03`, `1:02:03.5` (with stray spaces) as whole seconds.
pub fn parse(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.starts_with(['P', 'p']) {
        return iso_8601(text);
    }
    let fields: Vec<&str> = text.split(':').map(str::trim).collect();
    if fields.len() > 3 {
        return None;
    }
    let last = fields.len() - 1;
    let mut seconds = 0u64;
    for (index, field) in fields.iter().enumerate() {
        // Only the seconds may carry a fraction; only the leading field may exceed 99.
        let whole = if index == last {
            strip_fraction(field)?
        } else {
            field
        };
        if whole.is_empty() || (index > 0 && whole.len() > 2) {
            return None;
        }
        seconds = seconds.checked_mul(60)?.checked_add(digits(whole)?)?;
    }
    Some(seconds)
}

/// `12.5` → `12`; `12.` and `.5` are not numbers.
fn strip_fraction(field: &str) -> Option<&str> {
    match field.split_once('.') {
        None => Some(field),
        Some((whole, fraction)) => {
            let digits_only = !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit());
            digits_only.then_some(whole)
        }
    }
}

/// An unsigned decimal number, overflow-checked.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |value, byte| {
        if !byte.is_ascii_digit() {
            return None;
        }
        value.checked_mul(10)?.checked_add(u64::from(byte - b'0'))
    })
}

/// `PT1H2M3S`, `PT45M`, `P1DT2H`, `PT90.5S`: days, hours, minutes, seconds.
fn iso_8601(text: &str) -> Option<u64> {
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut seconds = 0u64;
    let mut any = false;
    for (part, units) in [
        (date_part, &[('D', 86_400u64)][..]),
        (
            time_part.unwrap_or(""),
            &[('H', 3_600u64), ('M', 60), ('S', 1)][..],
        ),
    ] {
        let mut remaining = part;
        for &(unit, factor) in units {
            if let Some((number, after)) = remaining.split_once(unit) {
                let number = if unit == 'S' {
                    strip_fraction(number)?
                } else {
                    number
                };
                seconds = seconds.checked_add(digits(number)?.checked_mul(factor)?)?;
                remaining = after;
                any = true;
            }
        }
        if !remaining.is_empty() {
            return None;
        }
    }
    if time_part == Some("") {
        return None;
    }
    any.then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_seen_in_feeds() {
        let cases: &[(&str, Option<u64>)] = &[
            ("3723", Some(3723)),
            ("0", Some(0)),
            ("62:03", Some(3723)),
            ("1:02:03", Some(3723)),
            ("01:02:03", Some(3723)),
            ("1:02:03.5", Some(3723)),
            ("1:02:03.999", Some(3723)),
            (" 1:02:03 ", Some(3723)),
            ("\t1:02:03\n", Some(3723)),
            ("1 : 02 : 03", Some(3723)),
            ("1:2:3", Some(3723)),
            ("90.5", Some(90)),
            ("00:45:00", Some(2700)),
            ("45:00", Some(2700)),
            ("75:30", Some(4530)),
            ("25:03:30", Some(90210)),
            ("00:00", Some(0)),
            ("61:08", Some(3668)),
            ("PT1H2M3S", Some(3723)),
            ("pt45m", Some(2700)),
            ("PT90.5S", Some(90)),
            ("P1DT1S", Some(86_401)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn negative_garbage_and_overflow_are_none() {
        let cases = [
            "",
            "   ",
            "-5",
            "-1:00",
            "1:-5",
            "abc",
            "12 minutes",
            "1:02:03:04",
            "1::03",
            ":30",
            "30:",
            "1.5:00",
            "1:02.5:03",
            "90.",
            ".5",
            "1:002",
            "1e3",
            "+60",
            "NaN",
            "inf",
            "99999999999999999999999",
            "18446744073709551615:00",
            "P",
            "PT",
            "PTxS",
            "PT1X",
            "P1H",
        ];
        for input in cases {
            assert_eq!(parse(input), None, "{input:?}");
        }
    }

    #[test]
    fn largest_values_do_not_overflow() {
        assert_eq!(parse("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse("18446744073709551616"), None);
        assert_eq!(parse("307445734561825860:15"), Some(u64::MAX));
        assert_eq!(parse("307445734561825861:00"), None);
    }
}
