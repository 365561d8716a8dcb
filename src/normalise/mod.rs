//! Normalisation rules shared by every dialect mapper and by local content: dates, plain
//! text versus sanitised HTML, absolute URLs, durations, flags, languages and identities.
//!
//! Each function is pure and lenient: it returns `None` for a value it cannot read and
//! leaves the warning to the caller, who knows which field and entry it concerns.

pub mod charref;
pub mod date;
pub mod duration;
pub(crate) mod elements;
pub mod entities;
pub mod flag;
pub mod html;
pub mod id;
pub mod language;
mod style;
mod swar;
pub mod text;
pub(crate) mod tokenizer;
pub mod url;
