//! Local audio files → what an enclosure needs: exact duration, byte length, MIME type
//! sniffed from the bytes, and the tags (title, artist, album, track, disc, date, comment,
//! embedded cover).
//!
//! lofty reads the tags and, for every format but MP3, the duration. MP3 durations come
//! from our own frame scanner (`mp3.rs`), because lofty estimates a VBR file without a
//! Xing header from its first frame and can be several times wrong. The MIME type comes
//! from our table (`sniff`), never from the file name: podcast apps reject `audio/m4a`
//! and treat an Opus file called `.ogg` differently from a Vorbis one.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use lofty::file::{AudioFile, TaggedFileExt};
use lofty::tag::Accessor;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What was learned from one audio file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AudioInfo {
    /// Duration in seconds (fractional).
    pub duration: f64,
    /// The file's size in bytes: the enclosure length.
    pub length: u64,
    /// Sniffed from the content, e.g. `audio/mpeg`.
    pub mime_type: String,
    pub tags: AudioTags,
    /// Whether embedded pictures were looked at (`tags.cover` means nothing otherwise).
    #[serde(default)]
    pub covers_read: bool,
}

impl AudioInfo {
    /// The duration in whole seconds, rounded to the nearest, as `itunes:duration` wants.
    pub fn whole_seconds(&self) -> u64 {
        self.duration.round() as u64
    }
}

/// The tags podcasts use. Text is trimmed; empty tags are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AudioTags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub track: Option<u32>,
    pub disc: Option<u32>,
    /// As written in the tag: `2024`, `2024-03-05`, `2024-03-05T09:00:00`.
    pub date: Option<String>,
    pub comment: Option<String>,
    pub cover: Option<Cover>,
}

/// An embedded picture, written to a file named by its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cover {
    pub path: PathBuf,
    pub mime_type: String,
}

/// Why an audio file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot read it: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "not an audio format podcasts use (it starts with {0}); use MP3, M4A, Ogg/Opus or FLAC"
    )]
    UnknownFormat(String),
    #[error("cannot read its MP3 frames: {0}")]
    Mp3(#[from] super::mp3::Mp3Error),
    #[error("cannot read its tags or length: {0}")]
    Tags(String),
    #[error("cannot save its embedded cover in {path}: {source}")]
    Cover {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Audio files up to this size are read into memory once and every step (sniff, tags,
/// frame scan) reads that copy, with no further opens or seeks; a larger file is read
/// through its one open file instead, so a long episode is never held whole.
const IN_MEMORY_LIMIT: u64 = 1 << 20;

/// Reads the audio file at `path`. With `covers_dir`, an embedded cover is written there
/// (created when needed) as `<sha256>.jpg`/`.png`, so the same picture is stored once;
/// without, pictures are not read at all (a Markdown episode names its own image).
pub fn probe(path: &Path, covers_dir: Option<&Path>) -> Result<AudioInfo, AudioError> {
    let mut file = std::fs::File::open(path)?;
    let listed = file.metadata()?.len();
    if listed <= IN_MEMORY_LIMIT {
        // At most one byte past the limit: a file that grew since its size was asked is
        // streamed, and a small one's length is the bytes analysed, whatever the listing said.
        let mut bytes = Vec::with_capacity(listed as usize);
        (&mut file)
            .take(IN_MEMORY_LIMIT + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 <= IN_MEMORY_LIMIT {
            drop(file);
            let length = bytes.len() as u64;
            return probe_source(path, std::io::Cursor::new(bytes), length, covers_dir);
        }
        file.rewind()?;
    }
    let length = file.metadata()?.len();
    let source = std::io::BufReader::with_capacity(64 * 1024, file);
    probe_source(path, source, length, covers_dir)
}

/// [`probe`]'s work on the file's content, `length` bytes read from `source` (positioned
/// at its start); `path` only names the file (its extension is lofty's fallback guess).
fn probe_source<R: Read + Seek>(
    path: &Path,
    mut source: R,
    length: u64,
    covers_dir: Option<&Path>,
) -> Result<AudioInfo, AudioError> {
    let mut head = [0u8; 4096];
    let n = read_up_to(&mut source, &mut head)?;
    let kind = sniff(&head[..n], &mut source)?;
    let Some(mime_type) = kind else {
        return Err(AudioError::UnknownFormat(describe_start(&head[..n])));
    };
    let is_mp3 = mime_type == "audio/mpeg";
    let mut options = lofty::config::ParseOptions::new();
    // Our scanner gives the MP3 duration; lofty need not walk the frames too.
    options = options
        .read_properties(!is_mp3)
        .read_cover_art(covers_dir.is_some());
    source.rewind()?;
    let mut tag_probe = lofty::probe::Probe::new(&mut source);
    // As when lofty opens the file itself: the extension is the guess when the content
    // does not tell.
    if let Some(file_type) = lofty::file::FileType::from_path(path) {
        tag_probe = tag_probe.set_file_type(file_type);
    }
    let tagged = tag_probe
        .options(options)
        .guess_file_type()?
        .read()
        .map_err(|e| AudioError::Tags(e.to_string()))?;
    let duration = if is_mp3 {
        source.rewind()?;
        super::mp3::scan(&mut source, length)?.seconds()
    } else if is_mp4(mime_type) {
        source.rewind()?;
        super::mp4_boxes::read_moov(&mut source)?
            .and_then(|moov| super::mp4_boxes::audio_duration(&moov))
            .unwrap_or_else(|| tagged.properties().duration().as_secs_f64())
    } else {
        tagged.properties().duration().as_secs_f64()
    };
    info(&tagged, duration, length, mime_type, covers_dir)
}

/// What a probe found: the duration measured, the tags (and covers) lofty read.
fn info(
    tagged: &lofty::file::TaggedFile,
    duration: f64,
    length: u64,
    mime_type: &str,
    covers_dir: Option<&Path>,
) -> Result<AudioInfo, AudioError> {
    let tags = match tagged.primary_tag().or_else(|| tagged.first_tag()) {
        Some(tag) => read_tags(tag, covers_dir)?,
        None => AudioTags::default(),
    };
    Ok(AudioInfo {
        duration,
        length,
        mime_type: mime_type.to_string(),
        tags,
        covers_read: covers_dir.is_some(),
    })
}

fn is_mp4(mime_type: &str) -> bool {
    matches!(mime_type, "audio/x-m4a" | "audio/mp4" | "video/mp4")
}

fn read_up_to(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn read_tags(tag: &lofty::tag::Tag, covers_dir: Option<&Path>) -> Result<AudioTags, AudioError> {
    let text = |value: Option<std::borrow::Cow<'_, str>>| {
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let date = tag
        .get_string(lofty::tag::ItemKey::RecordingDate)
        .or_else(|| tag.get_string(lofty::tag::ItemKey::ReleaseDate))
        .or_else(|| tag.get_string(lofty::tag::ItemKey::Year))
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .or_else(|| tag.date().map(|d| d.to_string()));
    let cover = tag
        .get_picture_type(lofty::picture::PictureType::CoverFront)
        .or_else(|| tag.pictures().first());
    let cover = match (cover, covers_dir) {
        (Some(picture), Some(dir)) => save_cover(picture.data(), dir)?,
        _ => None,
    };
    Ok(AudioTags {
        title: text(tag.title()),
        artist: text(tag.artist()),
        album: text(tag.album()),
        track: tag.track(),
        disc: tag.disk(),
        date,
        // Vorbis comments and some MP4 taggers put it in DESCRIPTION instead.
        comment: text(tag.comment()).or_else(|| {
            tag.get_string(lofty::tag::ItemKey::Description)
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
        }),
        cover,
    })
}

/// Writes a cover picture once, named by its content; pictures that are neither JPEG nor
/// PNG are left out (podcast apps show only those).
fn save_cover(data: &[u8], covers_dir: &Path) -> Result<Option<Cover>, AudioError> {
    let (ext, mime_type) = if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("jpg", "image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("png", "image/png")
    } else {
        return Ok(None);
    };
    let digest = Sha256::digest(data);
    let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let path = covers_dir.join(format!("{name}.{ext}"));
    let unchanged = std::fs::metadata(&path).is_ok_and(|m| m.len() == data.len() as u64);
    if !unchanged {
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(covers_dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(covers_dir)?;
            std::io::Write::write_all(&mut tmp, data)?;
            // Temporary files are private; a published picture must be readable by the
            // web server.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                tmp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))?;
            }
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|source| AudioError::Cover {
            path: path.clone(),
            source,
        })?;
    }
    Ok(Some(Cover {
        path,
        mime_type: mime_type.to_string(),
    }))
}

/// The MIME type of an audio file from its first bytes `head`: our own table, because
/// podcast apps want exactly these names. `file` is the whole file, read (from wherever it
/// stands, and left anywhere) only for an MP4 without an audio brand, whose `moov` box
/// tells audio from video.
pub fn sniff<R: Read + Seek>(head: &[u8], file: &mut R) -> std::io::Result<Option<&'static str>> {
    if head.starts_with(b"ID3") || mpeg_frame_start(head) {
        return Ok(Some("audio/mpeg"));
    }
    if head.starts_with(b"fLaC") {
        return Ok(Some("audio/flac"));
    }
    if head.starts_with(b"OggS") {
        // The first page's packet names the codec.
        let first_packet = head.get(28..36);
        return Ok(Some(match first_packet {
            Some(b"OpusHead") => "audio/opus",
            _ => "audio/ogg",
        }));
    }
    if head.get(4..8) == Some(b"ftyp") {
        let brand = head.get(8..12).unwrap_or_default();
        if matches!(brand, b"M4A " | b"M4B " | b"M4P ") {
            return Ok(Some("audio/x-m4a"));
        }
        return Ok(Some(if super::mp4_boxes::has_video_track(file)? {
            "video/mp4"
        } else {
            "audio/mp4"
        }));
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        return Ok(Some("audio/wav"));
    }
    Ok(None)
}

/// A bare MPEG audio frame sync at the very start (an MP3 without an ID3 tag).
fn mpeg_frame_start(head: &[u8]) -> bool {
    head.len() >= 4
        && head[0] == 0xFF
        && head[1] & 0xE0 == 0xE0
        // Layer bits 00 are ADTS AAC, not MPEG audio.
        && (head[1] >> 1) & 0b11 != 0
}

/// The first bytes of a file, for an error message.
fn describe_start(head: &[u8]) -> String {
    if head.is_empty() {
        return "nothing: the file is empty".to_string();
    }
    let shown: String = head
        .iter()
        .take(8)
        .map(|&b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect();
    format!("\"{shown}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole file, for a sniff whose head alone decides: empty, so a sniff that read
    /// it would find no `moov` and answer `audio/mp4`.
    fn no_file() -> std::io::Cursor<&'static [u8]> {
        std::io::Cursor::new(&[][..])
    }

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(
            sniff(b"ID3\x04\x00", &mut no_file()).unwrap(),
            Some("audio/mpeg")
        );
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x00], &mut no_file()).unwrap(),
            Some("audio/mpeg")
        );
        assert_eq!(
            sniff(&[0xFF, 0xF1, 0x50, 0x80], &mut no_file()).unwrap(),
            None,
            "ADTS AAC"
        );
        assert_eq!(
            sniff(b"fLaC\x00\x00", &mut no_file()).unwrap(),
            Some("audio/flac")
        );
        let mut ogg = b"OggS".to_vec();
        ogg.resize(28, 0);
        ogg.extend(b"OpusHead");
        assert_eq!(sniff(&ogg, &mut no_file()).unwrap(), Some("audio/opus"));
        ogg.truncate(28);
        ogg.extend(b"\x01vorbis\x00");
        assert_eq!(sniff(&ogg, &mut no_file()).unwrap(), Some("audio/ogg"));
        assert_eq!(
            sniff(b"\x00\x00\x00\x20ftypM4A \x00\x00", &mut no_file()).unwrap(),
            Some("audio/x-m4a")
        );
        assert_eq!(sniff(b"<html>", &mut no_file()).unwrap(), None);
    }

    #[test]
    fn an_mp4_without_an_audio_brand_is_told_apart_by_its_tracks() {
        let dir = tempfile::tempdir().unwrap();
        for (tracks, expected) in [
            (&[b"soun"][..], "audio/mp4"),
            (&[b"soun", b"vide"][..], "video/mp4"),
        ] {
            let path = dir.path().join("media.mp4");
            let bytes = super::super::mp4_boxes::tests::file(tracks);
            std::fs::write(&path, &bytes).unwrap();
            let sniffed = sniff(&bytes[..16], &mut std::fs::File::open(&path).unwrap()).unwrap();
            assert_eq!(sniffed, Some(expected), "{tracks:?}");
        }
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/audio")
            .join(name)
    }

    /// (file, MIME type, bytes, true duration in seconds, whole seconds), as measured in
    /// fixtures/audio/README.md.
    const FIXTURES: &[(&str, &str, u64, f64, u64)] = &[
        ("speech-cbr.mp3", "audio/mpeg", 39267, 4.769, 5),
        ("speech-vbr-noxing.mp3", "audio/mpeg", 66762, 4.937, 5),
        ("speech.m4a", "audio/x-m4a", 20972, 3.928, 4),
        ("speech.opus", "audio/opus", 10684, 4.825, 5),
        ("speech-vorbis.ogg", "audio/ogg", 19818, 4.769, 5),
        ("untagged/no-tags.mp3", "audio/mpeg", 15987, 3.997, 4),
        ("speech.flac", "audio/flac", 40938, 3.354, 3),
        ("speech-video.mp4", "video/mp4", 12441, 2.75, 3),
    ];

    #[test]
    fn every_fixture_has_its_true_duration_length_and_type() {
        let covers = tempfile::tempdir().unwrap();
        for &(name, mime, bytes, seconds, whole) in FIXTURES {
            let info = probe(&fixture(name), Some(covers.path())).unwrap();
            assert_eq!(info.mime_type, mime, "{name}");
            assert_eq!(info.length, bytes, "{name}");
            assert!(
                (info.duration - seconds).abs() <= 0.05,
                "{name}: {} s, expected {seconds} s",
                info.duration
            );
            assert_eq!(info.whole_seconds(), whole, "{name}");
        }
    }

    /// How a file was probed when every step opened it by its path: lofty's own open,
    /// the MP3 frame scan of the file, the `moov` read from a fresh open.
    fn probe_by_path(path: &Path, covers_dir: Option<&Path>) -> Result<AudioInfo, AudioError> {
        let mut head = [0u8; 4096];
        let mut file = std::fs::File::open(path)?;
        let length = file.metadata()?.len();
        let n = read_up_to(&mut file, &mut head)?;
        let kind = sniff(&head[..n], &mut std::fs::File::open(path)?)?;
        let Some(mime_type) = kind else {
            return Err(AudioError::UnknownFormat(describe_start(&head[..n])));
        };
        let is_mp3 = mime_type == "audio/mpeg";
        let options = lofty::config::ParseOptions::new()
            .read_properties(!is_mp3)
            .read_cover_art(covers_dir.is_some());
        let tagged = lofty::probe::Probe::open(path)
            .map_err(|e| AudioError::Tags(e.to_string()))?
            .options(options)
            .guess_file_type()?
            .read()
            .map_err(|e| AudioError::Tags(e.to_string()))?;
        let duration = if is_mp3 {
            super::super::mp3::scan_file(path)?.seconds()
        } else if is_mp4(mime_type) {
            let mut file = std::fs::File::open(path)?;
            super::super::mp4_boxes::read_moov(&mut file)?
                .and_then(|moov| super::super::mp4_boxes::audio_duration(&moov))
                .unwrap_or_else(|| tagged.properties().duration().as_secs_f64())
        } else {
            tagged.properties().duration().as_secs_f64()
        };
        info(&tagged, duration, length, mime_type, covers_dir)
    }

    /// The CBR fixture grown to exactly `size` bytes by padding its ID3v2 tag (zeros after
    /// the frames, counted in the tag's size), so its audio is unchanged.
    fn padded_cbr(size: usize) -> Vec<u8> {
        let cbr = std::fs::read(fixture("speech-cbr.mp3")).unwrap();
        assert_eq!(&cbr[..3], b"ID3");
        assert_eq!(cbr[5] & 0x10, 0, "a tag with a footer takes no padding");
        let syncsafe = |b: &[u8]| b.iter().fold(0usize, |n, &b| n << 7 | usize::from(b));
        let tag_len = syncsafe(&cbr[6..10]);
        let pad = size - cbr.len();
        let new_len = tag_len + pad;
        let mut out = cbr[..10 + tag_len].to_vec();
        for (i, shift) in [21, 14, 7, 0].into_iter().enumerate() {
            out[6 + i] = ((new_len >> shift) & 0x7F) as u8;
        }
        out.resize(out.len() + pad, 0);
        out.extend_from_slice(&cbr[10 + tag_len..]);
        assert_eq!(out.len(), size);
        out
    }

    /// `probe` opens a file once, holds one up to `IN_MEMORY_LIMIT` in memory and streams
    /// a larger one; it must learn what opening the file by its path at every step learns,
    /// from every format, from damaged and foreign content, under a misleading name, and
    /// on either side of the limit.
    #[test]
    fn probe_gives_the_same_answer_as_opening_the_file_at_every_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut files: Vec<std::path::PathBuf> =
            FIXTURES.iter().map(|&(name, ..)| fixture(name)).collect();
        let cbr = std::fs::read(fixture("speech-cbr.mp3")).unwrap();
        let m4a = std::fs::read(fixture("speech.m4a")).unwrap();
        let limit = IN_MEMORY_LIMIT as usize;
        let at_limit = padded_cbr(limit);
        let past_limit = padded_cbr(limit + 1);
        let made: [(&str, &[u8]); 8] = [
            ("cut.mp3", &cbr[..cbr.len() / 3]),
            ("tag-only.mp3", &cbr[..200]),
            ("misnamed.ogg", &cbr),
            ("m4a-named.mp3", &m4a),
            ("page.mp3", b"<html><body>404</body></html>"),
            ("empty.mp3", b""),
            ("at-limit.mp3", &at_limit),
            ("past-limit.mp3", &past_limit),
        ];
        for (name, bytes) in made {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            files.push(path);
        }
        for path in &files {
            let size = std::fs::metadata(path).unwrap().len();
            for covers in [false, true] {
                let probed_covers = dir.path().join("covers-probe");
                let by_path_covers = dir.path().join("covers-by-path");
                let answer = |result: Result<AudioInfo, AudioError>, covers_dir: &Path| {
                    result
                        .map(|mut info| {
                            // The covers live in different folders; their names must agree.
                            if let Some(cover) = &mut info.tags.cover {
                                cover.path = cover.path.strip_prefix(covers_dir).unwrap().into();
                            }
                            info
                        })
                        .map_err(|e| e.to_string())
                };
                let probed = answer(
                    probe(path, covers.then_some(probed_covers.as_path())),
                    &probed_covers,
                );
                let by_path = answer(
                    probe_by_path(path, covers.then_some(by_path_covers.as_path())),
                    &by_path_covers,
                );
                assert_eq!(probed, by_path, "{} (covers: {covers})", path.display());
                if let Ok(info) = &probed {
                    assert_eq!(info.length, size, "{}", path.display());
                }
            }
        }
        // Both sides of the limit are real MP3s that were measured, not refused.
        for name in ["at-limit.mp3", "past-limit.mp3"] {
            let info = probe(&dir.path().join(name), None).unwrap();
            assert_eq!(info.mime_type, "audio/mpeg", "{name}");
            assert!(
                (info.duration - 4.769).abs() <= 0.05,
                "{name}: {}",
                info.duration
            );
        }
    }

    #[test]
    fn vbr_mp3_without_xing_is_measured_by_frames_not_estimated() {
        // lofty alone says 2.27 s and ffprobe estimates 4.17 s for this file.
        let covers = tempfile::tempdir().unwrap();
        let info = probe(&fixture("speech-vbr-noxing.mp3"), Some(covers.path())).unwrap();
        assert!(
            (info.duration - 217_728.0 / 44_100.0).abs() < 1e-9,
            "{}",
            info.duration
        );
    }

    #[test]
    fn tags_are_read_from_every_format() {
        let covers = tempfile::tempdir().unwrap();
        let info = probe(&fixture("speech-cbr.mp3"), Some(covers.path())).unwrap();
        assert_eq!(
            info.tags,
            AudioTags {
                title: Some("Welkom bij Koers Houden".into()),
                artist: Some("Anne de Vries".into()),
                album: Some("Koers Houden".into()),
                track: Some(1),
                disc: Some(1),
                date: Some("2024-03-05".into()),
                comment: Some("Een korte kennismaking met de podcast.".into()),
                cover: None,
            }
        );
        let m4a = probe(&fixture("speech.m4a"), Some(covers.path()))
            .unwrap()
            .tags;
        assert_eq!(
            (m4a.track, m4a.disc, m4a.date.as_deref()),
            (Some(3), Some(2), Some("2024-04-02"))
        );
        assert_eq!(
            m4a.comment.as_deref(),
            Some("Questions that change a conversation.")
        );
        let opus = probe(&fixture("speech.opus"), Some(covers.path()))
            .unwrap()
            .tags;
        assert_eq!(opus.title.as_deref(), Some("Goede vragen"));
        assert_eq!(
            opus.comment.as_deref(),
            Some("Waarom vragen beter werken dan advies.")
        );
        assert_eq!(
            (opus.track, opus.disc, opus.date.as_deref()),
            (Some(4), Some(2), Some("2024-04-09"))
        );
        let none = probe(&fixture("untagged/no-tags.mp3"), Some(covers.path()))
            .unwrap()
            .tags;
        assert_eq!(none, AudioTags::default());
    }

    #[test]
    fn the_embedded_cover_is_written_once_by_content() {
        let covers = tempfile::tempdir().unwrap();
        let info = probe(&fixture("speech-vbr-noxing.mp3"), Some(covers.path())).unwrap();
        let cover = info.tags.cover.expect("cover");
        assert_eq!(cover.mime_type, "image/jpeg");
        assert!(cover.path.starts_with(covers.path()));
        let art = super::super::artwork::read(&cover.path).unwrap();
        assert_eq!(
            (art.width, art.height, art.colour),
            (1400, 1400, Some("RGB"))
        );
        let again = probe(&fixture("speech-vbr-noxing.mp3"), Some(covers.path())).unwrap();
        assert_eq!(again.tags.cover.unwrap().path, cover.path);
        assert_eq!(std::fs::read_dir(covers.path()).unwrap().count(), 1);
    }

    #[test]
    fn without_a_covers_folder_pictures_are_not_read() {
        let info = probe(&fixture("speech-vbr-noxing.mp3"), None).unwrap();
        assert_eq!(info.tags.cover, None);
        assert!(!info.covers_read);
        assert_eq!(
            info.tags.title.as_deref(),
            Some("Welcome to Holding Course")
        );
    }

    #[test]
    fn a_file_that_is_not_audio_is_refused_with_its_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("episode.mp3");
        std::fs::write(&path, "<html><body>404</body></html>").unwrap();
        let err = probe(&path, Some(dir.path())).unwrap_err().to_string();
        assert_eq!(
            err,
            "not an audio format podcasts use (it starts with \"<html><b\"); use MP3, M4A, Ogg/Opus or FLAC"
        );
    }

    #[test]
    fn unknown_content_is_described_safely() {
        assert_eq!(describe_start(b"<html>\x1b["), "\"<html>\\x1b[\"");
        assert_eq!(describe_start(b""), "nothing: the file is empty");
    }
}
