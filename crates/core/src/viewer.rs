//! Document bytes for the viewer. The shell serves them through its own URI scheme
//! (`migdesk-doc://localhost/<document id>/<page>`), never as JSON: a PDF goes to pdf.js as it
//! is; an image the WebView shows natively goes as it is; anything else (TIFF, CMYK JPEG, 16-bit
//! PNG) is converted page by page to PNG under the document limits.

use std::sync::Arc;

use migdesk_docs::{Documents, Format};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::DeskResult;

/// What the viewer receives for one request.
#[derive(Clone, PartialEq, Eq)]
pub struct Served {
    pub mime: &'static str,
    pub bytes: Arc<[u8]>,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("mime", &self.mime)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// How the viewer shows a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentLayout {
    /// `PDF`, `JPEG`, `PNG`, `TIFF`, `WebP`, `BMP`.
    pub format: String,
    /// Drawn by pdf.js from the original bytes.
    pub pdf: bool,
    #[ts(type = "number")]
    pub page_count: u32,
}

/// The document's format and number of pages; a clear `document` error when it cannot be
/// shown. Blocks (runs on the document worker): call it off the async threads.
pub fn layout(documents: &Documents, bytes: Arc<[u8]>) -> DeskResult<DocumentLayout> {
    let info = documents.inspect(bytes)?;
    Ok(DocumentLayout {
        format: info.format.name().to_owned(),
        pdf: info.pdf,
        page_count: u32::try_from(info.page_count).unwrap_or(u32::MAX),
    })
}

/// Page `page` (from 0) of a document for the viewer. Blocks: call it off the async threads.
pub fn page(documents: &Documents, bytes: Arc<[u8]>, page: usize) -> DeskResult<Served> {
    let format = migdesk_docs::sniff(&bytes);
    if format == Format::Pdf {
        // pdf.js reads the whole file; the page is chosen in the viewer.
        documents.limits().check_input(bytes.len())?;
        return Ok(Served {
            mime: "application/pdf",
            bytes,
        });
    }
    let info = documents.inspect(bytes.clone())?;
    if info.native && info.page_count == 1 && page == 0 {
        return Ok(Served {
            mime: info.mime,
            bytes,
        });
    }
    let rendered = documents.render_page(bytes, page)?;
    Ok(Served {
        mime: migdesk_docs::RenderedPage::MIME,
        bytes: rendered.png.into(),
    })
}

/// A small picture of page `page`, for the viewer's page strip.
pub fn thumbnail(
    documents: &Documents,
    bytes: Arc<[u8]>,
    page: usize,
    max_side: u32,
) -> DeskResult<Served> {
    let rendered = documents.thumbnail(bytes, page, max_side)?;
    Ok(Served {
        mime: migdesk_docs::RenderedPage::MIME,
        bytes: rendered.png.into(),
    })
}
