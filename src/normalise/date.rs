//! Dates from feeds: RFC 822/2822 and its deviations, RFC 3339/ISO 8601/W3C-DTF, to UTC.

use chrono::{DateTime, Utc};

/// Reads a date in any form feeds use and converts it to UTC; `None` when it cannot be read.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc2822(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|date| date.with_timezone(&Utc))
}
