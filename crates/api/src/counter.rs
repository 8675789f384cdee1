//! Documents brought to the counter: an applicant hands in a paper, it is scanned at the
//! department, and the officer adds the file to the case on their desk — offline if need be. The
//! desk names the document with a UUID when it is added, so sending it again is harmless.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest file the counter may add (decoded).
pub const MAX_COUNTER_BYTES: usize = 20 * 1024 * 1024;

/// A file scanned at the counter, as the desk sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CounterDocumentRequest {
    /// Made by the desk when the officer adds the file; the document's id at the centre too.
    pub id: Uuid,
    /// A document type code from the catalogue.
    #[serde(rename = "type")]
    pub doc_type: String,
    /// A plain file name (no folders), 1 to 200 bytes.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub file_name: String,
    /// The file, base64-encoded: a PDF or an image (JPEG, PNG, TIFF, WebP, BMP), at most 20 MiB.
    pub content_base64: String,
    /// When the officer added it (RFC 3339), which may be long before the desk could send it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub added_at: String,
}

/// A plain file name, trimmed: `Err` says what is wrong.
pub fn plain_file_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || name.contains(['/', '\\', '\0']) {
        return Err("a document needs a plain file name (no folders), at most 200 bytes".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        assert_eq!(plain_file_name(" scan 1.pdf ").unwrap(), "scan 1.pdf");
        assert!(plain_file_name("../etc/passwd").is_err());
        assert!(plain_file_name("a\\b.pdf").is_err());
        assert!(plain_file_name(" ").is_err());
        assert!(plain_file_name(&"x".repeat(201)).is_err());
    }
}
