//! Exact MP3 durations by walking every MPEG audio frame.
//!
//! Tag libraries estimate an MP3's length from the first frame's bitrate when there is no
//! Xing/VBRI header, which is several times wrong for a VBR file (`lame -V 4 -t`). Podcast
//! apps show `itunes:duration` and seek with it, so we count frames instead: skip ID3v2
//! tags, then read each 4-byte frame header, add its samples and jump to the next one.
//! Only the headers are read (the rest is skipped with a buffered seek), so a 100 MB file
//! costs a few hundred thousand small reads from the page cache.
//!
//! A Xing/Info or VBRI frame holds no audio and is not counted; when a LAME tag gives the
//! encoder delay and padding they are taken off, which gives the gapless length.

use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

/// What a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct Mp3Scan {
    /// Audio frames counted (the Xing/Info/VBRI frame excluded).
    pub frames: u64,
    /// Samples per channel after removing the LAME encoder delay and padding.
    pub samples: u64,
    pub sample_rate: u32,
    /// Whether the bitrate changed between frames.
    pub variable_bitrate: bool,
    /// Whether a Xing/Info/VBRI header frame was present.
    pub has_vbr_header: bool,
    /// Bytes between frames that were not audio (skipped while regaining sync).
    pub junk_bytes: u64,
}

impl Mp3Scan {
    pub fn seconds(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.samples as f64 / f64::from(self.sample_rate)
    }
}

/// Why a file could not be scanned as MP3.
#[derive(Debug, thiserror::Error)]
pub enum Mp3Error {
    #[error("cannot read it: {0}")]
    Io(#[from] io::Error),
    #[error("no MPEG audio frames found; is it really an MP3?")]
    NoFrames,
}

/// Scans the MP3 file at `path`.
pub fn scan_file(path: &Path) -> Result<Mp3Scan, Mp3Error> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    scan(BufReader::with_capacity(64 * 1024, file), len)
}

/// One parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    /// 1 = MPEG-1, 2 = MPEG-2, 25 = MPEG-2.5.
    version: u8,
    layer: u8,
    bitrate_kbps: u32,
    sample_rate: u32,
    mono: bool,
    frame_len: u32,
    samples: u32,
}

impl Header {
    fn parse(b: [u8; 4]) -> Option<Header> {
        if b[0] != 0xFF || b[1] & 0xE0 != 0xE0 {
            return None;
        }
        let version = match (b[1] >> 3) & 0b11 {
            0b00 => 25,
            0b10 => 2,
            0b11 => 1,
            _ => return None,
        };
        let layer = match (b[1] >> 1) & 0b11 {
            0b01 => 3,
            0b10 => 2,
            0b11 => 1,
            _ => return None,
        };
        let bitrate_index = usize::from(b[2] >> 4);
        // 0 is "free format" (a bitrate the header does not state), 15 is invalid.
        if bitrate_index == 0 || bitrate_index == 15 {
            return None;
        }
        let rate_index = usize::from((b[2] >> 2) & 0b11);
        if rate_index == 3 {
            return None;
        }
        let padding = u32::from((b[2] >> 1) & 1);
        let mono = (b[3] >> 6) == 0b11;
        let bitrate_kbps = u32::from(match (version, layer) {
            (1, 1) => V1_L1[bitrate_index],
            (1, 2) => V1_L2[bitrate_index],
            (1, 3) => V1_L3[bitrate_index],
            (_, 1) => V2_L1[bitrate_index],
            _ => V2_L23[bitrate_index],
        });
        let sample_rate = match version {
            1 => [44100, 48000, 32000][rate_index],
            2 => [22050, 24000, 16000][rate_index],
            _ => [11025, 12000, 8000][rate_index],
        };
        let bitrate = bitrate_kbps * 1000;
        let (frame_len, samples) = match layer {
            1 => ((12 * bitrate / sample_rate + padding) * 4, 384),
            2 => (144 * bitrate / sample_rate + padding, 1152),
            _ if version == 1 => (144 * bitrate / sample_rate + padding, 1152),
            _ => (72 * bitrate / sample_rate + padding, 576),
        };
        Some(Header {
            version,
            layer,
            bitrate_kbps,
            sample_rate,
            mono,
            frame_len,
            samples,
        })
    }

    /// Whether `other` can belong to the same stream: a stream never changes its MPEG
    /// version, layer or sample rate, which rules out most false syncs in junk.
    fn same_stream(&self, other: &Header) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }

    /// Where a Xing/Info header would start inside this frame (after the side info).
    fn xing_offset(&self) -> usize {
        match (self.version == 1, self.mono) {
            (true, false) => 36,
            (true, true) => 21,
            (false, false) => 21,
            (false, true) => 13,
        }
    }
}

const V1_L1: [u16; 16] = [
    0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0,
];
const V1_L2: [u16; 16] = [
    0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0,
];
const V1_L3: [u16; 16] = [
    0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0,
];
const V2_L1: [u16; 16] = [
    0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0,
];
const V2_L23: [u16; 16] = [
    0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0,
];

/// A reader that knows its position and skips forward without dropping its buffer.
struct Walker<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Walker<R> {
    fn seek_to(&mut self, target: u64) -> io::Result<()> {
        let delta = target as i64 - self.pos as i64;
        if delta != 0 {
            self.inner.seek_relative(delta)?;
            self.pos = target;
        }
        Ok(())
    }

    /// Reads up to `buf.len()` bytes at `at`; returns how many were read.
    fn read_at(&mut self, at: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.seek_to(at)?;
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.pos += filled as u64;
        Ok(filled)
    }

    fn header_at(&mut self, at: u64) -> io::Result<Option<Header>> {
        let mut b = [0u8; 4];
        if self.read_at(at, &mut b)? < 4 {
            return Ok(None);
        }
        Ok(Header::parse(b))
    }
}

/// Scans an MP3 stream of `len` bytes.
pub fn scan<R: Read + Seek>(reader: R, len: u64) -> Result<Mp3Scan, Mp3Error> {
    let mut w = Walker {
        inner: reader,
        pos: 0,
        len,
    };
    let mut pos = skip_id3v2(&mut w)?;
    let mut scan = Mp3Scan {
        frames: 0,
        samples: 0,
        sample_rate: 0,
        variable_bitrate: false,
        has_vbr_header: false,
        junk_bytes: 0,
    };
    let mut first: Option<Header> = None;
    let mut first_audio_bitrate: Option<u32> = None;
    let mut trim = 0u64;
    while pos + 4 <= w.len {
        let header = w.header_at(pos)?;
        let valid = match (&header, &first) {
            (Some(h), Some(f)) => f.same_stream(h) && pos + u64::from(h.frame_len) <= w.len,
            (Some(h), None) => is_confirmed(&mut w, pos, h)?,
            _ => false,
        };
        let Some(h) = header.filter(|_| valid) else {
            if at_trailing_tag(&mut w, pos)? {
                break;
            }
            match resync(&mut w, pos + 1, first.as_ref())? {
                Some(next) => {
                    scan.junk_bytes += next - pos;
                    pos = next;
                    continue;
                }
                None => break,
            }
        };
        if first.is_none() {
            first = Some(h);
            scan.sample_rate = h.sample_rate;
            if let Some(lame_trim) = vbr_header(&mut w, pos, &h)? {
                scan.has_vbr_header = true;
                trim = lame_trim;
                pos += u64::from(h.frame_len);
                continue;
            }
        }
        match first_audio_bitrate {
            None => first_audio_bitrate = Some(h.bitrate_kbps),
            Some(bitrate) if bitrate != h.bitrate_kbps => scan.variable_bitrate = true,
            Some(_) => {}
        }
        scan.frames += 1;
        scan.samples += u64::from(h.samples);
        pos += u64::from(h.frame_len);
    }
    if scan.frames == 0 {
        return Err(Mp3Error::NoFrames);
    }
    scan.samples = scan.samples.saturating_sub(trim);
    Ok(scan)
}

/// Skips every ID3v2 tag at the start; returns where the audio begins.
fn skip_id3v2<R: Read + Seek>(w: &mut Walker<R>) -> io::Result<u64> {
    let mut pos = 0u64;
    loop {
        let mut h = [0u8; 10];
        if w.read_at(pos, &mut h)? < 10 || &h[..3] != b"ID3" {
            return Ok(pos);
        }
        // The size is "syncsafe": 4 bytes of 7 bits each.
        if h[6..10].iter().any(|b| b & 0x80 != 0) {
            return Ok(pos);
        }
        let size = h[6..10]
            .iter()
            .fold(0u64, |acc, &b| (acc << 7) | u64::from(b));
        let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
        pos += 10 + size + footer;
    }
}

/// The first frame must be followed by another frame of the same stream (or end the
/// file), so that a stray 0xFF in leftover tag bytes is not taken for audio.
fn is_confirmed<R: Read + Seek>(w: &mut Walker<R>, pos: u64, h: &Header) -> io::Result<bool> {
    let next = pos + u64::from(h.frame_len);
    if next > w.len {
        return Ok(false);
    }
    if next + 4 > w.len {
        return Ok(true);
    }
    Ok(match w.header_at(next)? {
        Some(n) => n.same_stream(h),
        None => at_trailing_tag(w, next)?,
    })
}

/// ID3v1 (`TAG`), APEv2 (`APETAGEX`) and Lyrics3 (`LYRICS`) live after the audio.
fn at_trailing_tag<R: Read + Seek>(w: &mut Walker<R>, pos: u64) -> io::Result<bool> {
    let mut b = [0u8; 8];
    let n = w.read_at(pos, &mut b)?;
    let b = &b[..n];
    Ok(b.starts_with(b"TAG") || b.starts_with(b"APETAGEX") || b.starts_with(b"LYRICS"))
}

/// Looks for the next position at which a frame of the stream starts.
fn resync<R: Read + Seek>(
    w: &mut Walker<R>,
    from: u64,
    first: Option<&Header>,
) -> io::Result<Option<u64>> {
    let mut pos = from;
    let mut window = [0u8; 4096];
    while pos + 4 <= w.len {
        let n = w.read_at(pos, &mut window)?;
        if n < 4 {
            return Ok(None);
        }
        for i in 0..n - 3 {
            if window[i] != 0xFF {
                continue;
            }
            let candidate = pos + i as u64;
            let bytes = [window[i], window[i + 1], window[i + 2], window[i + 3]];
            let Some(h) = Header::parse(bytes) else {
                continue;
            };
            if first.is_some_and(|f| !f.same_stream(&h)) {
                continue;
            }
            if is_confirmed(w, candidate, &h)? {
                return Ok(Some(candidate));
            }
            // `is_confirmed` moved the reader; the window still holds the bytes.
        }
        pos += (n - 3) as u64;
    }
    Ok(None)
}

/// If the frame at `pos` is a Xing/Info or VBRI header, returns the samples to trim
/// (LAME encoder delay + padding, 0 without a LAME tag).
fn vbr_header<R: Read + Seek>(w: &mut Walker<R>, pos: u64, h: &Header) -> io::Result<Option<u64>> {
    let mut frame = vec![0u8; h.frame_len as usize];
    let n = w.read_at(pos, &mut frame)?;
    let frame = &frame[..n];
    if frame.get(36..40) == Some(b"VBRI") {
        return Ok(Some(0));
    }
    let x = h.xing_offset();
    let tag = frame.get(x..x + 4);
    if tag != Some(b"Xing") && tag != Some(b"Info") {
        return Ok(None);
    }
    let Some(flags) = frame.get(x + 4..x + 8) else {
        return Ok(Some(0));
    };
    let flags = u32::from_be_bytes([flags[0], flags[1], flags[2], flags[3]]);
    let mut lame = x + 8;
    for (bit, size) in [(1, 4), (2, 4), (4, 100), (8, 4)] {
        if flags & bit != 0 {
            lame += size;
        }
    }
    // The LAME extension starts with its encoder string ("LAME", "Lavc", "Lavf"); the
    // 12-bit delay and padding sit at bytes 21..24 of it.
    let Some(ext) = frame.get(lame..lame + 24) else {
        return Ok(Some(0));
    };
    if !(ext.starts_with(b"LAME") || ext.starts_with(b"Lav") || ext.starts_with(b"L3.99")) {
        return Ok(Some(0));
    }
    let delay = (u64::from(ext[21]) << 4) | (u64::from(ext[22]) >> 4);
    let padding = (u64::from(ext[22] & 0x0F) << 8) | u64::from(ext[23]);
    Ok(Some(delay + padding))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// An MPEG-1 Layer III frame header: 44.1 kHz, stereo, given bitrate index.
    fn frame(bitrate_index: u8, padding: bool) -> Vec<u8> {
        let b2 = (bitrate_index << 4) | if padding { 0b10 } else { 0 };
        let header = Header::parse([0xFF, 0xFB, b2, 0x00]).unwrap();
        let mut bytes = vec![0u8; header.frame_len as usize];
        bytes[..4].copy_from_slice(&[0xFF, 0xFB, b2, 0x00]);
        bytes
    }

    #[test]
    fn parses_a_128k_frame_header() {
        let h = Header::parse([0xFF, 0xFB, 0x90, 0x00]).unwrap();
        assert_eq!(
            (h.version, h.layer, h.bitrate_kbps, h.sample_rate),
            (1, 3, 128, 44100)
        );
        assert_eq!(h.frame_len, 417);
        assert_eq!(h.samples, 1152);
        assert!(
            Header::parse([0xFF, 0xFB, 0xF0, 0x00]).is_none(),
            "bad bitrate"
        );
        assert!(
            Header::parse([0xFF, 0xFB, 0x9C, 0x00]).is_none(),
            "bad rate"
        );
    }

    #[test]
    fn counts_every_frame_of_a_variable_bitrate_stream() {
        let mut data = b"ID3\x04\x00\x00\x00\x00\x00\x05hello".to_vec();
        for i in 0..100u8 {
            data.extend(frame(if i % 2 == 0 { 9 } else { 14 }, i % 3 == 0));
        }
        data.extend(b"TAG");
        data.extend([0u8; 125]);
        let len = data.len() as u64;
        let scan = scan(Cursor::new(data), len).unwrap();
        assert_eq!(scan.frames, 100);
        assert_eq!(scan.samples, 115_200);
        assert!(scan.variable_bitrate);
        assert!(!scan.has_vbr_header);
        assert_eq!(scan.junk_bytes, 0);
        assert!((scan.seconds() - 115_200.0 / 44_100.0).abs() < 1e-9);
    }

    #[test]
    fn regains_sync_after_junk_between_frames() {
        let mut data = Vec::new();
        for _ in 0..10 {
            data.extend(frame(9, false));
        }
        data.extend([0x00, 0xFF, 0x12, 0x34, 0x00, 0x00, 0x00]);
        for _ in 0..10 {
            data.extend(frame(9, false));
        }
        let len = data.len() as u64;
        let scan = scan(Cursor::new(data), len).unwrap();
        assert_eq!(scan.frames, 20);
        assert_eq!(scan.junk_bytes, 7);
    }

    #[test]
    fn a_xing_frame_is_not_audio_and_lame_trim_is_applied() {
        let mut first = frame(9, false);
        first[36..40].copy_from_slice(b"Info");
        first[40..44].copy_from_slice(&1u32.to_be_bytes()); // frames field only
        let lame = 36 + 8 + 4;
        first[lame..lame + 4].copy_from_slice(b"LAME");
        // delay 576, padding 1000: 0x240 and 0x3E8 packed as 12+12 bits.
        first[lame + 21] = 0x24;
        first[lame + 22] = 0x03;
        first[lame + 23] = 0xE8;
        let mut data = first;
        for _ in 0..10 {
            data.extend(frame(9, false));
        }
        let len = data.len() as u64;
        let scan = scan(Cursor::new(data), len).unwrap();
        assert!(scan.has_vbr_header);
        assert_eq!(scan.frames, 10);
        assert_eq!(scan.samples, 11_520 - 576 - 1000);
    }

    #[test]
    fn real_files_lame_cbr_with_info_frame_and_vbr_without() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audio");
        let cbr = scan_file(&dir.join("speech-cbr.mp3")).unwrap();
        assert!(cbr.has_vbr_header);
        assert!(!cbr.variable_bitrate);
        assert_eq!((cbr.frames, cbr.sample_rate), (185, 22_050));
        // 185 × 576 samples minus the LAME tag's delay and padding: the source's length.
        assert_eq!(cbr.samples, 105_149);
        let vbr = scan_file(&dir.join("speech-vbr-noxing.mp3")).unwrap();
        assert!(!vbr.has_vbr_header);
        assert!(vbr.variable_bitrate);
        assert_eq!(
            (vbr.frames, vbr.samples, vbr.sample_rate),
            (189, 217_728, 44_100)
        );
        assert_eq!(vbr.junk_bytes, 0);
    }

    #[test]
    fn data_without_frames_is_an_error() {
        let data = vec![0x42u8; 5000];
        assert!(matches!(
            scan(Cursor::new(data), 5000),
            Err(Mp3Error::NoFrames)
        ));
    }
}
