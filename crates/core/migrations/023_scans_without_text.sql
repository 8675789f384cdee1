-- A PDF with a text layer may still hold scanned pages without text (a page scanned later and
-- added without OCR): how many, as read when the file arrived. Such a file is recognised like a
-- scan — only those pages — in the background and in the text panel. Files read before this
-- column existed count none until they are read again.
ALTER TABLE document_text ADD COLUMN scans_without_text INTEGER NOT NULL DEFAULT 0;
