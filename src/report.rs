//! Messages to the user on standard error, and the one place that makes untrusted text
//! safe to print on a terminal. Standard output is for data only.

/// Prints an error line: `omroep: error: MESSAGE`.
pub fn error(message: &str) {
    eprintln!("omroep: error: {}", clean(message));
}

/// Prints a warning line: `omroep: warning: MESSAGE`.
pub fn warning(message: &str) {
    eprintln!("omroep: warning: {}", clean(message));
}

/// Replaces control and bidirectional-override characters, which a feed could use to
/// rewrite the user's terminal, with visible escapes.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean("plain é"), "plain é");
    }
}
