//! Just enough of the ISO base media file format (MP4) to tell a video file from an
//! audio-only one: walk the top-level boxes to `moov`, then each `trak`'s `mdia/hdlr`
//! handler type (`vide` or `soun`). Sizes are checked against the file so a hostile file
//! cannot make us read or allocate more than it holds.

use std::io::{self, Read, Seek, SeekFrom};

/// The largest `moov` box we read into memory (it holds sample tables, not media).
const MAX_MOOV: u64 = 64 * 1024 * 1024;

/// Whether the MP4 file has a video track.
pub fn has_video_track<R: Read + Seek>(file: &mut R) -> io::Result<bool> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut pos = 0u64;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos))?;
        let mut header = [0u8; 16];
        let n = read_up_to(file, &mut header)?;
        let Some((kind, header_len, size)) = box_header(&header[..n], len - pos) else {
            return Ok(false);
        };
        if &kind == b"moov" {
            let body_len = size - header_len;
            if body_len > MAX_MOOV {
                return Ok(false);
            }
            file.seek(SeekFrom::Start(pos + header_len))?;
            let mut body = vec![0u8; body_len as usize];
            file.read_exact(&mut body)?;
            return Ok(handlers(&body).any(|h| &h == b"vide"));
        }
        pos += size;
    }
    Ok(false)
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Parses a box header; returns (type, header length, whole box size), the size capped to
/// what remains. `None` when the header is cut short or its size is impossible.
fn box_header(b: &[u8], remaining: u64) -> Option<([u8; 4], u64, u64)> {
    let size32 = u32::from_be_bytes(b.get(0..4)?.try_into().ok()?);
    let kind: [u8; 4] = b.get(4..8)?.try_into().ok()?;
    let (header_len, size) = match size32 {
        0 => (8, remaining),
        1 => (16, u64::from_be_bytes(b.get(8..16)?.try_into().ok()?)),
        n => (8, u64::from(n)),
    };
    if size < header_len || size > remaining {
        return None;
    }
    Some((kind, header_len, size))
}

/// Children of a box body, as (type, body).
fn children(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let rest = body.get(pos..)?;
        let (kind, header_len, size) = box_header(rest, rest.len() as u64)?;
        let child = rest.get(header_len as usize..size as usize)?;
        pos += size as usize;
        Some((kind, child))
    })
}

/// The handler type of every `trak/mdia/hdlr` in a `moov` body.
fn handlers(moov: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    children(moov)
        .filter(|(kind, _)| kind == b"trak")
        .flat_map(|(_, trak)| children(trak).filter(|(kind, _)| kind == b"mdia"))
        .flat_map(|(_, mdia)| children(mdia).filter(|(kind, _)| kind == b"hdlr"))
        // hdlr: version+flags (4), pre_defined (4), handler_type (4).
        .filter_map(|(_, hdlr)| hdlr.get(8..12)?.try_into().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend(kind);
        out.extend(body);
        out
    }

    fn track(handler: &[u8; 4]) -> Vec<u8> {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend(handler);
        hdlr.extend([0u8; 13]);
        boxed(b"trak", &boxed(b"mdia", &boxed(b"hdlr", &hdlr)))
    }

    fn file(tracks: &[&[u8; 4]]) -> Vec<u8> {
        let mut moov = Vec::new();
        for t in tracks {
            moov.extend(track(t));
        }
        let mut out = boxed(b"ftyp", b"isom\x00\x00\x02\x00");
        out.extend(boxed(b"mdat", &[0u8; 100]));
        out.extend(boxed(b"moov", &moov));
        out
    }

    #[test]
    fn finds_a_video_track_after_the_media_data() {
        assert!(has_video_track(&mut Cursor::new(file(&[b"soun", b"vide"]))).unwrap());
        assert!(!has_video_track(&mut Cursor::new(file(&[b"soun"]))).unwrap());
    }

    #[test]
    fn impossible_sizes_are_not_followed() {
        let mut data = file(&[b"vide"]);
        data[0..4].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
        assert!(!has_video_track(&mut Cursor::new(data)).unwrap());
    }
}
