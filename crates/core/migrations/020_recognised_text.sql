-- Text recognised on a scanned document (OCR) is kept like a text layer, by the file's SHA-256,
-- marked as recognised, with each word's box on its page (JSON) for the viewer.
ALTER TABLE document_text ADD COLUMN recognised INTEGER NOT NULL DEFAULT 0;
ALTER TABLE document_text ADD COLUMN words TEXT;
