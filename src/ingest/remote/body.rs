//! A response body, chunk by chunk: counted against the transfer cap as it arrives and
//! decompressed (gzip, deflate, brotli) into a buffer that refuses to grow past the
//! decompressed cap, so a compression bomb is stopped after at most one chunk's worth.
//!
//! omroep decompresses itself rather than letting the HTTP client do it: only then can
//! it count the bytes that crossed the network separately from the bytes they expand to.

use std::io::{self, Write};

use flate2::write::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

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
    Gzip(MultiGzDecoder<Capped>),
    /// HTTP "deflate" is meant to be zlib-wrapped but some servers send raw deflate;
    /// the first two bytes tell which, so they are held until they have arrived.
    DeflateUnknown(Vec<u8>, Capped),
    Zlib(ZlibDecoder<Capped>),
    Deflate(DeflateDecoder<Capped>),
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

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len() as u64 + buf.len() as u64 > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("decompressed size cap"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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
            "gzip" | "x-gzip" => ("gzip", State::Gzip(MultiGzDecoder::new(sink))),
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
            self.state = if zlib {
                State::Zlib(ZlibDecoder::new(sink))
            } else {
                State::Deflate(DeflateDecoder::new(sink))
            };
            return self.write(&head);
        }
        self.write(chunk)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), FetchError> {
        let result = match &mut self.state {
            State::Identity(sink) => sink.write_all(bytes),
            State::Gzip(decoder) => decoder.write_all(bytes),
            State::Zlib(decoder) => decoder.write_all(bytes),
            State::Deflate(decoder) => decoder.write_all(bytes),
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
            State::Gzip(decoder) => decoder.finish(),
            State::Zlib(decoder) => decoder.finish(),
            State::Deflate(decoder) => decoder.finish(),
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
            State::Gzip(decoder) => decoder.get_ref().exceeded,
            State::Zlib(decoder) => decoder.get_ref().exceeded,
            State::Deflate(decoder) => decoder.get_ref().exceeded,
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
        let mut decoder = BodyDecoder::new(encoding, max, max)?;
        for chunk in body.chunks(7) {
            decoder.push(chunk)?;
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
        let error = BodyDecoder::new(Some("zstd"), 1, 1).err().unwrap();
        assert_eq!(
            error.to_string(),
            "the server sent the body in an unsupported Content-Encoding: zstd"
        );
    }
}
