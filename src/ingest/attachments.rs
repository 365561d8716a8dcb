//! Episode attachments: transcripts (WebVTT, SRT, JSON, HTML, plain text) and chapters
//! (Podcasting 2.0 JSON chapters), checked before they are published beside the feed.
//!
//! A podcast app that meets a broken caption file shows nothing or garbage, so local
//! files are parsed here: WebVTT and SRT cue by cue (timings readable, start ≤ end),
//! JSON transcripts as JSON, HTML and text as UTF-8; chapters need a `version` and a
//! `chapters` list whose `startTime`s ascend. Each failure names the line or chapter.

use serde_json::Value as Json;

/// The largest attachment we read.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;

/// The transcript MIME type for a file name (by extension), as `podcast:transcript`
/// expects it.
pub fn transcript_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "vtt" => "text/vtt",
        "srt" => "application/x-subrip",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        _ => return None,
    })
}

/// The MIME type of Podcasting 2.0 chapters.
pub const CHAPTERS_TYPE: &str = "application/json+chapters";

/// Checks a transcript's content for its MIME type.
pub fn check_transcript(bytes: &[u8], mime_type: &str) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (byte {}); save it as UTF-8",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match mime_type {
        "text/vtt" => check_webvtt(text),
        "application/x-subrip" | "application/srt" => check_srt(text),
        "application/json" => serde_json::from_str::<Json>(text)
            .map(|_| ())
            .map_err(|e| format!("is not valid JSON: {e}")),
        _ if text.trim().is_empty() => Err("is empty".to_string()),
        _ => Ok(()),
    }
}

/// A WebVTT file: the `WEBVTT` signature, then blocks; every cue has a readable timing.
fn check_webvtt(text: &str) -> Result<(), String> {
    let mut lines = text.lines().enumerate();
    let first = lines.next().map(|(_, l)| l).unwrap_or("");
    let signature_ok =
        first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t");
    if !signature_ok {
        return Err("line 1: a WebVTT file starts with `WEBVTT`".to_string());
    }
    let mut cues = 0;
    for (index, line) in lines {
        if !line.contains("-->") {
            continue;
        }
        let (start, rest) = line.split_once("-->").unwrap_or((line, ""));
        let end = rest.split_whitespace().next().unwrap_or("");
        let start_s = vtt_time(start.trim());
        let end_s = vtt_time(end);
        match (start_s, end_s) {
            (Some(a), Some(b)) if a <= b => cues += 1,
            (Some(_), Some(_)) => {
                return Err(format!("line {}: the cue ends before it starts", index + 1));
            }
            _ => {
                return Err(format!(
                    "line {}: expected a timing such as `00:01.000 --> 00:04.500`, found `{}`",
                    index + 1,
                    line.trim()
                ));
            }
        }
    }
    if cues == 0 {
        return Err("has no cues (no `00:00.000 --> 00:01.000` lines)".to_string());
    }
    Ok(())
}

/// `hh:mm:ss.ttt` or `mm:ss.ttt` (WebVTT) in seconds.
fn vtt_time(text: &str) -> Option<f64> {
    clock(text, '.')
}

/// `[hh:]mm:ss<sep>ttt` with exactly three fraction digits.
fn clock(text: &str, separator: char) -> Option<f64> {
    let (whole, millis) = text.split_once(separator)?;
    if millis.len() != 3 || !millis.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = whole.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut seconds = 0f64;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let n: f64 = part.parse().ok()?;
        let last_two = i + 2 >= parts.len();
        if last_two && (part.len() != 2 || n >= 60.0) {
            return None;
        }
        seconds = seconds * 60.0 + n;
    }
    Some(seconds + millis.parse::<f64>().ok()? / 1000.0)
}

/// An SRT file: blocks of a number, a `00:00:01,000 --> 00:00:04,500` line and text.
fn check_srt(text: &str) -> Result<(), String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut cues = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        if lines[i].trim().parse::<u64>().is_err() {
            return Err(format!(
                "line {}: expected a cue number, found `{}`",
                i + 1,
                lines[i].trim()
            ));
        }
        let timing_line = i + 1;
        let timing = lines.get(timing_line).copied().unwrap_or("");
        let (start, end) = timing.split_once("-->").unwrap_or(("", ""));
        let end = end.split_whitespace().next().unwrap_or("");
        match (clock(start.trim(), ','), clock(end, ',')) {
            (Some(a), Some(b)) if a <= b => {}
            (Some(_), Some(_)) => {
                return Err(format!(
                    "line {}: the cue ends before it starts",
                    timing_line + 1
                ));
            }
            _ => {
                return Err(format!(
                    "line {}: expected a timing such as `00:00:01,000 --> 00:00:04,500`, found `{}`",
                    timing_line + 1,
                    timing.trim()
                ));
            }
        }
        cues += 1;
        i = timing_line + 1;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
    }
    if cues == 0 {
        return Err("has no cues".to_string());
    }
    Ok(())
}

/// What a valid chapters file holds, for a sanity check against the audio.
#[derive(Debug, Clone, PartialEq)]
pub struct ChaptersSummary {
    pub count: usize,
    pub last_start: f64,
}

/// Checks a Podcasting 2.0 chapters file.
pub fn check_chapters(bytes: &[u8]) -> Result<ChaptersSummary, String> {
    let json: Json =
        serde_json::from_slice(bytes).map_err(|e| format!("is not valid JSON: {e}"))?;
    let Some(object) = json.as_object() else {
        return Err("must be a JSON object with `version` and `chapters`".to_string());
    };
    match object.get("version") {
        Some(Json::String(v)) if !v.trim().is_empty() => {}
        Some(_) => return Err("`version` must be text such as \"1.2.0\"".to_string()),
        None => return Err("has no `version`; add \"version\": \"1.2.0\"".to_string()),
    }
    let Some(chapters) = object.get("chapters").and_then(Json::as_array) else {
        return Err("has no `chapters` list".to_string());
    };
    if chapters.is_empty() {
        return Err("has an empty `chapters` list".to_string());
    }
    let mut previous: Option<f64> = None;
    for (index, chapter) in chapters.iter().enumerate() {
        let number = index + 1;
        let start = chapter
            .get("startTime")
            .and_then(Json::as_f64)
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| {
                format!("chapter {number} has no `startTime` in seconds (a number of 0 or more)")
            })?;
        if let Some(before) = previous
            && start <= before
        {
            return Err(format!(
                "chapter {number} starts at {start} s, not after chapter {index} at {before} s; `startTime`s must ascend"
            ));
        }
        previous = Some(start);
    }
    Ok(ChaptersSummary {
        count: chapters.len(),
        last_start: previous.unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_types_by_extension() {
        assert_eq!(transcript_type("ep1.VTT"), Some("text/vtt"));
        assert_eq!(transcript_type("ep1.srt"), Some("application/x-subrip"));
        assert_eq!(transcript_type("ep1.json"), Some("application/json"));
        assert_eq!(transcript_type("ep1.htm"), Some("text/html"));
        assert_eq!(transcript_type("ep1.txt"), Some("text/plain"));
        assert_eq!(transcript_type("ep1.doc"), None);
    }

    #[test]
    fn webvtt_is_parsed_cue_by_cue() {
        let good = "WEBVTT\n\n1\n00:00.000 --> 00:02.500\n<v Anne>Welkom.\n\n00:01:02.000 --> 00:01:03.000 align:start\nDag.\n";
        assert_eq!(check_transcript(good.as_bytes(), "text/vtt"), Ok(()));
        let err =
            check_transcript(b"WEBVTT\n\n00:00.000 --> 00:02,500\nx\n", "text/vtt").unwrap_err();
        assert_eq!(
            err,
            "line 3: expected a timing such as `00:01.000 --> 00:04.500`, found `00:00.000 --> 00:02,500`"
        );
        let err =
            check_transcript(b"WEBVTT\n\n00:05.000 --> 00:02.000\nx\n", "text/vtt").unwrap_err();
        assert_eq!(err, "line 3: the cue ends before it starts");
        let err =
            check_transcript(b"1\n00:00:00,000 --> 00:00:01,000\nx\n", "text/vtt").unwrap_err();
        assert!(err.contains("starts with `WEBVTT`"));
        assert!(
            check_transcript(b"WEBVTT\n", "text/vtt")
                .unwrap_err()
                .contains("no cues")
        );
    }

    #[test]
    fn srt_is_parsed_block_by_block() {
        let good =
            "1\n00:00:00,000 --> 00:00:02,500\nWelkom.\n\n2\n00:00:02,500 --> 00:00:04,000\nDag.\n";
        assert_eq!(
            check_transcript(good.as_bytes(), "application/x-subrip"),
            Ok(())
        );
        let bad = "1\n00:00:00.000 --> 00:00:02,500\nWelkom.\n";
        let err = check_transcript(bad.as_bytes(), "application/x-subrip").unwrap_err();
        assert!(err.starts_with("line 2: expected a timing"), "{err}");
        let err = check_transcript(
            b"een\n00:00:00,000 --> 00:00:01,000\n",
            "application/x-subrip",
        )
        .unwrap_err();
        assert_eq!(err, "line 1: expected a cue number, found `een`");
    }

    #[test]
    fn other_transcripts_need_utf8_and_json_must_parse() {
        assert_eq!(check_transcript(b"<p>Hallo</p>", "text/html"), Ok(()));
        assert!(
            check_transcript(b"\xff\xfe", "text/plain")
                .unwrap_err()
                .contains("not UTF-8")
        );
        assert!(check_transcript(b"{\"segments\": [", "application/json").is_err());
    }

    #[test]
    fn chapters_need_a_version_and_ascending_start_times() {
        let good = br#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":1.5,"title":"Vraag"}]}"#;
        assert_eq!(
            check_chapters(good),
            Ok(ChaptersSummary {
                count: 2,
                last_start: 1.5
            })
        );
        let err = check_chapters(br#"{"chapters":[{"startTime":0}]}"#).unwrap_err();
        assert!(err.contains("no `version`"), "{err}");
        let err =
            check_chapters(br#"{"version":"1.2.0","chapters":[{"startTime":5},{"startTime":3}]}"#)
                .unwrap_err();
        assert_eq!(
            err,
            "chapter 2 starts at 3 s, not after chapter 1 at 5 s; `startTime`s must ascend"
        );
        let err = check_chapters(br#"{"version":"1.2.0","chapters":[{"title":"x"}]}"#).unwrap_err();
        assert!(err.contains("chapter 1 has no `startTime`"), "{err}");
    }
}
