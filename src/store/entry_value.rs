//! How an entry is kept in the `entries.json` column, and the hash that tells whether
//! it changed.
//!
//! An entry is stored as MessagePack with named fields (the same serde attributes as
//! the model's JSON, so every field the model gains or omits is handled alike), as a
//! BLOB behind one format byte. Writing it is a copy of each string where JSON
//! escaped every byte, and reading it back skips JSON's unescaping and number parsing.
//! Longer values are LZ4-compressed (format byte, the packed length as u32
//! little-endian, the LZ4 block; see [`COMPRESS_FROM`]) with one compression table kept
//! for a whole document: entry text is mostly HTML and compresses about two to one, and
//! every byte saved is one SQLite does not copy into its record, its pages, the WAL and
//! the database again at the checkpoint.
//!
//! Every form written by earlier builds still reads ([`decode`]): JSON text, and
//! LZ4-compressed JSON ([`JSON_LZ4`]). The content hash ([`EntryHash`]) is of the
//! packed bytes, stored as a 16-byte BLOB; an entry stored earlier carries a text hash
//! of its JSON instead (`x3:` and an XXH3-128, or before that a SHA-256), which
//! [`EntryHash::same_as_stored`] recognises by comparing with the JSON of the new
//! version, so that upgrading never makes unchanged entries read as changed.

use std::borrow::Cow;

use lz4_flex::block::CompressTable;
use rusqlite::types::ValueRef;

use crate::model::Entry;

/// Format byte of LZ4-compressed JSON (written by earlier builds; still read).
pub(super) const JSON_LZ4: u8 = 1;
/// Format byte of MessagePack, as is.
pub(super) const PACKED: u8 = 2;
/// Format byte of LZ4-compressed MessagePack.
pub(super) const PACKED_LZ4: u8 = 3;

/// Values shorter than this are stored uncompressed: on a short value LZ4 saves a few
/// bytes of a page that is written anyway.
///
/// Measured on the fetch benchmark (1,000 feeds, 60,251 entries of 2–11 KiB): storing
/// every entry uncompressed saves ~0.45 s of user time (LZ4 is the larger part of
/// encoding) but doubles the store (377 MB instead of 181 MB), and writing those bytes
/// to the WAL and the database costs ~0.8 s more system time, so the run is slower
/// (and its peak crossed 120 MB). Compressing only from 4 KiB saved 0.1 s of user time
/// and paid it back in system time. So compression stays on from here.
pub(super) const COMPRESS_FROM: usize = 512;

/// Encodes the entries of a document one after another, reusing its buffers and its
/// compression table from one entry to the next.
#[derive(Default)]
pub(super) struct Encoder {
    packed: Vec<u8>,
    compressed: Vec<u8>,
    table: CompressTable,
}

/// An entry ready for the `entries` row: the column value and its content hash.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Encoded {
    /// The `entries.json` BLOB: a format byte, then the packed entry (see the module docs).
    pub value: Vec<u8>,
    pub hash: EntryHash,
}

impl Encoder {
    /// The stored form of `entry`, or why serde refused it.
    pub fn encode(&mut self, entry: &Entry) -> Result<Encoded, String> {
        self.packed.clear();
        rmp_serde::encode::write_named(&mut self.packed, entry)
            .map_err(|error| error.to_string())?;
        let hash = EntryHash(xxhash_rust::xxh3::xxh3_128(&self.packed).to_le_bytes());
        let value = match u32::try_from(self.packed.len()) {
            Ok(length) if self.packed.len() >= COMPRESS_FROM => self.compress(length),
            _ => None,
        }
        .unwrap_or_else(|| {
            let mut value = Vec::with_capacity(1 + self.packed.len());
            value.push(PACKED);
            value.extend_from_slice(&self.packed);
            value
        });
        Ok(Encoded { value, hash })
    }

    /// The packed entry compressed, when that makes it shorter.
    fn compress(&mut self, length: u32) -> Option<Vec<u8>> {
        let needed = 5 + lz4_flex::block::get_maximum_output_size(self.packed.len());
        if self.compressed.len() < needed {
            self.compressed.resize(needed, 0);
        }
        let size = lz4_flex::block::compress_into_with_table(
            &self.packed,
            &mut self.compressed[5..needed],
            &mut self.table,
        )
        .ok()?;
        // Only when it saves something (text that is already compressed, say): the
        // compressed value's 5 bytes of head and block against the plain value's 1 + all.
        if 5 + size > self.packed.len() {
            return None;
        }
        let mut value = Vec::with_capacity(5 + size);
        value.push(PACKED_LZ4);
        value.extend_from_slice(&length.to_le_bytes());
        value.extend_from_slice(&self.compressed[5..5 + size]);
        Some(value)
    }
}

/// The content hash of a stored entry: XXH3-128 of its packed form. Not cryptographic,
/// and need not be: it only decides whether an entry is written again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct EntryHash(pub [u8; 16]);

impl EntryHash {
    /// Whether `stored` (an `entries.hash` value) says the entry is the one in
    /// `value` (this entry's new [`Encoded::value`]). A hash of an earlier build's kind
    /// is compared with the JSON of the new version, as that build would have.
    pub fn same_as_stored(&self, stored: ValueRef, value: &[u8]) -> bool {
        match stored {
            ValueRef::Blob(bytes) => bytes == self.0,
            ValueRef::Text(text) => {
                let Ok(text) = std::str::from_utf8(text) else {
                    return false;
                };
                let Some(json) = unpack(value)
                    .ok()
                    .and_then(|entry| serde_json::to_vec(&entry).ok())
                else {
                    return false;
                };
                if text.starts_with("x3:") {
                    text == super::content_hash(&json)
                } else {
                    text == super::hex_sha256(&json)
                }
            }
            _ => false,
        }
    }

    /// Whether `stored` is a hash of an earlier build's kind (see the module docs).
    pub fn is_old_kind(stored: ValueRef) -> bool {
        matches!(stored, ValueRef::Text(_))
    }
}

impl rusqlite::ToSql for EntryHash {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(ValueRef::Blob(
            &self.0,
        )))
    }
}

/// The entry in an `entries.json` value of any form this or an earlier build wrote.
/// The store is read as found: damage is an error naming what is wrong, never a panic.
pub(super) fn decode(value: ValueRef) -> Result<Entry, String> {
    match value {
        ValueRef::Text(json) => from_json(json),
        ValueRef::Blob(blob) => match blob.first() {
            Some(&JSON_LZ4) => from_json(&decompress(blob)?),
            Some(&(PACKED | PACKED_LZ4)) => unpack(blob),
            Some(format) => Err(format!("an unknown storage format {format}")),
            None => Err("an empty value".into()),
        },
        _ => Err("a value that is neither text nor a blob".into()),
    }
}

fn from_json(json: &[u8]) -> Result<Entry, String> {
    serde_json::from_slice(json).map_err(|error| format!("JSON omroep cannot read ({error})"))
}

/// The entry in a packed value (compressed or not).
fn unpack(blob: &[u8]) -> Result<Entry, String> {
    let packed: Cow<[u8]> = match blob.split_first() {
        Some((&PACKED, packed)) => Cow::Borrowed(packed),
        Some((&PACKED_LZ4, _)) => Cow::Owned(decompress(blob)?),
        _ => return Err("a value that is not packed".into()),
    };
    rmp_serde::from_slice(&packed).map_err(|error| format!("an unreadable entry ({error})"))
}

/// The bytes of a compressed value: a format byte, the length (u32, little-endian) and
/// an LZ4 block. A length beyond what LZ4 can expand to (at most 255 to one) is refused
/// before any memory is reserved for it.
fn decompress(blob: &[u8]) -> Result<Vec<u8>, String> {
    let (length, block) = blob
        .get(1..)
        .and_then(<[u8]>::split_first_chunk::<4>)
        .ok_or("a compressed value without its length")?;
    let length = u32::from_le_bytes(*length) as usize;
    if length > block.len().saturating_mul(255) + 16 {
        return Err(format!(
            "a compressed value claiming {length} bytes from {}",
            block.len()
        ));
    }
    let bytes = lz4_flex::block::decompress(block, length).map_err(|error| error.to_string())?;
    if bytes.len() != length {
        return Err(format!(
            "a compressed value of {} bytes instead of {length}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Enclosure, EntryPodcast, Person};
    use chrono::TimeZone;

    fn full_entry(paragraphs: usize) -> Entry {
        Entry {
            id: "https://a.example/1".into(),
            guid: Some("https://a.example/1".into()),
            guid_is_permalink: Some(true),
            title: Some("Ünïcode \"quoted\" <title>".into()),
            link: Some("https://a.example/1".into()),
            summary: Some("A summary\nover two lines".into()),
            content_html: Some("<p>Some text, again and again.</p>".repeat(paragraphs)),
            published: Some(chrono::Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap()),
            authors: vec![Person {
                name: Some("A. Writer".into()),
                ..Person::default()
            }],
            enclosures: vec![Enclosure {
                url: "https://cdn.a.example/1.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: Some(u64::MAX),
            }],
            podcast: EntryPodcast {
                duration_seconds: Some(3723),
                season: Some(2),
                ..EntryPodcast::default()
            },
            ..Entry::default()
        }
    }

    #[test]
    fn short_and_long_entries_read_back_as_they_were() {
        let mut encoder = Encoder::default();
        for paragraphs in [0, 1, 600, 3, 40, 700] {
            let entry = full_entry(paragraphs);
            let encoded = encoder.encode(&entry).unwrap();
            let expected = if paragraphs >= 40 { PACKED_LZ4 } else { PACKED };
            assert_eq!(encoded.value[0], expected, "{paragraphs} paragraphs");
            assert_eq!(decode(ValueRef::Blob(&encoded.value)).unwrap(), entry);
        }
    }

    #[test]
    fn a_long_entry_is_stored_in_well_under_half_its_json() {
        let entry = full_entry(600);
        let json = serde_json::to_vec(&entry).unwrap();
        let encoded = Encoder::default().encode(&entry).unwrap();
        assert!(
            encoded.value.len() * 3 < json.len(),
            "{} of {}",
            encoded.value.len(),
            json.len()
        );
    }

    #[test]
    fn text_that_does_not_compress_is_stored_packed() {
        // CJK characters picked by a hash, 8,000 of them (24,000 bytes): LZ4 finds
        // hardly any four bytes that repeat.
        let noise: String = (0..8000u32)
            .map(|n| {
                let pick = xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes()) % 20_000;
                char::from_u32(0x4e00 + pick as u32).unwrap()
            })
            .collect();
        assert!(noise.len() > COMPRESS_FROM);
        let entry = Entry {
            id: "x".into(),
            content_html: Some(noise),
            ..Entry::default()
        };
        let encoded = Encoder::default().encode(&entry).unwrap();
        assert_eq!(encoded.value[0], PACKED);
        assert_eq!(decode(ValueRef::Blob(&encoded.value)).unwrap(), entry);
    }

    #[test]
    fn the_hash_tells_entries_apart_and_ignores_the_encoder_state() {
        let mut encoder = Encoder::default();
        let a = encoder.encode(&full_entry(600)).unwrap().hash;
        let b = encoder.encode(&full_entry(3)).unwrap().hash;
        let a_again = Encoder::default().encode(&full_entry(600)).unwrap().hash;
        assert_ne!(a, b);
        assert_eq!(a, a_again);
    }

    #[test]
    fn hashes_of_earlier_builds_compare_by_the_json_of_the_new_version() {
        let entry = full_entry(20);
        let encoded = Encoder::default().encode(&entry).unwrap();
        let json = serde_json::to_vec(&entry).unwrap();
        let x3 = crate::store::content_hash(&json);
        let sha = crate::store::hex_sha256(&json);
        for old in [&x3, &sha] {
            let stored = ValueRef::Text(old.as_bytes());
            assert!(EntryHash::is_old_kind(stored));
            assert!(encoded.hash.same_as_stored(stored, &encoded.value));
        }
        let other = Encoder::default().encode(&full_entry(21)).unwrap();
        assert!(
            !other
                .hash
                .same_as_stored(ValueRef::Text(x3.as_bytes()), &other.value)
        );
        assert!(
            !other
                .hash
                .same_as_stored(ValueRef::Text(sha.as_bytes()), &other.value)
        );
        assert!(
            encoded
                .hash
                .same_as_stored(ValueRef::Blob(&encoded.hash.0), &encoded.value)
        );
        assert!(
            !other
                .hash
                .same_as_stored(ValueRef::Blob(&encoded.hash.0), &other.value)
        );
    }

    #[test]
    fn damaged_values_are_errors_that_say_what_is_wrong() {
        let packed = Encoder::default().encode(&full_entry(1)).unwrap().value;
        let cases: [(&[u8], &str); 6] = [
            (&[], "an empty value"),
            (&[9, 1, 2], "an unknown storage format 9"),
            (&[PACKED_LZ4, 0xff, 0xff, 0xff, 0xff, 1, 2], "claiming"),
            (&[PACKED_LZ4, 1], "without its length"),
            (&packed[..packed.len() / 2], "an unreadable entry"),
            (&[PACKED, 0xc1], "an unreadable entry"),
        ];
        for (blob, expected) in cases {
            let error = decode(ValueRef::Blob(blob)).unwrap_err();
            assert!(error.contains(expected), "{blob:?}: {error}");
        }
    }
}
