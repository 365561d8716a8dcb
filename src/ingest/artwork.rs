//! Artwork checks against what Apple Podcasts requires: JPEG or PNG, square, between 1400
//! and 3000 pixels a side, RGB. The real bytes are read (imagesize for the format and
//! size, the JPEG frame header or PNG `IHDR` for the colour model), never the file name.
//! Problems are warnings that give the numbers found, because the artwork still works in
//! most apps and only the author can make a new image.

use std::path::Path;

/// The smallest and largest side Apple accepts, in pixels.
pub const MIN_SIDE: u32 = 1400;
pub const MAX_SIDE: u32 = 3000;

/// What was read from an image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artwork {
    pub width: u32,
    pub height: u32,
    /// `image/jpeg`, `image/png`, or another image type imagesize knows.
    pub mime_type: String,
    /// `RGB`, `RGBA`, `grayscale`, `CMYK`, … when it could be told.
    pub colour: Option<&'static str>,
}

/// Reads the image at `path`; an error when it is not an image at all.
pub fn read(path: &Path) -> Result<Artwork, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    inspect(&bytes)
}

/// Reads an image from its bytes.
pub fn inspect(bytes: &[u8]) -> Result<Artwork, String> {
    let kind = imagesize::image_type(bytes)
        .map_err(|_| "not an image omroep can read; use a JPEG or PNG file".to_string())?;
    let size = imagesize::blob_size(bytes).map_err(|e| format!("cannot read its size: {e}"))?;
    let (mime_type, colour) = match kind {
        imagesize::ImageType::Jpeg => ("image/jpeg".to_string(), jpeg_colour(bytes)),
        imagesize::ImageType::Png => ("image/png".to_string(), png_colour(bytes)),
        other => (
            format!("image/{}", format!("{other:?}").to_ascii_lowercase()),
            None,
        ),
    };
    Ok(Artwork {
        width: u32::try_from(size.width).unwrap_or(u32::MAX),
        height: u32::try_from(size.height).unwrap_or(u32::MAX),
        mime_type,
        colour,
    })
}

/// Apple's requirements this artwork misses, one sentence each with the numbers found.
pub fn warnings(art: &Artwork) -> Vec<String> {
    let mut out = Vec::new();
    if art.mime_type != "image/jpeg" && art.mime_type != "image/png" {
        out.push(format!(
            "is {}, but Apple Podcasts accepts only JPEG or PNG",
            art.mime_type
        ));
    }
    if art.width != art.height {
        out.push(format!(
            "is {}x{} px, not square; Apple Podcasts wants a square image",
            art.width, art.height
        ));
    }
    let side = art.width.max(art.height);
    let small = art.width.min(art.height);
    if small < MIN_SIDE {
        out.push(format!(
            "is {}x{} px, smaller than the {MIN_SIDE}x{MIN_SIDE} px Apple Podcasts requires",
            art.width, art.height
        ));
    } else if side > MAX_SIDE {
        out.push(format!(
            "is {}x{} px, larger than the {MAX_SIDE}x{MAX_SIDE} px Apple Podcasts allows",
            art.width, art.height
        ));
    }
    match art.colour {
        Some("RGB") | None => {}
        Some(colour) => out.push(format!("is {colour}; Apple Podcasts wants RGB colour")),
    }
    out
}

/// The colour model from a JPEG's frame header: 1 component is grayscale, 3 RGB (YCbCr),
/// 4 CMYK. An Adobe `APP14` segment, when present, tells CMYK from YCCK (both are
/// print colour, not RGB); it comes before the frame header, so it is remembered on the way.
fn jpeg_colour(bytes: &[u8]) -> Option<&'static str> {
    let mut i = 2;
    let mut adobe_transform = None;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_frame = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
        if is_frame {
            // length(2) precision(1) height(2) width(2) components(1)
            return match (bytes.get(i + 9)?, adobe_transform) {
                (1, _) => Some("grayscale"),
                (3, _) => Some("RGB"),
                (4, Some(2)) => Some("CMYK (YCCK)"),
                (4, _) => Some("CMYK"),
                _ => Some("an unusual colour model"),
            };
        }
        // APP14: "Adobe" version(2) flags0(2) flags1(2) transform(1)
        if marker == 0xEE && bytes.get(i + 4..i + 9) == Some(b"Adobe".as_slice()) {
            adobe_transform = bytes.get(i + 15).copied();
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// The file name extensions that belong to each image type Apple accepts, so a name
/// can be checked against the bytes (`cover.jpg` holding a PNG is refused by some apps).
pub fn extension_matches(name: &str, mime_type: &str) -> Option<bool> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let file = file.split(['?', '#']).next().unwrap_or(file);
    let (_, extension) = file.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    let expected: &[&str] = match mime_type {
        "image/jpeg" => &["jpg", "jpeg", "jpe", "jfif"],
        "image/png" => &["png"],
        _ => return None,
    };
    Some(expected.contains(&extension.as_str()))
}

/// The colour model from a PNG's `IHDR` colour type.
fn png_colour(bytes: &[u8]) -> Option<&'static str> {
    // signature(8) length(4) "IHDR"(4) width(4) height(4) depth(1) colour type(1)
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    Some(match bytes.get(25)? {
        0 => "grayscale",
        2 | 3 => "RGB",
        4 => "grayscale with transparency",
        6 => "RGBA (with transparency)",
        _ => "an unusual colour model",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PNG header (enough for size and colour) of the given size and type.
    fn png(width: u32, height: u32, colour_type: u8) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, colour_type, 0, 0, 0]);
        b.extend([0u8; 4]);
        b
    }

    /// A minimal JPEG: SOI, then a SOF0 of the given size and component count.
    fn jpeg(width: u16, height: u16, components: u8) -> Vec<u8> {
        let mut b = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08,
        ];
        b.extend(height.to_be_bytes());
        b.extend(width.to_be_bytes());
        b.push(components);
        b.extend([0u8; 9]);
        b
    }

    #[test]
    fn good_artwork_has_no_warnings() {
        let art = inspect(&jpeg(1400, 1400, 3)).unwrap();
        assert_eq!(
            (art.width, art.height, art.mime_type.as_str(), art.colour),
            (1400, 1400, "image/jpeg", Some("RGB"))
        );
        assert!(warnings(&art).is_empty());
        assert!(warnings(&inspect(&png(3000, 3000, 2)).unwrap()).is_empty());
    }

    #[test]
    fn each_problem_is_a_warning_with_the_numbers() {
        let w = warnings(&inspect(&png(1200, 1000, 6)).unwrap());
        assert_eq!(
            w,
            vec![
                "is 1200x1000 px, not square; Apple Podcasts wants a square image",
                "is 1200x1000 px, smaller than the 1400x1400 px Apple Podcasts requires",
                "is RGBA (with transparency); Apple Podcasts wants RGB colour",
            ]
        );
        let w = warnings(&inspect(&jpeg(3500, 3500, 4)).unwrap());
        assert_eq!(
            w,
            vec![
                "is 3500x3500 px, larger than the 3000x3000 px Apple Podcasts allows",
                "is CMYK; Apple Podcasts wants RGB colour",
            ]
        );
    }

    #[test]
    fn an_adobe_marker_tells_ycck_from_cmyk() {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xEE, 0x00, 0x0E];
        b.extend(b"Adobe");
        b.extend([0, 100, 0, 0, 0, 0, 2]);
        b.extend(&jpeg(1400, 1400, 4)[2..]);
        assert_eq!(inspect(&b).unwrap().colour, Some("CMYK (YCCK)"));
        assert_eq!(inspect(&jpeg(1400, 1400, 4)).unwrap().colour, Some("CMYK"));
    }

    #[test]
    fn extensions_are_checked_against_the_bytes() {
        assert_eq!(extension_matches("cover.JPG", "image/jpeg"), Some(true));
        assert_eq!(
            extension_matches("https://x.example/a/cover.png?v=2", "image/png"),
            Some(true)
        );
        assert_eq!(extension_matches("cover.jpg", "image/png"), Some(false));
        assert_eq!(
            extension_matches("https://x.example/art", "image/png"),
            None
        );
        assert_eq!(extension_matches("cover.gif", "image/gif"), None);
    }

    #[test]
    fn a_gif_is_named_and_non_images_are_errors() {
        let mut gif = b"GIF89a".to_vec();
        gif.extend(1400u16.to_le_bytes());
        gif.extend(1400u16.to_le_bytes());
        gif.extend([0u8; 8]);
        let w = warnings(&inspect(&gif).unwrap());
        assert_eq!(
            w,
            vec!["is image/gif, but Apple Podcasts accepts only JPEG or PNG"]
        );
        assert!(inspect(b"not an image at all").is_err());
    }
}
