//! The compact row format of the local file cache: a serde format that a second run
//! decodes several times faster than MessagePack with named fields.
//!
//! A second run with nothing changed spends most of its time turning 1,200 remembered
//! outcomes back into items. With named fields, every field costs its name (a string to
//! check for UTF-8 and compare) besides its value, and every string its own UTF-8 check.
//! Here fields go by position, and a row has two parts: the *structure* (lengths,
//! numbers, markers) and the *text* (every string, one after the other), which is
//! checked for UTF-8 once per row; a string is then a length in the structure and a
//! slice of the text, whose ends are checked to fall on character boundaries.
//!
//! Formats that go by position (bincode, postcard) cannot read back the model, which
//! leaves out empty fields when it serialises (`skip_serializing_if`). This one writes
//! one byte per field: present (the value follows) or left out; a left-out field reads
//! back as the field's default, as serde's derive does for a missing field. Each struct
//! also carries its number of fields, so that a row written when a struct had another
//! set of fields is refused instead of misread.
//!
//! A row starts with [`MAGIC`], which names this format and its version, and the
//! version of omroep that wrote it: any other row (one of an older encoding, or one
//! written by another release) is refused, which the file cache treats as a miss (the
//! file is read again). A row ends with the XXH3-64 of everything before it, checked
//! before anything is decoded: a damaged row (a changed byte, a row cut short) is an
//! error, not a value that happens to decode (a flipped boolean, another digit in a
//! date). The checksum catches accidental damage (but for a 1 in 2^64 chance), not
//! deliberate tampering: it is not a cryptographic hash. Rows are also decoded
//! defensively (every length is checked against what is left), so even a row whose
//! checksum matches is never a panic or a runaway allocation.
//! The format is not self-describing: types that need `deserialize_any` (untagged
//! enums, `flatten`) are refused.
//!
//! # Rules for a cached type
//!
//! A type stored in the file cache (`CachedDocument`, `CachedAudio` and everything
//! in them) must keep to these rules. Breaking the first three does not give wrong
//! results, but every row of the type is then refused, so the cache silently stops
//! saving anything; the round trips in this module's tests are there to notice.
//!
//! - No `#[serde(alias = "...")]` on a field of a cached struct: serde's derive lists
//!   the aliases in the struct's `FIELDS` besides the names, so the field count
//!   checked on reading is not the count written, and every row is refused.
//! - Every field with `skip_serializing_if` needs `#[serde(default)]` (on the field
//!   or the struct). A left-out field is read the way serde reads a missing element
//!   of a sequence, where a field without a default is an error; this holds for an
//!   `Option` field too, which a self-describing format (JSON, MessagePack with named
//!   fields) would read as `None` without one.
//! - No one-sided `skip_serializing` or `skip_deserializing` (`skip` is fine): the
//!   field is then counted on one side only.
//! - `CachedDocument` and the types in it are read back by hand ([`document_from_row`],
//!   the second run's hot path), not through their `Deserialize`: a change to one of
//!   them (a field, a field's serde attributes, a variant) is made there too; its
//!   tests, which compare it with serde's reading, fail until it is.
//! - [`WRITER`] only tells releases apart (it is the crate's version): two builds of
//!   one version read each other's rows. A change to a cached type that keeps its
//!   field counts (a field's type or the order of fields, an enum's variants) may
//!   then misread a row written before it, which the checksum does not catch (the
//!   row is intact). A release is safe; between builds of one version, bump the
//!   digit of [`MAGIC`] with such a change (or remove the store's file cache).

use std::fmt;

mod document;
pub use document::document_from_row;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};

/// Names the format and its version; bump the digit when the layout changes.
const MAGIC: &[u8] = b"omroep-compact-2;";
/// The omroep release that wrote a row, after [`MAGIC`]: a release may change the
/// model's types, so rows of another release are not trusted.
const WRITER: &str = env!("CARGO_PKG_VERSION");

/// The length of the checksum at a row's end: the XXH3-64 of the bytes before it,
/// little-endian.
const CHECKSUM_LENGTH: usize = 8;

/// A field's marker in a struct: written, or left out (`skip_serializing_if`).
const PRESENT: u8 = 1;
const ABSENT: u8 = 0;

/// Why a value could not be written or a row read. Only the file cache sees it: a row
/// that cannot be read is a miss, a value that cannot be written is not remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

fn error<T>(message: &str) -> Result<T, Error> {
    Err(Error(message.to_string()))
}

/// `value` as a row.
pub fn to_row<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut writer = Writer::default();
    value.serialize(&mut writer)?;
    let mut row = Vec::with_capacity(
        MAGIC.len()
            + WRITER.len()
            + 11
            + writer.structure.len()
            + writer.text.len()
            + CHECKSUM_LENGTH,
    );
    row.extend_from_slice(MAGIC);
    push_varint(&mut row, WRITER.len() as u64);
    row.extend_from_slice(WRITER.as_bytes());
    push_varint(&mut row, writer.structure.len() as u64);
    row.extend_from_slice(&writer.structure);
    row.extend_from_slice(writer.text.as_bytes());
    seal(&mut row);
    Ok(row)
}

/// Appends the checksum of `row` to it.
fn seal(row: &mut Vec<u8>) {
    let checksum = checksum(row);
    row.extend_from_slice(&checksum.to_le_bytes());
}

/// The XXH3-64 of `bytes`. `twox-hash` picks the widest vector unit the processor has
/// when it runs (AVX2 on most x86-64 machines), where `xxhash-rust` is bound at compile
/// time to what the target promises (SSE2 without `target-cpu`): a second run checks
/// every remembered outcome's row, and the long rows' hashing took half the instructions.
fn checksum(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

/// The value a row holds; an error when the row is not one of this format, this
/// release and this type, or is damaged.
pub fn from_row<T: de::DeserializeOwned>(row: &[u8]) -> Result<T, Error> {
    let mut reader = open(row)?;
    let value = T::deserialize(&mut reader)?;
    reader.finish()?;
    Ok(value)
}

/// A reader of the value in `row`, once the row is known to be of this format and
/// release and undamaged; an error otherwise.
fn open(row: &[u8]) -> Result<Reader<'_>, Error> {
    if !row.starts_with(MAGIC) {
        return error("not a row of this format");
    }
    // The checksum first: nothing of a damaged row is decoded.
    let split = match row.len().checked_sub(CHECKSUM_LENGTH) {
        Some(split) if split >= MAGIC.len() => split,
        _ => return error("the row ends too soon"),
    };
    let (sealed, checksum) = row.split_at(split);
    if checksum != self::checksum(sealed).to_le_bytes() {
        return error("the row is damaged: its checksum does not match");
    }
    let rest = &sealed[MAGIC.len()..];
    let mut header = Reader {
        structure: rest,
        text: "",
        text_at: 0,
    };
    let length = header.varint_len()?;
    let writer = header.take(length)?;
    if writer != WRITER.as_bytes() {
        return error("written by another omroep release");
    }
    let length = header.varint_len()?;
    let structure = header.take(length)?;
    // The one UTF-8 check of the row: every string is a slice of this text. simdutf8's
    // vector validator takes about a third of the standard one's instructions on it.
    let Ok(text) = simdutf8::basic::from_utf8(header.structure) else {
        return error("the row's text is not UTF-8");
    };
    Ok(Reader {
        structure,
        text,
        text_at: 0,
    })
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    (value >> 1) as i64 ^ -((value & 1) as i64)
}

/// Collects a value's structure and text.
#[derive(Default)]
struct Writer {
    structure: Vec<u8>,
    text: String,
}

impl Writer {
    fn varint(&mut self, value: u64) {
        push_varint(&mut self.structure, value);
    }

    fn length(&mut self, length: Option<usize>) -> Result<(), Error> {
        match length {
            Some(length) => {
                self.varint(length as u64);
                Ok(())
            }
            None => error("a sequence or map of unknown length"),
        }
    }
}

/// A struct being written: its field count is filled in at the end.
struct StructWriter<'a> {
    writer: &'a mut Writer,
    count_at: usize,
    fields: usize,
}

impl<'a> StructWriter<'a> {
    fn start(writer: &'a mut Writer) -> StructWriter<'a> {
        let count_at = writer.structure.len();
        writer.structure.push(0);
        StructWriter {
            writer,
            count_at,
            fields: 0,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.fields += 1;
        self.writer.structure.push(PRESENT);
        value.serialize(&mut *self.writer)
    }

    fn skip(&mut self) {
        self.fields += 1;
        self.writer.structure.push(ABSENT);
    }

    fn end(self) -> Result<(), Error> {
        // One byte: no struct of the model comes near 128 fields.
        match u8::try_from(self.fields) {
            Ok(count) if count < 0x80 => {
                self.writer.structure[self.count_at] = count;
                Ok(())
            }
            _ => error("a struct of more than 127 fields"),
        }
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = StructWriter<'a>;
    type SerializeStructVariant = StructWriter<'a>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.structure.push(u8::from(v));
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.varint(zigzag(v));
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.varint(v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.varint(v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.varint(v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.varint(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.structure.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.structure.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.varint(v.len() as u64);
        self.text.push_str(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.varint(v.len() as u64);
        self.structure.extend_from_slice(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.structure.push(0);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.structure.push(1);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), Error> {
        self.varint(index.into());
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.varint(index.into());
        value.serialize(self)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Error> {
        self.length(len)?;
        Ok(self)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self, Error> {
        Ok(self)
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self, Error> {
        self.varint(index.into());
        Ok(self)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self, Error> {
        self.length(len)?;
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<StructWriter<'a>, Error> {
        Ok(StructWriter::start(self))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<StructWriter<'a>, Error> {
        self.varint(index.into());
        Ok(StructWriter::start(self))
    }
}

/// Sequences, tuples and tuple structs/variants: their elements one after the other (a
/// sequence's length was written when it started; a tuple's is known to the reader).
macro_rules! elements_in_order {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Writer {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                value.serialize(&mut **self)
            }

            fn end(self) -> Result<(), Error> {
                Ok(())
            }
        }
    )*};
}

elements_in_order!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Writer {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStruct for StructWriter<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(value)
    }

    fn skip_field(&mut self, _key: &'static str) -> Result<(), Error> {
        self.skip();
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        StructWriter::end(self)
    }
}

impl ser::SerializeStructVariant for StructWriter<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(value)
    }

    fn skip_field(&mut self, _key: &'static str) -> Result<(), Error> {
        self.skip();
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        StructWriter::end(self)
    }
}

/// Reads a value back: the structure from the front, strings from the text in order.
struct Reader<'de> {
    structure: &'de [u8],
    text: &'de str,
    text_at: usize,
}

impl<'de> Reader<'de> {
    /// The start of a struct, which must have `fields` fields.
    #[inline(always)]
    fn start(&mut self, fields: usize) -> Result<(), Error> {
        if usize::from(self.byte()?) != fields {
            return error("a struct with another number of fields than its type has");
        }
        Ok(())
    }

    /// A field's marker: whether its value follows.
    #[inline(always)]
    fn present(&mut self) -> Result<bool, Error> {
        match self.byte()? {
            PRESENT => Ok(true),
            ABSENT => Ok(false),
            _ => error("a field marker that is neither present nor absent"),
        }
    }

    /// An `Option`'s marker: whether a value follows.
    #[inline(always)]
    fn some(&mut self) -> Result<bool, Error> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => error("an option marker that is neither none nor some"),
        }
    }

    #[inline(always)]
    fn boolean(&mut self) -> Result<bool, Error> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => error("a boolean that is neither 0 nor 1"),
        }
    }

    #[inline(always)]
    fn byte(&mut self) -> Result<u8, Error> {
        match self.structure.split_first() {
            Some((&byte, rest)) => {
                self.structure = rest;
                Ok(byte)
            }
            None => error("the row ends too soon"),
        }
    }

    fn take(&mut self, length: usize) -> Result<&'de [u8], Error> {
        if length > self.structure.len() {
            return error("a length runs past the end of the row");
        }
        let (taken, rest) = self.structure.split_at(length);
        self.structure = rest;
        Ok(taken)
    }

    /// Ends the reading of a row: the value must have taken all of it.
    fn finish(&self) -> Result<(), Error> {
        if !self.structure.is_empty() || self.text_at != self.text.len() {
            return error("bytes left over after the value");
        }
        Ok(())
    }

    /// Most numbers of a row (lengths, counts, variants) are below 128: one byte.
    #[inline(always)]
    fn varint(&mut self) -> Result<u64, Error> {
        match self.structure.split_first() {
            Some((&byte, rest)) if byte < 0x80 => {
                self.structure = rest;
                Ok(u64::from(byte))
            }
            _ => self.varint_long(),
        }
    }

    fn varint_long(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return error("a number too large");
            }
            value |= bits << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        error("a number too large")
    }

    /// A length, which can be no more than the bytes left in the row (every element
    /// of a sequence takes at least one byte, in the structure or the text).
    fn varint_len(&mut self) -> Result<usize, Error> {
        let length = self.varint()?;
        let left = self.structure.len() + (self.text.len() - self.text_at);
        match usize::try_from(length) {
            Ok(length) if length <= left => Ok(length),
            _ => error("a length runs past the end of the row"),
        }
    }

    fn int<T: TryFrom<u64>>(&mut self) -> Result<T, Error> {
        T::try_from(self.varint()?).or_else(|_| error("a number out of range"))
    }

    fn signed<T: TryFrom<i64>>(&mut self) -> Result<T, Error> {
        T::try_from(unzigzag(self.varint()?)).or_else(|_| error("a number out of range"))
    }

    #[inline(always)]
    fn str(&mut self) -> Result<&'de str, Error> {
        let length = self.varint()?;
        let left = self.text.len() - self.text_at;
        let length = match usize::try_from(length).ok() {
            Some(length) if length <= left => length,
            _ => return error("a string runs past the row's text"),
        };
        let end = self.text_at.saturating_add(length);
        match self.text.get(self.text_at..end) {
            Some(text) => {
                self.text_at = end;
                Ok(text)
            }
            None => error("a string runs past the row's text or splits a character"),
        }
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }
}

/// The elements of a sequence, tuple or map (`left` of them), or a struct's fields,
/// each behind its present/left-out marker (`fields`).
struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    left: usize,
    fields: bool,
}

impl<'a, 'de> Elements<'a, 'de> {
    /// Visits the elements with `visit`, and checks that all were read.
    fn visit<V, F>(
        reader: &'a mut Reader<'de>,
        left: usize,
        fields: bool,
        visit: F,
    ) -> Result<V, Error>
    where
        F: FnOnce(&mut Elements<'a, 'de>) -> Result<V, Error>,
    {
        let mut elements = Elements {
            reader,
            left,
            fields,
        };
        let value = visit(&mut elements)?;
        if elements.left != 0 {
            return error("fewer elements read than the row holds");
        }
        Ok(value)
    }
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        // A field left out: serde's derive takes its default (or refuses the row when
        // it has none) and asks for the next field.
        if self.fields && !self.reader.present()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> de::MapAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.reader)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A struct: its field count must be the one the type has now.
fn visit_struct<'de, V: Visitor<'de>>(
    reader: &mut Reader<'de>,
    fields: &'static [&'static str],
    visitor: V,
) -> Result<V::Value, Error> {
    reader.start(fields.len())?;
    Elements::visit(reader, fields.len(), true, |fields| {
        visitor.visit_seq(fields)
    })
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        error("the compact format cannot hold a value of unknown type")
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        error("the compact format cannot skip a value of unknown type")
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(self.boolean()?)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i8(self.signed()?)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i16(self.signed()?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i32(self.signed()?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(self.signed()?)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u8(self.int()?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u16(self.int()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u32(self.int()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u64(self.varint()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f32(f32::from_le_bytes(self.fixed()?))
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(f64::from_le_bytes(self.fixed()?))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut chars = self.str()?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => error("a character that is not one character"),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.str()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.str()?)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let length = self.varint_len()?;
        visitor.visit_borrowed_bytes(self.take(length)?)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.some()? {
            visitor.visit_some(self)
        } else {
            visitor.visit_none()
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let length = self.varint_len()?;
        Elements::visit(self, length, false, |elements| visitor.visit_seq(elements))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        Elements::visit(self, len, false, |elements| visitor.visit_seq(elements))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let length = self.varint_len()?;
        Elements::visit(self, length, false, |elements| visitor.visit_map(elements))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visit_struct(self, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u32(self.int()?)
    }
}

impl<'de> de::EnumAccess<'de> for &mut Reader<'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let index: u32 = self.int()?;
        let variant = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(index))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Reader<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        Elements::visit(self, len, false, |elements| visitor.visit_seq(elements))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visit_struct(self, fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::episode::Pending;
    use crate::ingest::file_cache::{CachedAudio, CachedDocument, Dependencies, FileStamp};
    use crate::ingest::local::{Asset, HeldBack, ItemKind, LocalItem, Problem};
    use crate::ingest::post::Outcome;
    use crate::model::{Enclosure, Entry, EntryPodcast, Person, PodcastPerson};
    use chrono::{TimeZone, Utc};
    use serde::{Deserialize, Serialize};

    /// The row check is XXH3-64 at every length (each of the algorithm's length classes
    /// and the long path's stripes and blocks): checked against `xxhash-rust`'s
    /// independent implementation, on the vector unit this machine's `twox-hash` picks
    /// (its other paths are its own tests' to check).
    #[test]
    fn the_checksum_is_xxh3_64() {
        let mut random = crate::test_random::Xorshift::new(0x5eed);
        let bytes: Vec<u8> = (0..70_000).map(|_| random.next_u64() as u8).collect();
        let lengths = (0..=2_100).chain([4_095, 4_096, 4_097, 10_000, 65_536, 70_000]);
        for length in lengths {
            for start in [0, 3] {
                let input = &bytes[start..start + length.min(bytes.len() - start)];
                assert_eq!(
                    checksum(input),
                    xxhash_rust::xxh3::xxh3_64(input),
                    "length {}",
                    input.len()
                );
            }
        }
    }

    fn entry() -> Entry {
        Entry {
            id: "https://example.org/ep/1/".into(),
            title: Some("Aflevering één — “quotes”".into()),
            link: Some("https://example.org/ep/1/".into()),
            summary: Some(String::new()),
            content_html: Some("<p>Shownotes 🎙</p>".into()),
            published: Some(Utc.with_ymd_and_hms(2024, 3, 5, 9, 0, 0).unwrap()),
            authors: vec![Person {
                name: Some("Anne".into()),
                ..Person::default()
            }],
            enclosures: vec![Enclosure {
                url: "https://cdn.example.org/1.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                length: Some(u64::MAX),
            }],
            podcast: EntryPodcast {
                duration_seconds: Some(3_600),
                season: Some(0),
                persons: vec![PodcastPerson {
                    name: "Anne".into(),
                    role: Some("host".into()),
                    ..PodcastPerson::default()
                }],
                ..EntryPodcast::default()
            },
            ..Entry::default()
        }
    }

    /// A row with its checksum replaced by that of its (damaged) bytes: it reaches the
    /// decoder, whose own checks are then tested.
    fn resealed(row: &[u8]) -> Vec<u8> {
        let mut row = row[..row.len() - CHECKSUM_LENGTH].to_vec();
        seal(&mut row);
        row
    }

    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + de::DeserializeOwned,
    {
        from_row(&to_row(value).unwrap()).unwrap()
    }

    #[test]
    fn model_values_with_left_out_fields_come_back_equal() {
        let full = entry();
        assert_eq!(round_trip(&full), full);
        // Every optional field left out, the first and the last included.
        let bare = Entry {
            id: "x".into(),
            ..Entry::default()
        };
        assert_eq!(round_trip(&bare), bare);
        let problems = vec![
            Problem::error("posts/a.md", "no date; add `date:`"),
            Problem {
                line: Some(3),
                field: Some("titel".into()),
                ..Problem::warning("", "unknown field")
            },
        ];
        assert_eq!(round_trip(&problems), problems);
        let held = [
            HeldBack::Draft,
            HeldBack::Scheduled(Utc.with_ymd_and_hms(2099, 1, 4, 0, 0, 0).unwrap()),
        ];
        assert_eq!(round_trip(&held), held);
        let audio = CachedAudio {
            stamp: FileStamp {
                size: 15_987,
                modified: Some(
                    std::time::UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123),
                ),
            },
            hash: None,
            info: crate::ingest::audio::AudioInfo {
                duration: -3.997,
                length: 15_987,
                mime_type: "audio/mpeg".into(),
                ..Default::default()
            },
        };
        assert_eq!(round_trip(&audio), audio);
        // A whole remembered Markdown outcome: an item with pending remote audio, and
        // its dependencies (one file that exists, with its hash, one that does not).
        let mut dependencies = Dependencies::default();
        dependencies.record(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
        dependencies.record(std::path::Path::new("/nonexistent/omroep/cover.jpg"));
        dependencies.fill_hashes(&mut |_, _| Some("ab".repeat(32)));
        let document = CachedDocument {
            settings_key: "https://example.org/\n/{year}/{slug}/".into(),
            dependencies,
            date: full.published,
            was_future: false,
            outcome: Outcome::Item {
                item: Box::new(LocalItem {
                    entry: full.clone(),
                    kind: ItemKind::Episode,
                    language: Some("nl".into()),
                    path: "episodes/001-welkom.md".into(),
                    tags: vec!["één".into(), String::new()],
                    assets: vec![Asset {
                        source: "/site/episodes/001.vtt".into(),
                        output: "episodes/001.vtt".into(),
                    }],
                }),
                pending: Some(Pending {
                    url: "https://cdn.example.org/1.mp3".into(),
                    line: Some(4),
                }),
                problems: problems.clone(),
            },
        };
        assert_eq!(round_trip(&document), document);
        // The same with every optional part left out or empty.
        let bare_document = CachedDocument {
            settings_key: String::new(),
            dependencies: Dependencies::default(),
            date: None,
            was_future: true,
            outcome: Outcome::Item {
                item: Box::new(LocalItem {
                    entry: bare.clone(),
                    kind: ItemKind::Post,
                    language: None,
                    path: "".into(),
                    tags: Vec::new(),
                    assets: Vec::new(),
                }),
                pending: Some(Pending {
                    url: String::new(),
                    line: None,
                }),
                problems: Vec::new(),
            },
        };
        assert_eq!(round_trip(&bare_document), bare_document);
        for outcome in [
            Outcome::Held {
                held: held[1],
                problems: problems.clone(),
            },
            Outcome::Failed {
                problems: Vec::new(),
            },
        ] {
            let held_document = CachedDocument {
                outcome,
                ..bare_document.clone()
            };
            assert_eq!(round_trip(&held_document), held_document);
        }
        let numbers = (
            i64::MIN,
            i64::MAX,
            -1i8,
            'é',
            f32::MIN_POSITIVE,
            vec![0u8, 255],
        );
        assert_eq!(round_trip(&numbers), numbers);
    }

    #[test]
    fn strings_live_in_the_text_checked_once() {
        let row = to_row(&entry()).unwrap();
        let text = "<p>Shownotes 🎙</p>";
        let at = row
            .windows(text.len())
            .position(|window| window == text.as_bytes())
            .expect("the string is in the row as it is");
        // Cutting the microphone (4 bytes) in two makes the row unreadable, not wrong,
        // even with a checksum that matches the damaged bytes.
        let mut broken = row.clone();
        let microphone = at + text.find('🎙').unwrap();
        broken[microphone + 1] = b'x';
        assert!(from_row::<Entry>(&broken).is_err());
        assert!(from_row::<Entry>(&resealed(&broken)).is_err());
    }

    #[test]
    fn rows_of_another_format_or_release_are_refused() {
        let entry = entry();
        let messagepack = rmp_serde::to_vec_named(&entry).unwrap();
        assert!(from_row::<Entry>(&messagepack).is_err());
        assert!(from_row::<Entry>(b"").is_err());
        let row = to_row(&entry).unwrap();
        // A writer of the same length, so that only the release differs.
        let other_writer = "9".repeat(WRITER.len());
        let other = String::from_utf8_lossy(&row).replacen(WRITER, &other_writer, 1);
        assert!(from_row::<Entry>(other.as_bytes()).is_err());
        assert!(from_row::<Entry>(&resealed(other.as_bytes())).is_err());
        // A row with bytes after its value is not taken for the value.
        let mut longer = row[..row.len() - CHECKSUM_LENGTH].to_vec();
        longer.push(b'x');
        longer.extend_from_slice(&[0; CHECKSUM_LENGTH]);
        assert!(from_row::<Entry>(&resealed(&longer)).is_err());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Before {
        a: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct After {
        a: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<String>,
        #[serde(default)]
        c: u32,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Required {
        a: u32,
        b: String,
    }

    #[test]
    fn a_struct_whose_fields_changed_is_refused_not_misread() {
        let row = to_row(&Before { a: 7, b: None }).unwrap();
        assert_eq!(from_row::<Before>(&row).unwrap(), Before { a: 7, b: None });
        assert!(from_row::<After>(&row).is_err(), "a field added");
        let row = to_row(&After {
            a: 7,
            b: None,
            c: 1,
        })
        .unwrap();
        assert!(from_row::<Before>(&row).is_err(), "a field removed");
        // A left-out field that the type now requires.
        let row = to_row(&Before { a: 7, b: None }).unwrap();
        assert!(from_row::<Required>(&row).is_err());
    }

    #[test]
    fn a_damaged_row_is_an_error_never_a_panic() {
        let row = to_row(&entry()).unwrap();
        assert_eq!(from_row::<Entry>(&row).unwrap(), entry());
        for end in 0..row.len() {
            assert!(from_row::<Entry>(&row[..end]).is_err(), "cut at {end}");
        }
        // Every byte changed to every other value: refused, never a value that still
        // reads (a flipped boolean, another digit).
        for at in 0..row.len() {
            for byte in 0..=u8::MAX {
                if byte == row[at] {
                    continue;
                }
                let mut damaged = row.clone();
                damaged[at] = byte;
                assert!(
                    from_row::<Entry>(&damaged).is_err(),
                    "byte {at} set to {byte:#04x}"
                );
                // Past the checksum, the decoder still never panics on a damaged row.
                if at < row.len() - CHECKSUM_LENGTH {
                    let _ = from_row::<Entry>(&resealed(&damaged));
                }
            }
        }
        // A length far past the row's end is refused before anything is allocated.
        let mut huge = MAGIC.to_vec();
        push_varint(&mut huge, WRITER.len() as u64);
        huge.extend_from_slice(WRITER.as_bytes());
        let mut structure = Vec::new();
        push_varint(&mut structure, u64::MAX >> 1);
        push_varint(&mut huge, structure.len() as u64);
        huge.extend_from_slice(&structure);
        seal(&mut huge);
        assert!(from_row::<Vec<String>>(&huge).is_err());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct NoDefault {
        a: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Aliased {
        #[serde(alias = "alpha")]
        a: u32,
    }

    #[test]
    fn the_rules_for_cached_types_are_needed() {
        // A left-out field without `#[serde(default)]` is refused, even an `Option`.
        let row = to_row(&NoDefault { a: 1, b: None }).unwrap();
        assert!(from_row::<NoDefault>(&row).is_err());
        let present = NoDefault {
            a: 1,
            b: Some("b".into()),
        };
        assert_eq!(round_trip(&present), present);
        // An alias counts as a field when read, so no row of the struct reads back.
        assert!(from_row::<Aliased>(&to_row(&Aliased { a: 1 }).unwrap()).is_err());
    }

    #[test]
    fn an_option_without_its_marker_is_refused() {
        // A bare string where an option is expected (as `model::utc_seconds::option`
        // once wrote a present date) is neither `None` nor `Some`.
        let row = to_row("hello").unwrap();
        assert_eq!(from_row::<String>(&row).unwrap(), "hello");
        assert!(from_row::<Option<String>>(&row).is_err());
        let row = to_row(&Some("hello")).unwrap();
        assert_eq!(from_row::<Option<String>>(&row).unwrap().unwrap(), "hello");
        // Strings of length 0 and 1 (whose length is a marker's byte) read back.
        let short = (
            Some(String::new()),
            String::new(),
            Some("a".to_string()),
            "b",
        );
        let row = to_row(&short).unwrap();
        let back: (Option<String>, String, Option<String>, String) = from_row(&row).unwrap();
        assert_eq!(
            back,
            (
                Some(String::new()),
                String::new(),
                Some("a".into()),
                "b".into()
            )
        );
    }

    #[test]
    fn untagged_values_are_refused_when_written_or_read() {
        let value = serde_json::json!({"a": 1});
        let row = to_row(&value);
        // A JSON value writes as a map, which reads back only as a type of known shape.
        assert!(row.is_err() || from_row::<serde_json::Value>(&row.unwrap()).is_err());
    }
}
