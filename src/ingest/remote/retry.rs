//! When to try a failing source again: exponential back-off across runs, and the
//! server's own `Retry-After` (RFC 9110 §10.2.3: delay seconds or an HTTP date).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest wait omroep accepts from a `Retry-After`, so that a broken header cannot
/// silence a source for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);

/// Exponential back-off: after the n-th consecutive failure wait `base · 2^(n-1)`,
/// never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 15 minutes, doubling per failure, at most a day: a source down for a day is
    /// still tried daily, and an hourly cron run does not hammer a broken server.
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(15 * 60),
            max: Duration::from_secs(24 * 3600),
        }
    }
}

impl Backoff {
    /// The next allowed fetch after a failure, given the failures counted before it.
    pub fn next_fetch(&self, failures_before: u32, now: DateTime<Utc>) -> DateTime<Utc> {
        let factor = 1u32
            .checked_shl(failures_before.min(31))
            .unwrap_or(u32::MAX);
        let wait = self.base.saturating_mul(factor).min(self.max);
        now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
    }
}

/// Reads a `Retry-After` value: the time before which the server asks not to be asked
/// again. A date in the past means now; waits beyond [`MAX_RETRY_AFTER`] are shortened.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let date: DateTime<Utc> = httpdate::parse_http_date(value).ok()?.into();
        (date - now).to_std().unwrap_or(Duration::ZERO)
    };
    let wait = wait.min(MAX_RETRY_AFTER);
    Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 10, 12, 0, 0).unwrap()
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let later = |s: i64| Some(now() + chrono::Duration::seconds(s));
        assert_eq!(retry_after("120", now()), later(120));
        assert_eq!(retry_after(" 0 ", now()), later(0));
        assert_eq!(
            retry_after("Fri, 10 Jan 2025 13:30:00 GMT", now()),
            later(5400)
        );
        // Obsolete RFC 850 form, still allowed for recipients.
        assert_eq!(
            retry_after("Friday, 10-Jan-25 12:01:00 GMT", now()),
            later(60)
        );
        // In the past: now. Absurdly far: a week.
        assert_eq!(
            retry_after("Fri, 10 Jan 2020 13:30:00 GMT", now()),
            later(0)
        );
        assert_eq!(retry_after("99999999999", now()), later(7 * 24 * 3600));
        assert_eq!(retry_after("soon", now()), None);
        assert_eq!(retry_after("-5", now()), None);
    }

    #[test]
    fn backoff_doubles_up_to_its_maximum() {
        let backoff = Backoff::default();
        let minutes = |failures| (backoff.next_fetch(failures, now()) - now()).num_minutes();
        assert_eq!(minutes(0), 15);
        assert_eq!(minutes(1), 30);
        assert_eq!(minutes(3), 120);
        assert_eq!(minutes(7), 24 * 60);
        assert_eq!(minutes(1000), 24 * 60);
    }
}
