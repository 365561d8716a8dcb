//! A response body, chunk by chunk: counted against the transfer cap as it arrives and
//! decompressed (gzip, deflate, brotli) into a buffer that refuses to grow past the
//! decompressed cap, so a compression bomb is stopped after at most one chunk's worth.
//!
//! omroep decompresses itself rather than letting the HTTP client do it: only then can
//! it count the bytes that crossed the network separately from the bytes they expand to.
//! gzip and deflate are inflated straight into the body's buffer ([`Inflate`]), which
//! never grows past the cap: a streaming decoder writing into a sink would hand every
//! piece of output over through a buffer of its own, one more copy of every byte.

use std::io::{self, Write};

use flate2::{Decompress, FlushDecompress, Status};

use super::FetchError;

/// The body so far, decoded as it arrives.
pub struct BodyDecoder {
    transferred: u64,
    max_transfer: u64,
    max_body: u64,
    encoding: &'static str,
    state: State,
}

enum State {
    Identity(Capped),
    /// gzip (every member of a multi-member body), zlib or raw deflate.
    Inflate(Inflate),
    /// HTTP "deflate" is meant to be zlib-wrapped but some servers send raw deflate;
    /// the first two bytes tell which, so they are held until they have arrived.
    DeflateUnknown(Vec<u8>, Capped),
    Brotli(Box<brotli::DecompressorWriter<Capped>>),
    /// Transient, while switching states.
    Done,
}

/// A buffer that refuses to grow past its limit (and remembers that it did).
struct Capped {
    bytes: Vec<u8>,
    limit: u64,
    exceeded: bool,
}

impl Capped {
    /// Makes room for `needed` more bytes, growing the buffer by at least its length
    /// and [`MIN_GROWTH`] (few, large steps) but never past one byte over the cap (that
    /// byte says the cap was exceeded): a growth by doubling alone could reserve up to
    /// twice the cap. An error (and `exceeded`) when `needed` more would pass that byte.
    fn reserve(&mut self, needed: usize) -> io::Result<()> {
        let len = self.bytes.len();
        if self.bytes.capacity() - len >= needed {
            return Ok(());
        }
        let most = usize::try_from(self.limit.saturating_add(1)).unwrap_or(usize::MAX);
        if len.saturating_add(needed) > most {
            self.exceeded = true;
            return Err(io::Error::other("decompressed size cap"));
        }
        let grow = len.max(MIN_GROWTH).max(needed).min(most - len);
        self.bytes.reserve_exact(grow);
        Ok(())
    }
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() as u64 + buf.len() as u64 > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("decompressed size cap"));
        }
        self.reserve(buf.len())?;
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A deflate stream (gzip-, zlib- or un-wrapped) inflated into the spare capacity of
/// the body's own buffer.
struct Inflate {
    inflater: Decompress,
    sink: Capped,
    /// gzip: after one member ends, more input is the next member (RFC 1952 allows
    /// several, and `gzip -c a b` makes such bodies).
    gzip: bool,
    /// The last stream (member) ended, and nothing has come after it.
    ended: bool,
}

/// What the buffer grows by at least when it is full: one read's worth of output
/// rather than a call to the inflater for every few bytes.
const MIN_GROWTH: usize = 32 * 1024;

impl Inflate {
    fn new(kind: Wrapper, sink: Capped) -> Inflate {
        let inflater = match kind {
            Wrapper::Gzip => Decompress::new_gzip(15),
            Wrapper::Zlib => Decompress::new(true),
            Wrapper::Raw => Decompress::new(false),
        };
        Inflate {
            inflater,
            sink,
            gzip: kind == Wrapper::Gzip,
            ended: false,
        }
    }

    /// Inflates `input` (one chunk off the network) into the buffer.
    fn write(&mut self, mut input: &[u8]) -> io::Result<()> {
        loop {
            let bytes = &self.sink.bytes;
            // Done with this chunk, unless a full buffer may leave output pending.
            if input.is_empty() && (self.ended || bytes.len() < bytes.capacity()) {
                return Ok(());
            }
            if self.ended {
                if !self.gzip {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "data after the end of the compressed stream",
                    ));
                }
                // The next gzip member; `reset(true)` keeps the gzip wrapper.
                self.inflater.reset(true);
                self.ended = false;
            }
            // A full buffer grows (to at most one byte past the cap, which says the cap
            // was exceeded).
            self.sink.reserve(1)?;
            let (before_in, before_out) = (self.inflater.total_in(), self.inflater.total_out());
            let status = self
                .inflater
                .decompress_vec(input, &mut self.sink.bytes, FlushDecompress::None)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            let consumed = (self.inflater.total_in() - before_in) as usize;
            let produced = self.inflater.total_out() - before_out;
            input = &input[consumed.min(input.len())..];
            let bytes = &self.sink.bytes;
            let full = bytes.len() == bytes.capacity();
            if bytes.len() as u64 > self.sink.limit {
                self.sink.exceeded = true;
                return Err(io::Error::other("decompressed size cap"));
            }
            match status {
                Status::StreamEnd => self.ended = true,
                // Room left in the buffer and all input taken: wait for the next chunk.
                Status::Ok | Status::BufError if !full => {
                    if input.is_empty() {
                        return Ok(());
                    }
                    if consumed == 0 && produced == 0 {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "the decompressor made no progress",
                        ));
                    }
                }
                // The buffer is full: grow it (above) and go on.
                Status::Ok | Status::BufError => {}
            }
        }
    }

    /// The body, once the whole stream has been inflated.
    fn finish(self) -> io::Result<Capped> {
        if self.ended {
            Ok(self.sink)
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ends early",
            ))
        }
    }
}

/// How a deflate stream is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrapper {
    Gzip,
    Zlib,
    Raw,
}

impl BodyDecoder {
    /// A decoder for a body sent with `content_encoding` (the header's value).
    pub fn new(
        content_encoding: Option<&str>,
        max_transfer: u64,
        max_body: u64,
    ) -> Result<BodyDecoder, FetchError> {
        Self::with_length_hint(content_encoding, max_transfer, max_body, None)
    }

    /// Like [`BodyDecoder::new`], with the announced `Content-Length` used to size the
    /// buffer up front (never beyond the cap: the header is the server's word only).
    pub fn with_length_hint(
        content_encoding: Option<&str>,
        max_transfer: u64,
        max_body: u64,
        content_length: Option<u64>,
    ) -> Result<BodyDecoder, FetchError> {
        let identity = matches!(
            content_encoding.map(str::trim),
            None | Some("" | "identity")
        );
        // Feeds compress four to eight to one: reserving six times the compressed size
        // spares most bodies the final doubling (and copy) of a buffer that was just too
        // small; the untouched rest costs address space, not memory. At most 8 MiB is
        // reserved on the server's word.
        let expected = content_length.map_or(0, |n| if identity { n } else { n.saturating_mul(6) });
        let sink = Capped {
            bytes: Vec::with_capacity(expected.min(max_body).min(8 << 20) as usize),
            limit: max_body,
            exceeded: false,
        };
        let coding = content_encoding
            .map(|value| value.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let (encoding, state) = match coding.as_str() {
            "" | "identity" => ("identity", State::Identity(sink)),
            "gzip" | "x-gzip" => ("gzip", State::Inflate(Inflate::new(Wrapper::Gzip, sink))),
            "deflate" => ("deflate", State::DeflateUnknown(Vec::new(), sink)),
            "br" => (
                "brotli",
                State::Brotli(Box::new(brotli::DecompressorWriter::new(sink, 32 * 1024))),
            ),
            _ => return Err(FetchError::UnsupportedEncoding(coding)),
        };
        Ok(BodyDecoder {
            transferred: 0,
            max_transfer,
            max_body,
            encoding,
            state,
        })
    }

    /// Adds one chunk as it came off the network.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FetchError> {
        self.transferred += chunk.len() as u64;
        if self.transferred > self.max_transfer {
            return Err(FetchError::TooLarge {
                transferred: true,
                limit: self.max_transfer,
            });
        }
        if let State::DeflateUnknown(head, _) = &mut self.state {
            head.extend_from_slice(chunk);
            if head.len() < 2 {
                return Ok(());
            }
            let State::DeflateUnknown(head, sink) = std::mem::replace(&mut self.state, State::Done)
            else {
                return Ok(());
            };
            // RFC 1950: CMF/FLG with method 8 and a header checksum divisible by 31.
            let zlib =
                head[0] & 0x0f == 8 && (u16::from(head[0]) << 8 | u16::from(head[1])) % 31 == 0;
            let wrapper = if zlib { Wrapper::Zlib } else { Wrapper::Raw };
            self.state = State::Inflate(Inflate::new(wrapper, sink));
            return self.write(&head);
        }
        self.write(chunk)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), FetchError> {
        let result = match &mut self.state {
            State::Identity(sink) => sink.write_all(bytes),
            State::Inflate(inflate) => inflate.write(bytes),
            State::Brotli(decoder) => decoder.write_all(bytes),
            State::DeflateUnknown(..) | State::Done => Ok(()),
        };
        result.map_err(|error| self.error(error))
    }

    /// The whole decoded body, once the last chunk has been pushed.
    pub fn finish(mut self) -> Result<Vec<u8>, FetchError> {
        let state = std::mem::replace(&mut self.state, State::Done);
        let sink = match state {
            State::Identity(sink) => Ok(sink),
            State::Inflate(inflate) => inflate.finish(),
            State::Brotli(decoder) => decoder
                .into_inner()
                .map_err(|_| io::Error::new(io::ErrorKind::UnexpectedEof, "stream ends early")),
            State::DeflateUnknown(head, _) if head.is_empty() => {
                return Ok(Vec::new());
            }
            State::DeflateUnknown(..) | State::Done => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stream ends early",
            )),
        };
        match sink {
            Ok(sink) if sink.exceeded => Err(self.too_large()),
            Ok(sink) => Ok(sink.bytes),
            Err(error) => Err(self.error(error)),
        }
    }

    fn too_large(&self) -> FetchError {
        FetchError::TooLarge {
            transferred: false,
            limit: self.max_body,
        }
    }

    fn error(&self, error: io::Error) -> FetchError {
        let exceeded = match &self.state {
            State::Identity(sink) | State::DeflateUnknown(_, sink) => sink.exceeded,
            State::Inflate(inflate) => inflate.sink.exceeded,
            State::Brotli(decoder) => decoder.get_ref().exceeded,
            State::Done => false,
        };
        if exceeded || error.to_string() == "decompressed size cap" {
            self.too_large()
        } else {
            FetchError::Decompress {
                encoding: self.encoding,
                detail: error.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn decode(encoding: Option<&str>, body: &[u8], max: u64) -> Result<Vec<u8>, FetchError> {
        decode_in(encoding, body, max, 7)
    }

    /// Decodes `body` pushed in chunks of `chunk` bytes, with the transfer cap out of
    /// the way.
    fn decode_in(
        encoding: Option<&str>,
        body: &[u8],
        max: u64,
        chunk: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let mut decoder = BodyDecoder::new(encoding, u64::MAX, max)?;
        for piece in body.chunks(chunk.max(1)) {
            decoder.push(piece)?;
        }
        decoder.finish()
    }

    #[test]
    fn every_supported_encoding_round_trips() {
        let text = b"<rss version=\"2.0\"><channel><title>t</title></channel></rss>".repeat(20);
        assert_eq!(decode(None, &text, 1 << 20).unwrap(), text);
        assert_eq!(decode(Some("gzip"), &gzip(&text), 1 << 20).unwrap(), text);

        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Compression::fast());
        zlib.write_all(&text).unwrap();
        let zlib = zlib.finish().unwrap();
        assert_eq!(decode(Some("deflate"), &zlib, 1 << 20).unwrap(), text);

        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
        raw.write_all(&text).unwrap();
        let raw = raw.finish().unwrap();
        assert_eq!(decode(Some("Deflate"), &raw, 1 << 20).unwrap(), text);

        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(&text).unwrap();
        }
        assert_eq!(decode(Some("br"), &br, 1 << 20).unwrap(), text);
    }

    #[test]
    fn a_gzip_bomb_is_stopped_at_the_decompressed_cap() {
        let bomb = gzip(&vec![0u8; 8 << 20]);
        assert!(bomb.len() < 64 << 10);
        let mut decoder = BodyDecoder::new(Some("gzip"), 1 << 20, 1 << 20).unwrap();
        let error = bomb
            .chunks(16 << 10)
            .map(|chunk| decoder.push(chunk))
            .find_map(Result::err)
            .expect("the bomb must be refused while streaming");
        assert_eq!(
            error,
            FetchError::TooLarge {
                transferred: false,
                limit: 1 << 20
            }
        );
    }

    #[test]
    fn the_transfer_cap_counts_bytes_on_the_wire() {
        let mut decoder = BodyDecoder::new(None, 10, 1 << 20).unwrap();
        decoder.push(b"0123456789").unwrap();
        assert_eq!(
            decoder.push(b"a").unwrap_err(),
            FetchError::TooLarge {
                transferred: true,
                limit: 10
            }
        );
    }

    #[test]
    fn a_broken_or_unknown_encoding_is_a_clear_error() {
        let error = decode(Some("gzip"), b"this is not gzip at all", 1 << 20).unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::Decompress {
                    encoding: "gzip",
                    ..
                }
            ),
            "{error:?}"
        );
        let truncated = gzip(b"hello world, hello world");
        let error = decode(Some("gzip"), &truncated[..truncated.len() - 6], 1 << 20).unwrap_err();
        assert!(matches!(error, FetchError::Decompress { .. }), "{error:?}");
        // A zlib and a raw deflate stream cut short (one byte before its end).
        let text = b"<rss version=\"2.0\"><channel></channel></rss>".repeat(50);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Compression::fast());
        zlib.write_all(&text).unwrap();
        let zlib = zlib.finish().unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
        raw.write_all(&text).unwrap();
        let raw = raw.finish().unwrap();
        for (what, body) in [("zlib", &zlib), ("raw deflate", &raw)] {
            let error = decode(Some("deflate"), &body[..body.len() - 1], 1 << 20).unwrap_err();
            assert!(
                matches!(
                    error,
                    FetchError::Decompress {
                        encoding: "deflate",
                        ..
                    }
                ),
                "{what}: {error:?}"
            );
        }
        let error = BodyDecoder::new(Some("zstd"), 1, 1).err().unwrap();
        assert_eq!(
            error.to_string(),
            "the server sent the body in an unsupported Content-Encoding: zstd"
        );
    }
    #[test]
    fn every_member_of_a_multi_member_gzip_body_is_read() {
        let first = b"<rss version=\"2.0\"><channel>".repeat(3000);
        let second = b"<item><title>two</title></item></channel></rss>".repeat(3000);
        let mut body = gzip(&first);
        body.extend_from_slice(&gzip(&second));
        let mut expected = first.clone();
        expected.extend_from_slice(&second);
        // In one piece, in small chunks, and in chunks that split the members' seam.
        assert_eq!(
            decode_in(Some("gzip"), &body, 1 << 20, body.len()).unwrap(),
            expected
        );
        assert_eq!(decode(Some("gzip"), &body, 1 << 20).unwrap(), expected);
        assert_eq!(
            decode_in(Some("gzip"), &body, 1 << 20, 1000).unwrap(),
            expected
        );
    }

    #[test]
    fn a_buffer_sized_exactly_or_too_small_by_the_header_still_gets_everything() {
        // 600,000 bytes: a hint of a sixth of it reserves exactly the text's length.
        let text: Vec<u8> = (0..150_000u32)
            .flat_map(|n| (n % 251).to_le_bytes())
            .collect();
        assert_eq!(text.len() % 6, 0);
        let body = gzip(&text);
        // The body in two pieces, split just before the gzip trailer (CRC and length):
        // the first fills an exactly sized buffer, and the trailer arrives with no room.
        let (deflated, trailer) = body.split_at(body.len() - 8);
        for hint in [0, 1, body.len() as u64, text.len() as u64 / 6] {
            let mut decoder =
                BodyDecoder::with_length_hint(Some("gzip"), 1 << 22, 1 << 22, Some(hint)).unwrap();
            decoder.push(deflated).unwrap();
            decoder.push(trailer).unwrap();
            assert_eq!(decoder.finish().unwrap(), text, "hint {hint}");
        }
    }

    #[test]
    fn plain_and_brotli_bodies_never_reserve_past_the_cap() {
        let text = vec![b'x'; 99_999];
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            writer.write_all(&text).unwrap();
        }
        for (encoding, body) in [(None, &text), (Some("br"), &br)] {
            // Pieces of 10,000: growth by doubling alone would reach 160,000 bytes.
            let decoded = decode_in(encoding, body, 100_000, 10_000).unwrap();
            assert_eq!(decoded, text, "{encoding:?}");
            assert!(
                decoded.capacity() <= 100_001,
                "{encoding:?}: {}",
                decoded.capacity()
            );
        }
        let error = decode_in(None, &vec![b'x'; 100_001], 100_000, 10_000).unwrap_err();
        assert_eq!(
            error,
            FetchError::TooLarge {
                transferred: false,
                limit: 100_000
            }
        );
    }

    #[test]
    fn a_body_of_exactly_the_cap_passes_and_one_byte_more_is_refused() {
        let text = vec![b'x'; 100_000];
        assert_eq!(decode(Some("gzip"), &gzip(&text), 100_000).unwrap(), text);
        let error = decode_in(Some("gzip"), &gzip(&text), 99_999, usize::MAX).unwrap_err();
        assert_eq!(
            error,
            FetchError::TooLarge {
                transferred: false,
                limit: 99_999
            }
        );
    }

    #[test]
    fn bytes_after_the_end_of_a_deflate_stream_are_an_error() {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), Compression::fast());
        zlib.write_all(b"<feed/>").unwrap();
        let mut body = zlib.finish().unwrap();
        body.extend_from_slice(b"trailing");
        let error = decode(Some("deflate"), &body, 1 << 20).unwrap_err();
        assert!(error.to_string().contains("after the end"), "{error}");
    }
}
