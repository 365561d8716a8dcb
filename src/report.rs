//! Messages to the user on standard error, and the one place that makes untrusted text
//! safe to print on a terminal. Standard output is for data only.
//!
//! How much is printed and whether in colour is decided once, from the global flags, by
//! [`init`] (the binary calls it first); every command prints through the functions here,
//! so `-q`, `-v`/`-vv` and `--color` hold for all of them alike:
//!
//! - errors are always printed;
//! - warnings and command summaries unless `-q`;
//! - log lines (one per source fetched, file read…) only with `-v`, so a cron job stays
//!   quiet by default; on a terminal a progress bar shows instead;
//! - debug lines (what was read from where, how long it took) only with `-vv`.
//!
//! Colour: `--color always` or `never` decides; `auto` (the default) colours a stream
//! only when it is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).

use std::io::IsTerminal;
use std::sync::OnceLock;

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `-q`: errors only.
    Errors,
    /// The default.
    Normal,
    /// `-v`: log lines too.
    Verbose,
    /// `-vv`: debug lines too.
    Debug,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Only a terminal, and only when `NO_COLOR` is unset or empty.
    Auto,
    Always,
    Never,
}

impl Level {
    /// The level `-q` and `-v` (repeated `verbose` times) ask for.
    pub fn from_flags(quiet: bool, verbose: u8) -> Level {
        match (quiet, verbose) {
            (true, _) => Level::Errors,
            (false, 0) => Level::Normal,
            (false, 1) => Level::Verbose,
            (false, _) => Level::Debug,
        }
    }
}

/// The output settings of this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub level: Level,
    pub color_stdout: bool,
    pub color_stderr: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            level: Level::Normal,
            color_stdout: false,
            color_stderr: false,
        }
    }
}

impl Settings {
    /// The settings for `level` and `color`, given the environment's `NO_COLOR` and
    /// whether standard output and error are terminals.
    pub fn decide(
        level: Level,
        color: Color,
        no_color: Option<&str>,
        stdout_terminal: bool,
        stderr_terminal: bool,
    ) -> Settings {
        let no_color = no_color.is_some_and(|value| !value.is_empty());
        let color = |terminal: bool| match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && !no_color,
        };
        Settings {
            level,
            color_stdout: color(stdout_terminal),
            color_stderr: color(stderr_terminal),
        }
    }
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Fixes this run's settings from the flags and the environment; later calls change
/// nothing.
pub fn init(level: Level, color: Color) {
    let no_color = std::env::var("NO_COLOR").ok();
    let settings = Settings::decide(
        level,
        color,
        no_color.as_deref(),
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    let _ = SETTINGS.set(settings);
}

/// This run's settings (the defaults when [`init`] was not called, as in unit tests).
pub fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// Whether messages of `level` are printed.
pub fn shows(level: Level) -> bool {
    settings().level >= level
}

/// A colour for a short marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Red,
    Green,
    Yellow,
    Bold,
}

/// `text` in `style` when `enabled`, else as it is.
pub fn paint(text: &str, style: Style, enabled: bool) -> String {
    if !enabled {
        return text.to_string();
    }
    let code = match style {
        Style::Red => "1;31",
        Style::Green => "32",
        Style::Yellow => "33",
        Style::Bold => "1",
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

/// Prints an error line: `omroep: error: MESSAGE`. Always printed.
pub fn error(message: &str) {
    let label = paint("error:", Style::Red, settings().color_stderr);
    eprintln!("omroep: {label} {}", clean(message));
}

/// Prints a warning line: `omroep: warning: MESSAGE`, unless `-q`.
pub fn warning(message: &str) {
    if shows(Level::Normal) {
        let label = paint("warning:", Style::Yellow, settings().color_stderr);
        eprintln!("omroep: {label} {}", clean(message));
    }
}

/// Prints a log line (it names the source URL or file it is about), with `-v`.
pub fn log(message: &str) {
    if shows(Level::Verbose) {
        eprintln!("{}", clean(message));
    }
}

/// Prints a debug line, with `-vv`.
pub fn debug(message: &str) {
    if shows(Level::Debug) {
        eprintln!("omroep: debug: {}", clean(message));
    }
}

/// An error and every cause under it on one line, `outer: inner: innermost` (an HTTP
/// client's error alone says only "error sending request").
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text.replace('\n', " ")
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
    fn an_error_chain_is_one_line_outer_to_inner() {
        let inner = std::io::Error::other("connection\nreset");
        assert_eq!(
            error_chain(&Wrapped(inner)),
            "sending failed: connection reset"
        );
    }

    #[derive(Debug)]
    struct Wrapped(std::io::Error);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("sending failed")
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean("plain é"), "plain é");
    }

    #[test]
    fn flags_set_the_level() {
        assert_eq!(Level::from_flags(true, 0), Level::Errors);
        assert_eq!(Level::from_flags(true, 2), Level::Errors);
        assert_eq!(Level::from_flags(false, 0), Level::Normal);
        assert_eq!(Level::from_flags(false, 1), Level::Verbose);
        assert_eq!(Level::from_flags(false, 2), Level::Debug);
        assert_eq!(Level::from_flags(false, 5), Level::Debug);
    }

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        let decide = |choice, no_color, terminal| {
            let settings = Settings::decide(Level::Normal, choice, no_color, terminal, false);
            (settings.color_stdout, settings.color_stderr)
        };
        assert_eq!(decide(Color::Auto, None, true), (true, false));
        assert_eq!(decide(Color::Auto, Some("1"), true), (false, false));
        // An empty NO_COLOR does not count, as no-color.org says.
        assert_eq!(decide(Color::Auto, Some(""), true), (true, false));
        assert_eq!(decide(Color::Always, Some("1"), false), (true, true));
        assert_eq!(decide(Color::Never, None, true), (false, false));
    }

    #[test]
    fn paint_wraps_only_when_enabled() {
        assert_eq!(paint("x", Style::Green, false), "x");
        assert_eq!(paint("x", Style::Green, true), "\u{1b}[32mx\u{1b}[0m");
    }
}
