//! Why a document could not be shown, in words fit for "this file could not be shown: …".

use std::time::Duration;

use serde::ser::SerializeStruct;

/// Why a document (or one of its pages) could not be inspected, rendered or read.
///
/// The UI translates by [`DocError::kind`]; the `Display` text is the English technical detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// Not one of the formats the desk shows (recognised from the file's content, never its name).
    #[error("this kind of file is not supported: {what}")]
    Unsupported { what: String },
    /// The file claims to be a supported format but its content is damaged or invalid.
    #[error("the file is damaged or not a valid document: {detail}")]
    Malformed { detail: String },
    /// The file, a page, or what decoding it would take is beyond the safety limits.
    #[error("the document is too large to show safely: {detail}")]
    TooLarge { detail: String },
    /// The work took longer than the time allowed for one document.
    #[error("the document took too long to process (more than {} s)", after.as_secs_f32())]
    TimedOut { after: Duration },
    /// The caller cancelled the work.
    #[error("processing the document was cancelled")]
    Cancelled,
    /// The page asked for does not exist.
    #[error("page {} does not exist: the document has {pages} page(s)", page + 1)]
    NoSuchPage { page: usize, pages: usize },
    /// PDF pages are drawn by the viewer (pdf.js), not rasterised here.
    #[error("PDF pages are drawn by the document viewer and are not converted to pictures")]
    DrawnByViewer,
    /// Too many earlier documents are still being processed (or stuck) on this workstation.
    #[error("too many documents are being processed at once; try again in a moment")]
    Busy,
    /// Text recognition needs the Tesseract program and a language of it, not installed here.
    #[error(
        "text recognition is not installed on this workstation (the tesseract program with its Azerbaijani, Russian or English language)"
    )]
    NoRecogniser,
}

impl DocError {
    /// Every kind [`DocError::kind`] can return, for UI catalogues and tests.
    pub const KINDS: [&'static str; 9] = [
        "unsupported",
        "malformed",
        "too_large",
        "timed_out",
        "cancelled",
        "no_such_page",
        "drawn_by_viewer",
        "busy",
        "no_recogniser",
    ];

    /// A stable, machine-readable name of the kind of failure.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unsupported { .. } => "unsupported",
            Self::Malformed { .. } => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::TimedOut { .. } => "timed_out",
            Self::Cancelled => "cancelled",
            Self::NoSuchPage { .. } => "no_such_page",
            Self::DrawnByViewer => "drawn_by_viewer",
            Self::Busy => "busy",
            Self::NoRecogniser => "no_recogniser",
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed {
            detail: one_line(detail.into()),
        }
    }

    pub(crate) fn too_large(detail: impl Into<String>) -> Self {
        Self::TooLarge {
            detail: one_line(detail.into()),
        }
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Self::Unsupported {
            what: one_line(what.into()),
        }
    }
}

/// A decoder's own message as one line, since it ends a sentence shown to the officer: some
/// decoders end theirs with a newline or break them over lines (found by fuzzing).
fn one_line(detail: String) -> String {
    if detail.contains(char::is_whitespace) {
        detail.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        detail
    }
}

/// Serialised as `{kind, message}`, the shape every error crossing IPC has.
impl serde::Serialize for DocError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("DocError", 2)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

impl From<image::ImageError> for DocError {
    fn from(err: image::ImageError) -> Self {
        use image::ImageError as E;
        match err {
            E::Limits(e) => Self::too_large(e.to_string()),
            E::Unsupported(e) => Self::unsupported(e.to_string()),
            E::Decoding(e) => Self::malformed(e.to_string()),
            E::IoError(e) => {
                Self::malformed(format!("the file ends early or cannot be read ({e})"))
            }
            other => Self::malformed(other.to_string()),
        }
    }
}

impl From<tiff::TiffError> for DocError {
    fn from(err: tiff::TiffError) -> Self {
        use tiff::TiffError as E;
        match err {
            E::LimitsExceeded => {
                Self::too_large("decoding the TIFF page would exceed the memory limit")
            }
            E::UnsupportedError(e) => Self::unsupported(format!("TIFF variant: {e}")),
            E::IoError(e) => Self::malformed(format!("the TIFF file ends early ({e})")),
            other => Self::malformed(format!("TIFF: {other}")),
        }
    }
}

impl From<lopdf::Error> for DocError {
    fn from(err: lopdf::Error) -> Self {
        Self::malformed(format!("PDF: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_listed_and_messages_read_as_sentences() {
        let all = [
            DocError::unsupported("ZIP archive"),
            DocError::malformed("x"),
            DocError::too_large("y"),
            DocError::TimedOut {
                after: Duration::from_secs(3),
            },
            DocError::Cancelled,
            DocError::NoSuchPage { page: 4, pages: 2 },
            DocError::DrawnByViewer,
            DocError::Busy,
            DocError::NoRecogniser,
        ];
        let kinds: Vec<_> = all.iter().map(DocError::kind).collect();
        assert_eq!(kinds, DocError::KINDS);
        assert_eq!(
            all[5].to_string(),
            "page 5 does not exist: the document has 2 page(s)"
        );
        assert_eq!(
            all[3].to_string(),
            "the document took too long to process (more than 3 s)"
        );
    }

    #[test]
    fn decoder_messages_become_one_line() {
        let e = DocError::malformed("I/O errors Not enough bytes,\n  expected 1 but found 0\n");
        assert_eq!(
            e.to_string(),
            "the file is damaged or not a valid document: I/O errors Not enough bytes, expected 1 but found 0"
        );
        assert_eq!(
            DocError::unsupported(" GIF\timage ").to_string(),
            "this kind of file is not supported: GIF image"
        );
    }

    #[test]
    fn serialises_as_kind_and_message() {
        let json = serde_json::to_value(DocError::unsupported("GIF image")).unwrap();
        assert_eq!(json["kind"], "unsupported");
        assert_eq!(
            json["message"],
            "this kind of file is not supported: GIF image"
        );
    }
}
