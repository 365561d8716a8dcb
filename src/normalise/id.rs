//! Entry identity when a feed gives neither guid nor link.

use sha2::{Digest, Sha256};

/// A stable id from title, date and enclosure URL: the same input always gives the same id.
pub fn stable_hash(title: Option<&str>, date: Option<&str>, enclosure: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    for part in [title, date, enclosure] {
        hasher.update(part.unwrap_or("").as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let hex: String = digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("urn:omroep:{hex}")
}
