//! Just enough of the ISO base media file format (MP4) to tell a video file from an
//! audio-only one and to give the audio's presented duration: walk the top-level boxes to
//! `moov`, then each `trak`'s `mdia/hdlr` handler type (`vide` or `soun`) and its edit
//! list. Sizes are checked against the file so a hostile file cannot make us read or
//! allocate more than it holds.
//!
//! The duration comes from the edit list (`edts/elst`) when there is one, because AAC
//! encoders put about 1024 samples of priming and some padding in the media that the
//! edit list cuts away; the media's own length is that much too long.

use std::io::{self, Read, Seek, SeekFrom};

/// The largest `moov` box we read into memory (it holds sample tables, not media).
const MAX_MOOV: u64 = 64 * 1024 * 1024;

/// The body of the `moov` box, or `None` when the file has none (or an absurd one).
pub fn read_moov<R: Read + Seek>(file: &mut R) -> io::Result<Option<Vec<u8>>> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut pos = 0u64;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos))?;
        let mut header = [0u8; 16];
        let n = read_up_to(file, &mut header)?;
        let Some((kind, header_len, size)) = box_header(&header[..n], len - pos) else {
            return Ok(None);
        };
        if &kind == b"moov" {
            let body_len = size - header_len;
            if body_len > MAX_MOOV {
                return Ok(None);
            }
            file.seek(SeekFrom::Start(pos + header_len))?;
            let mut body = vec![0u8; body_len as usize];
            file.read_exact(&mut body)?;
            return Ok(Some(body));
        }
        pos += size;
    }
    Ok(None)
}

/// Whether the MP4 file has a video track.
pub fn has_video_track<R: Read + Seek>(file: &mut R) -> io::Result<bool> {
    Ok(read_moov(file)?.is_some_and(|moov| handlers(&moov).any(|h| &h == b"vide")))
}

/// The presented duration of the first audio track in seconds: the sum of its edit
/// list's segments, else its `tkhd` duration, in the movie's time scale.
pub fn audio_duration(moov: &[u8]) -> Option<f64> {
    let timescale = children(moov)
        .find(|(kind, _)| kind == b"mvhd")
        .and_then(|(_, mvhd)| {
            let at = if *mvhd.first()? == 1 { 20 } else { 12 };
            be_u32(mvhd, at)
        })
        .filter(|&t| t > 0)?;
    let trak = children(moov)
        .filter(|(kind, _)| kind == b"trak")
        .map(|(_, trak)| trak)
        .find(|trak| track_handler(trak) == Some(*b"soun"))?;
    let edits = children(trak)
        .find(|(kind, _)| kind == b"edts")
        .and_then(|(_, edts)| children(edts).find(|(kind, _)| kind == b"elst"))
        .and_then(|(_, elst)| edit_total(elst));
    let units = match edits {
        Some(units) => units,
        None => {
            let (_, tkhd) = children(trak).find(|(kind, _)| kind == b"tkhd")?;
            if *tkhd.first()? == 1 {
                be_u64(tkhd, 28)?
            } else {
                u64::from(be_u32(tkhd, 20)?)
            }
        }
    };
    Some(units as f64 / f64::from(timescale))
}

/// The sum of an edit list's segment durations, skipping empty edits (media time -1).
fn edit_total(elst: &[u8]) -> Option<u64> {
    let version = *elst.first()?;
    let count = be_u32(elst, 4)? as usize;
    let entry_len = if version == 1 { 20 } else { 12 };
    if count == 0 || elst.len() < 8 + count.checked_mul(entry_len)? {
        return None;
    }
    let mut total = 0u64;
    for i in 0..count {
        let at = 8 + i * entry_len;
        let (duration, empty) = if version == 1 {
            (be_u64(elst, at)?, be_u64(elst, at + 8)? == u64::MAX)
        } else {
            (
                u64::from(be_u32(elst, at)?),
                be_u32(elst, at + 4)? == u32::MAX,
            )
        };
        if !empty {
            total = total.checked_add(duration)?;
        }
    }
    Some(total)
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn track_handler(trak: &[u8]) -> Option<[u8; 4]> {
    children(trak)
        .filter(|(kind, _)| kind == b"mdia")
        .flat_map(|(_, mdia)| children(mdia).filter(|(kind, _)| kind == b"hdlr"))
        .find_map(|(_, hdlr)| hdlr.get(8..12)?.try_into().ok())
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

/// The handler type of every `trak` in a `moov` body.
fn handlers(moov: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    children(moov)
        .filter(|(kind, _)| kind == b"trak")
        .filter_map(|(_, trak)| track_handler(trak))
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// An `isom` MP4 file with one track per handler (`soun`, `vide`), its `moov` after
    /// the media data.
    pub(crate) fn file(tracks: &[&[u8; 4]]) -> Vec<u8> {
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
    fn audio_duration_follows_the_edit_list() {
        let mut mvhd = vec![0u8; 12];
        mvhd.extend(1000u32.to_be_bytes()); // timescale
        mvhd.extend(5000u32.to_be_bytes()); // duration (ignored)
        let mut elst = vec![0u8, 0, 0, 0];
        elst.extend(2u32.to_be_bytes());
        for (duration, media_time) in [(500u32, u32::MAX), (3928u32, 1024u32)] {
            elst.extend(duration.to_be_bytes());
            elst.extend(media_time.to_be_bytes());
            elst.extend(0x0001_0000u32.to_be_bytes());
        }
        let mut trak = track(b"soun");
        trak.truncate(8); // keep the header, rebuild the body
        let mut body = boxed(b"edts", &boxed(b"elst", &elst));
        let mut hdlr = vec![0u8; 8];
        hdlr.extend(b"soun");
        body.extend(boxed(b"mdia", &boxed(b"hdlr", &hdlr)));
        let trak = boxed(b"trak", &body);
        let mut moov = boxed(b"mvhd", &mvhd);
        moov.extend(trak);
        assert_eq!(audio_duration(&moov), Some(3.928));
    }

    #[test]
    fn impossible_sizes_are_not_followed() {
        let mut data = file(&[b"vide"]);
        data[0..4].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
        assert!(!has_video_track(&mut Cursor::new(data)).unwrap());
    }
}
