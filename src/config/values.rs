//! Checked value types used by both config files: http(s) URLs, language tags, safe names
//! and relative paths. Each checks itself while it is deserialised, so a bad value is
//! reported by the TOML parser with the value's own line and key.

use std::fmt;

use serde::{Deserialize, Deserializer, de::Error as _};
use url::Url;

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(pub Url);

impl HttpUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = Url::parse(text.trim()).map_err(|error| {
            format!("`{text}` is not a URL ({error}); expected an absolute http(s) URL")
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "`{text}` is not an http(s) URL; expected something like `https://example.org/`"
            ));
        }
        Ok(HttpUrl(url))
    }

    /// The URL as a folder: with a trailing slash, so relative paths join beneath it.
    pub fn into_folder(self) -> Url {
        let mut url = self.0;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HttpUrl::parse(&text).map_err(D::Error::custom)
    }
}

/// A BCP 47 language tag, lower-cased (`nl`, `en-gb`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language(pub String);

impl Language {
    pub fn parse(text: &str) -> Result<Self, String> {
        let tag = text.trim().replace('_', "-");
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or("");
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        let rest_ok = parts.all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if !primary_ok || !rest_ok {
            return Err(format!(
                "`{text}` is not a language tag; expected a BCP 47 tag such as `nl` or `en-GB`"
            ));
        }
        Ok(Language(tag.to_ascii_lowercase()))
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Language::parse(&text).map_err(D::Error::custom)
    }
}

/// A relative path made of plain segments: no `..`, no leading `/`, no backslashes, no
/// hidden segments. Used for output paths, which become both file paths and URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPath(pub String);

impl OutputPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().trim_matches('/');
        let expected = "expected a relative path of letters, digits, `-`, `_` and `.` \
                        separated by `/`, such as `blog/nl`";
        if trimmed.is_empty() {
            return Err(format!("an empty path is not allowed; {expected}"));
        }
        for segment in trimmed.split('/') {
            let plain = !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !plain {
                return Err(format!("`{text}` is not allowed; {expected}"));
            }
        }
        Ok(OutputPath(trimmed.to_string()))
    }
}

impl<'de> Deserialize<'de> for OutputPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        OutputPath::parse(&text).map_err(D::Error::custom)
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that must not be empty once trimmed (titles, names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(D::Error::custom("must not be empty"));
        }
        Ok(Text(trimmed.to_string()))
    }
}

/// An IANA time zone name (`Europe/Amsterdam`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(text: &str) -> Result<Self, String> {
        let name = text.trim();
        name.parse::<chrono_tz::Tz>().map(TimeZone).map_err(|_| {
            format!(
                "`{text}` is not a time zone name; expected an IANA name such as \
                 `Europe/Amsterdam`, `America/New_York` or `UTC`"
            )
        })
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TimeZone::parse(&text).map_err(D::Error::custom)
    }
}

/// A plausible e-mail address (`name@host.tld`); podcast directories send mail to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(pub String);

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let trimmed = text.trim();
        let valid = trimmed.split_once('@').is_some_and(|(local, host)| {
            !local.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !trimmed
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>')
        });
        if !valid {
            return Err(D::Error::custom(format!(
                "`{text}` is not an e-mail address; expected something like `me@example.org`"
            )));
        }
        Ok(Email(trimmed.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http() {
        assert!(HttpUrl::parse("https://example.org").is_ok());
        assert!(HttpUrl::parse("ftp://example.org/").is_err());
        assert!(HttpUrl::parse("example.org").is_err());
        let folder = HttpUrl::parse("https://example.org/site").unwrap();
        assert_eq!(folder.into_folder().as_str(), "https://example.org/site/");
    }

    #[test]
    fn language_tags() {
        assert_eq!(Language::parse("en_GB").unwrap().0, "en-gb");
        assert!(Language::parse("Dutch language").is_err());
        assert!(Language::parse("").is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            TimeZone::parse(" Europe/Amsterdam ").unwrap().0,
            chrono_tz::Tz::Europe__Amsterdam
        );
        assert_eq!(TimeZone::parse("UTC").unwrap().0, chrono_tz::Tz::UTC);
        let error = TimeZone::parse("Amsterdam").unwrap_err();
        assert!(
            error.starts_with("`Amsterdam` is not a time zone name"),
            "{error}"
        );
        assert!(TimeZone::parse("CET+1").is_err());
    }

    #[test]
    fn output_paths_stay_inside() {
        assert_eq!(OutputPath::parse("/blog/nl/").unwrap().0, "blog/nl");
        for bad in ["../x", "a/../b", ".hidden", "a\\b", "", "a//b", "a b"] {
            assert!(OutputPath::parse(bad).is_err(), "{bad}");
        }
    }
}
