//! The safety limits every document is processed under.

use std::time::Duration;

use crate::DocError;

/// Bounds on the work one document may cause. Every check happens before the memory is taken:
/// image dimensions are read from headers, PDF page trees are walked before text is extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted at all.
    pub max_input_bytes: usize,
    /// The most pixels one page may have (width × height).
    pub max_pixels: u64,
    /// The most pages a document may have.
    pub max_pages: usize,
    /// The most memory decoding may allocate for one page (pixels, PDF content streams).
    pub max_decoded_bytes: u64,
    /// How long one call (inspect, render, thumbnail, text) may take.
    pub time_per_document: Duration,
    /// How many calls may run at once, counting ones abandoned after a time-out that are still
    /// running; beyond it calls fail with [`DocError::Busy`] instead of piling up threads.
    pub max_jobs_in_flight: usize,
    /// Work nobody waits for (text recognition in the background): the job's thread and the
    /// recogniser it starts run at the lowest CPU priority (`nice 19`), so the window and the
    /// officer's own requests go first.
    pub low_priority: bool,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    /// 256 MiB files; 100 megapixels a page (an A4 page scanned at 600 dpi is 35 MP, a phone
    /// photo 12–50 MP); 500 pages; 512 MiB decoded (100 MP of RGBA is 400 MiB); 20 seconds a
    /// call; 4 calls at once.
    fn default() -> Self {
        Self {
            max_input_bytes: 256 * MIB as usize,
            max_pixels: 100_000_000,
            max_pages: 500,
            max_decoded_bytes: 512 * MIB,
            time_per_document: Duration::from_secs(20),
            max_jobs_in_flight: 4,
            low_priority: false,
        }
    }
}

impl Limits {
    /// Refuses a file larger than `max_input_bytes`.
    pub fn check_input(&self, len: usize) -> Result<(), DocError> {
        if len > self.max_input_bytes {
            return Err(DocError::too_large(format!(
                "the file is {} and the limit is {}",
                mib(len as u64),
                mib(self.max_input_bytes as u64)
            )));
        }
        Ok(())
    }

    /// Checks a page's dimensions, as declared by its header, before anything is decoded.
    pub(crate) fn check_pixels(&self, width: u32, height: u32) -> Result<(), DocError> {
        let pixels = u64::from(width) * u64::from(height);
        if width == 0 || height == 0 {
            return Err(DocError::malformed(format!(
                "the image declares a size of {width} × {height} pixels"
            )));
        }
        if pixels > self.max_pixels {
            return Err(DocError::too_large(format!(
                "a page of {width} × {height} pixels ({:.0} megapixels) is over the limit of {:.0} megapixels",
                pixels as f64 / 1e6,
                self.max_pixels as f64 / 1e6
            )));
        }
        Ok(())
    }

    pub(crate) fn check_pages(&self, pages: usize) -> Result<(), DocError> {
        if pages > self.max_pages {
            return Err(DocError::too_large(format!(
                "the document has more than {} pages",
                self.max_pages
            )));
        }
        Ok(())
    }

    /// The same bounds, for the `image` crate's decoders.
    pub(crate) fn image(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(self.max_decoded_bytes);
        limits
    }

    /// The same bounds, for the `tiff` crate's decoder.
    pub(crate) fn tiff(&self) -> tiff::decoder::Limits {
        let bytes = usize::try_from(self.max_decoded_bytes).unwrap_or(usize::MAX);
        let mut limits = tiff::decoder::Limits::default();
        limits.decoding_buffer_size = bytes;
        limits.intermediate_buffer_size = bytes;
        limits
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}
