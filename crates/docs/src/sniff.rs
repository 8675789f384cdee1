//! Which format a file is, from its first bytes only (never its name or a declared MIME type).

use serde::Serialize;

/// A document format, as recognised from the file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Jpeg,
    Png,
    Tiff,
    #[serde(rename = "webp")]
    WebP,
    Bmp,
    /// Anything else; `what` says what it looks like, in words ("ZIP archive", "plain text").
    Unsupported {
        what: String,
    },
}

impl Format {
    /// The MIME type to serve the original bytes with, for supported formats.
    pub fn mime(&self) -> Option<&'static str> {
        Some(match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Tiff => "image/tiff",
            Self::WebP => "image/webp",
            Self::Bmp => "image/bmp",
            Self::Unsupported { .. } => return None,
        })
    }

    /// The format's usual name, for messages.
    pub fn name(&self) -> &str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Tiff => "TIFF",
            Self::WebP => "WebP",
            Self::Bmp => "BMP",
            Self::Unsupported { what } => what,
        }
    }
}

/// PDF readers accept up to 1024 bytes of junk before the header (ISO 32000-1, annex H.3).
const PDF_HEADER_WINDOW: usize = 1024;

/// Identifies a file by its magic bytes.
pub fn sniff(bytes: &[u8]) -> Format {
    supported(bytes).unwrap_or_else(|| Format::Unsupported {
        what: describe_unsupported(bytes),
    })
}

fn supported(b: &[u8]) -> Option<Format> {
    let format = if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Format::Jpeg
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| b.starts_with(*m))
    {
        Format::Tiff
    } else if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        Format::WebP
    } else if is_bmp(b) {
        Format::Bmp
    } else if find(&b[..b.len().min(PDF_HEADER_WINDOW + 5)], b"%PDF-").is_some() {
        Format::Pdf
    } else {
        return None;
    };
    Some(format)
}

/// "BM" alone is too weak (a text file may start with it): also require a known DIB header size.
fn is_bmp(b: &[u8]) -> bool {
    const DIB_HEADER_SIZES: [u32; 7] = [12, 40, 52, 56, 64, 108, 124];
    b.starts_with(b"BM")
        && b.get(14..18)
            .and_then(|s| s.try_into().ok())
            .is_some_and(|s| DIB_HEADER_SIZES.contains(&u32::from_le_bytes(s)))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Recognisable formats the desk does not show, in words an officer understands.
const KNOWN_OTHERS: &[(&[u8], &str)] = &[
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "old Microsoft Office document",
    ),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
    (b"\x1F\x8B", "gzip archive"),
    (b"\x00\x00\x00\x0CjP  \r\n", "JPEG 2000 image"),
    (b"\xFF\x4F\xFF\x51", "JPEG 2000 image"),
    (b"{\\rtf", "RTF document"),
    (b"%!PS", "PostScript document"),
    (b"\x7FELF", "program (executable)"),
    (b"MZ", "program (executable)"),
    (b"8BPS", "Photoshop image"),
    (b"\x00\x00\x01\x00", "icon image"),
];

fn describe_unsupported(b: &[u8]) -> String {
    if b.is_empty() {
        return "empty file".into();
    }
    if let Some((_, what)) = KNOWN_OTHERS.iter().find(|(magic, _)| b.starts_with(magic)) {
        return (*what).into();
    }
    if let Some(what) = iso_media(b) {
        return what.into();
    }
    if b.starts_with(b"RIFF") {
        return "RIFF media file (not WebP)".into();
    }
    if let Some(what) = text(b) {
        return what.into();
    }
    let first: Vec<String> = b.iter().take(4).map(|x| format!("{x:02x}")).collect();
    format!("unknown (first bytes {})", first.join(" "))
}

/// HEIC/AVIF photos and MP4/QuickTime videos share the ISO base media `ftyp` box.
fn iso_media(b: &[u8]) -> Option<&'static str> {
    if b.get(4..8) != Some(b"ftyp") {
        return None;
    }
    Some(match b.get(8..12)? {
        b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => "HEIC/HEIF image",
        b"avif" | b"avis" => "AVIF image",
        _ => "MP4/QuickTime video",
    })
}

/// Text (UTF-8 without control characters other than whitespace), with HTML and XML named.
fn text(b: &[u8]) -> Option<&'static str> {
    let head = &b[..b.len().min(4096)];
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A multi-byte character cut by the 4096-byte window is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C'))
    {
        return None;
    }
    let start = s
        .trim_start_matches('\u{FEFF}')
        .trim_start()
        .to_ascii_lowercase();
    Some(
        if start.starts_with("<svg") || (start.starts_with("<?xml") && start.contains("<svg")) {
            "SVG drawing"
        } else if start.starts_with("<!doctype html") || start.starts_with("<html") {
            "HTML page"
        } else if start.starts_with("<?xml") {
            "XML document"
        } else {
            "plain text"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(bytes: &[u8]) -> String {
        match sniff(bytes) {
            Format::Unsupported { what } => what,
            other => panic!("expected unsupported, got {other:?}"),
        }
    }

    #[test]
    fn supported_formats_by_magic() {
        let mut bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0".to_vec();
        bmp.extend_from_slice(&40u32.to_le_bytes());
        let cases: [(&[u8], Format); 10] = [
            (b"%PDF-1.7\n", Format::Pdf),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", Format::Jpeg),
            (b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", Format::Png),
            (b"II*\0\x08\0\0\0", Format::Tiff),
            (b"MM\0*\0\0\0\x08", Format::Tiff),
            (b"II+\0\x08\0\0\0", Format::Tiff),
            (b"RIFF\x24\0\0\0WEBPVP8L", Format::WebP),
            (&bmp, Format::Bmp),
            (b"\r\n%PDF-1.4", Format::Pdf),
            (b"%PDF-2.0", Format::Pdf),
        ];
        for (bytes, format) in cases {
            assert_eq!(sniff(bytes), format, "{bytes:?}");
        }
    }

    #[test]
    fn pdf_header_may_follow_up_to_1024_bytes_of_junk() {
        let mut junk = vec![b' '; 1024];
        junk.extend_from_slice(b"%PDF-1.5\n");
        assert_eq!(sniff(&junk), Format::Pdf);
        let mut too_far = vec![b' '; 1025];
        too_far.extend_from_slice(b"%PDF-1.5\n");
        assert_eq!(what(&too_far), "plain text");
    }

    #[test]
    fn unsupported_files_are_described() {
        let cases: [(&[u8], &str); 12] = [
            (b"", "empty file"),
            (b"GIF89a\x01\0\x01\0", "GIF image"),
            (b"PK\x03\x04\x14\0", "ZIP archive"),
            (
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0",
                "old Microsoft Office document",
            ),
            (b"\0\0\0\x18ftypheic\0\0\0\0", "HEIC/HEIF image"),
            (b"\0\0\0\x18ftypisom\0\0\0\0", "MP4/QuickTime video"),
            (b"RIFF\x24\0\0\0WAVEfmt ", "RIFF media file (not WebP)"),
            (
                b"Hello, this is a letter.\nM\xC9\x99mm\xC9\x99dov",
                "plain text",
            ),
            (b"<!DOCTYPE html><html>", "HTML page"),
            (b"<?xml version=\"1.0\"?><svg/>", "SVG drawing"),
            (b"BMW service invoice", "plain text"),
            (b"\x01\x02\x03\x04\x05", "unknown (first bytes 01 02 03 04)"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(what(bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn format_serialises_as_a_lowercase_name() {
        assert_eq!(serde_json::to_value(Format::WebP).unwrap(), "webp");
        assert_eq!(serde_json::to_value(Format::Pdf).unwrap(), "pdf");
        let unsupported = Format::Unsupported {
            what: "GIF image".into(),
        };
        assert_eq!(
            serde_json::to_value(&unsupported).unwrap()["unsupported"]["what"],
            "GIF image"
        );
        assert_eq!(Format::Tiff.mime(), Some("image/tiff"));
        assert_eq!(unsupported.mime(), None);
    }
}
