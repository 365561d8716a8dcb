//! The repairs the lenient reader makes, collected as one warning per kind.
//!
//! A broken feed often repeats the same mistake hundreds of times (every title with a bare
//! `&`); the user needs to know what was repaired, not each place. So each kind is
//! reported once, with its first example and how often it happened.

/// One kind of repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repair {
    ControlCharacters,
    WhitespaceBeforeDeclaration,
    JunkBeforeRoot,
    ExtraTopLevel,
    BareAmpersand,
    HtmlEntity,
    UndefinedEntity,
    ExpansionLimit,
    InvalidCharRef,
    BareLessThan,
    Unclosed,
    StrayEndTag,
    Truncated,
    UndeclaredPrefix,
    UnknownPrefix,
    DepthCap,
    BadAttribute,
    DoctypeEntities,
    LongBase,
}

impl Repair {
    fn message(self) -> &'static str {
        match self {
            Repair::ControlCharacters => "removed control characters that XML does not allow",
            Repair::WhitespaceBeforeDeclaration => {
                "skipped whitespace before the XML declaration (it must start the document; strict XML readers reject the feed)"
            }
            Repair::JunkBeforeRoot => "skipped text before the root element",
            Repair::ExtraTopLevel => {
                "ignored elements outside the root element (junk before or after it)"
            }
            Repair::BareAmpersand => "read a bare `&` as text (it should be written `&amp;`)",
            Repair::HtmlEntity => "read HTML named entities, which XML does not define",
            Repair::UndefinedEntity => "kept an undefined entity reference as text",
            Repair::ExpansionLimit => {
                "stopped expanding DOCTYPE entities past the document's own size"
            }
            Repair::InvalidCharRef => {
                "replaced a character reference to an invalid code point with U+FFFD"
            }
            Repair::BareLessThan => "read a `<` that starts no tag as text",
            Repair::Unclosed => "closed an element that was never closed",
            Repair::StrayEndTag => "ignored an end tag that matches no open element",
            Repair::Truncated => "the document ends early; closed what was still open",
            Repair::UndeclaredPrefix => "bound an undeclared namespace prefix to its usual URI",
            Repair::UnknownPrefix => "kept an undeclared, unknown namespace prefix unresolved",
            Repair::DepthCap => "flattened elements nested deeper than the reader's limit",
            Repair::BadAttribute => "recovered a malformed attribute",
            Repair::DoctypeEntities => {
                "did not expand a DOCTYPE entity that is external or refers to others (unsafe)"
            }
            Repair::LongBase => {
                "ignored an `xml:base` longer than 8 KiB once resolved (kept the enclosing base)"
            }
        }
    }
}

/// Repairs seen so far, in the order first seen.
#[derive(Debug, Default)]
pub(super) struct Repairs {
    seen: Vec<Seen>,
}

#[derive(Debug)]
struct Seen {
    kind: Repair,
    example: String,
    count: usize,
}

/// The longest example quoted in a warning, in characters.
const EXAMPLE_CHARS: usize = 60;

impl Repairs {
    /// Records one repair; `example` is only called the first time a kind is seen.
    pub(super) fn note(&mut self, kind: Repair, example: impl FnOnce() -> String) {
        self.note_many(kind, 1, example);
    }

    /// Records `count` repairs of one kind at once.
    pub(super) fn note_many(
        &mut self,
        kind: Repair,
        count: usize,
        example: impl FnOnce() -> String,
    ) {
        match self.seen.iter_mut().find(|seen| seen.kind == kind) {
            Some(seen) => seen.count += count,
            None => self.seen.push(Seen {
                kind,
                example: shorten(&example()),
                count,
            }),
        }
    }

    /// Whether a kind of repair has been recorded.
    pub(super) fn contains(&self, kind: Repair) -> bool {
        self.seen.iter().any(|seen| seen.kind == kind)
    }

    /// One line per kind: what was repaired, the first example, and how often.
    pub(super) fn into_warnings(self) -> Vec<String> {
        self.seen
            .into_iter()
            .map(|seen| {
                let mut line = seen.kind.message().to_string();
                if !seen.example.is_empty() {
                    line.push_str(": ");
                    line.push_str(&seen.example);
                }
                if seen.count > 1 {
                    line.push_str(&format!(" ({} times)", seen.count));
                }
                line
            })
            .collect()
    }
}

/// An example cut to a readable length on one line.
fn shorten(example: &str) -> String {
    let mut out = String::new();
    for (count, c) in example.chars().enumerate() {
        if count == EXAMPLE_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_kind_with_first_example_and_count() {
        let mut repairs = Repairs::default();
        repairs.note(Repair::BareAmpersand, || "\"AT&T\"".into());
        repairs.note(Repair::UndefinedEntity, || "&foo;".into());
        repairs.note(Repair::BareAmpersand, || "\"second\"".into());
        repairs.note(Repair::BareAmpersand, || "\"third\"".into());
        let warnings = repairs.into_warnings();
        assert_eq!(
            warnings,
            vec![
                "read a bare `&` as text (it should be written `&amp;`): \"AT&T\" (3 times)",
                "kept an undefined entity reference as text: &foo;",
            ]
        );
    }

    #[test]
    fn examples_are_one_short_line() {
        let long = format!("a\nb{}", "x".repeat(200));
        assert_eq!(shorten(&long).chars().count(), EXAMPLE_CHARS + 1);
        assert!(shorten(&long).starts_with("a b"));
    }
}
