//! A complete PDF whose cross-reference table is damaged (offsets that miss their objects, a
//! `startxref` that points nowhere, a table cut by a careless editor) is read the way PDF viewers
//! read it: the objects are found by scanning the file for `N G obj`, and a new table and trailer
//! are written after the file's bytes, pointing at them (objects inside object streams are
//! opened from their stream, as lopdf does). The catalogue is the old trailer's (or
//! cross-reference stream's) `/Root` when one can still be read, else the object that says
//! `/Type /Catalog`. A file cut short (no `%%EOF` at its end) is not rebuilt: what is missing
//! cannot be recovered.

/// How far from the end the closing `%%EOF` may stand (trailing whitespace, a stray byte).
const EOF_WINDOW: usize = 64;
/// How much of an object is searched for `/Type /Catalog`.
const CATALOGUE_BYTES: usize = 4096;

/// The objects' positions, as `(number, generation, offset)`; a later definition of the same
/// number (an incremental update) wins.
fn objects(pdf: &[u8]) -> Vec<(u32, u16, usize)> {
    let mut found: std::collections::BTreeMap<u32, (u16, usize)> = Default::default();
    let mut at = 0;
    while at < pdf.len() {
        let line_start = at == 0 || matches!(pdf[at - 1], b'\n' | b'\r');
        if line_start
            && pdf[at].is_ascii_digit()
            && let Some((number, generation)) = object_header(&pdf[at..])
        {
            found.insert(number, (generation, at));
        }
        at += 1;
    }
    found.into_iter().map(|(n, (g, at))| (n, g, at)).collect()
}

/// `N G obj` at the start of `bytes`.
fn object_header(bytes: &[u8]) -> Option<(u32, u16)> {
    let mut fields = bytes
        .split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .filter(|f| !f.is_empty());
    let number = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let generation = std::str::from_utf8(fields.next()?).ok()?.parse().ok()?;
    let keyword = fields.next()?;
    (keyword.starts_with(b"obj") && keyword.get(3).is_none_or(|b| !b.is_ascii_alphanumeric()))
        .then_some((number, generation))
}

/// The first number after the last `key` in the file (the last trailer's, or the last
/// cross-reference stream's, as a PDF 1.5 file keeps its trailer), when digits follow it.
fn last_number(pdf: &[u8], key: &[u8]) -> Option<u32> {
    let at = pdf.windows(key.len()).rposition(|w| w == key)? + key.len();
    let text = String::from_utf8_lossy(&pdf[at..pdf.len().min(at + 32)]);
    text.split_whitespace().next()?.parse().ok()
}

/// The first object whose dictionary says `/Type /Catalog`.
fn catalogue(pdf: &[u8], objects: &[(u32, u16, usize)]) -> Option<u32> {
    objects.iter().find_map(|&(number, _, at)| {
        // A catalogue is a short dictionary: only the object's first bytes are looked at, so
        // a file of many objects without `endobj` costs no more than one pass.
        let head = &pdf[at..pdf.len().min(at + CATALOGUE_BYTES)];
        let end = head
            .windows(6)
            .position(|w| w == b"endobj")
            .map_or(head.len(), |e| e);
        let body: Vec<u8> = head[..end]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        body.windows(13)
            .any(|w| w == b"/Type/Catalog")
            .then_some(number)
    })
}

/// The file with a rebuilt cross-reference table, or `None` when it is cut short or holds no
/// catalogue to rebuild from.
pub(super) fn rebuilt(bytes: &[u8]) -> Option<Vec<u8>> {
    let start = bytes.windows(5).position(|w| w == b"%PDF-")?;
    let pdf = &bytes[start..];
    let tail = &pdf[pdf.len().saturating_sub(EOF_WINDOW)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return None;
    }
    let objects = objects(pdf);
    // The catalogue the last trailer names, if it stands in the file, or may stand inside an
    // object stream (lopdf opens those); else the one the objects show.
    let root = last_number(pdf, b"/Root")
        .filter(|r| {
            objects.iter().any(|&(n, _, _)| n == *r) || pdf.windows(7).any(|w| w == b"/ObjStm")
        })
        .or_else(|| catalogue(pdf, &objects))?;
    // Objects inside object streams are numbered beyond what the scan finds: the old size holds.
    let size = objects
        .last()?
        .0
        .checked_add(1)?
        .max(last_number(pdf, b"/Size").unwrap_or(0));
    let mut out = pdf.to_vec();
    out.push(b'\n');
    let table_at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    let mut next = objects.iter().peekable();
    for number in 0..size {
        match next.next_if(|&&(n, _, _)| n == number) {
            Some(&(_, generation, at)) => {
                out.extend_from_slice(format!("{at:010} {generation:05} n\r\n").as_bytes());
            }
            None => out.extend_from_slice(b"0000000000 65535 f\r\n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{table_at}\n%%EOF\n")
            .as_bytes(),
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_are_found_only_at_line_starts_and_as_the_keyword() {
        assert_eq!(object_header(b"12 0 obj\n<<>>"), Some((12, 0)));
        assert_eq!(object_header(b"3 1 obj<</Type/Page>>"), Some((3, 1)));
        assert_eq!(object_header(b"12 0 object"), None);
        assert_eq!(object_header(b"12 obj"), None);
        let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nx 2 0 obj\n";
        assert_eq!(objects(pdf), [(1, 0, 9)]);
        assert_eq!(catalogue(pdf, &objects(pdf)), Some(1));
    }

    #[test]
    fn the_root_and_size_are_read_from_a_cross_reference_stream_too() {
        let pdf = b"%PDF-1.5\n9 0 obj\n<< /Type /XRef /Size 440 /Root 438 0 R >>\nstream\n";
        assert_eq!(last_number(pdf, b"/Root"), Some(438));
        assert_eq!(last_number(pdf, b"/Size"), Some(440));
        assert_eq!(last_number(pdf, b"/Info"), None);
    }

    #[test]
    fn a_file_cut_short_is_not_rebuilt() {
        assert_eq!(
            rebuilt(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
            None
        );
    }
}
