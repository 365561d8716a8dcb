//! Episode durations (`itunes:duration` and friends) to whole seconds.

/// Reads `3723`, `62:03`, `1:02:03`, `1:02:03.5` (with stray spaces) as whole seconds.
pub fn parse(text: &str) -> Option<u64> {
    let mut seconds = 0u64;
    for part in text.trim().split(':') {
        let value: f64 = part.trim().parse().ok()?;
        seconds = seconds * 60 + value as u64;
    }
    Some(seconds)
}
