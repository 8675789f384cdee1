//! Text recognition (OCR) of scanned pages by the Tesseract program, in a child process of its
//! own: a hostile image can crash or exhaust it, never the desk. Each page is decoded here under
//! the same limits as the viewer's, made grey (and enlarged when it is tiny), cleared of specks
//! and turned straight ([`Prepared`]), and handed to `tesseract` on its standard input as an uncompressed TIFF
//! (a file in memory where the system has them);
//! its TSV answer gives the words and their boxes, mapped back to the page's own pixels. A page
//! whose text shows a machine-readable zone (`<<`) is read a second time in English with only
//! the zone's characters allowed, and its zone-like lines replace the first reading's (which
//! mixes in other scripts' letters and reads fillers as `c`/`«`). The child runs under an
//! address-space and CPU-time limit (`prlimit`) and is killed when the call's time is up or it
//! is cancelled.
//!
//! Measured on the demo's scans (`scripts/bench.sh documents`): cleaning and straightening took
//! the printed words read exactly on identity pages askew up to 3° from 87 % to 97 %, and zones
//! read whole from 17 % to 82 %. Enlarging 72-dpi scans to 300 dpi reads *worse* (the noise
//! grows with the letters), so only pages narrower than [`prepare::MIN_WIDTH`] are enlarged. How a
//! zone is read again, and how well, is in [`zone`].

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use image::{DynamicImage, GrayImage};
use serde::Serialize;

use crate::DocError;
use crate::worker::Ctx;
use prepare::Prepared;

mod prepare;
mod zone;

/// The languages read, when installed: Azerbaijani (Latin and Cyrillic), English and Russian.
/// The Latin scripts come first: the recogniser weighs its languages in this order, and with
/// the Cyrillic ones before English it read Latin capitals and numbers as Cyrillic letters
/// (`WX4355552` as `М/Х4355552`); in this order the benchmark's A4 page reads 96.1 % of its
/// words (94.8 % before) and the identity pages 96.6 % (96.3 %).
pub const LANGUAGES: [&str; 4] = ["aze", "eng", "aze_cyrl", "rus"];
/// The program run, unless `MIGDESK_TESSERACT` names another.
const PROGRAM: &str = "tesseract";
/// The most memory the recogniser may map (its language models take about 100 MiB each).
const MAX_ADDRESS_SPACE: u64 = 2048 * 1024 * 1024;
/// How often a running recogniser is checked for the call's deadline and cancellation.
const POLL: Duration = Duration::from_millis(20);
/// How often a recogniser whose answer has ended is checked for its exit.
const EXIT_POLL: Duration = Duration::from_millis(1);

/// One recognised word, in the page's own pixels (before any enlarging).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// From 0.
    pub page: usize,
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// The recogniser's confidence, 0–100.
    pub confidence: f32,
}

/// What recognition found in a document: its text (lines as read, pages separated by a blank
/// line; a PDF's pages with a text layer as the layer says) and each recognised word with its
/// box.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recognised {
    pub text: String,
    pub words: Vec<Word>,
    /// The languages it was read in.
    pub languages: Vec<String>,
    /// How many pages the document has.
    pub pages: usize,
    /// The pages (from 0) recognised; a PDF's other pages kept their text layer's text.
    pub recognised_pages: Vec<usize>,
}

/// The recogniser's program and its installed languages of [`LANGUAGES`], asked once.
fn engine() -> Result<&'static (String, Vec<String>), DocError> {
    static ENGINE: OnceLock<Result<(String, Vec<String>), DocError>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let program = std::env::var("MIGDESK_TESSERACT").unwrap_or_else(|_| PROGRAM.into());
            let listed = Command::new(&program)
                .arg("--list-langs")
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .map_err(|_| DocError::NoRecogniser)?;
            let installed = String::from_utf8_lossy(&listed.stdout);
            let languages: Vec<String> = LANGUAGES
                .iter()
                .filter(|l| installed.lines().any(|line| line.trim() == **l))
                .map(|l| (*l).to_owned())
                .collect();
            if languages.is_empty() {
                return Err(DocError::NoRecogniser);
            }
            Ok((program, languages))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Whether this workstation can recognise text (the program and a language are installed).
pub fn available() -> bool {
    engine().is_ok()
}

/// A page to read: a scan, or a page whose text is known already (a PDF's text layer).
pub(crate) enum Page {
    Scan(DynamicImage),
    Text(String),
}

/// Reads the scans among the pages given by `page_of` (from 0, `pages` of them); a page with
/// text keeps it as it is.
pub(crate) fn recognise(
    pages: usize,
    mut page_of: impl FnMut(usize) -> Result<Page, DocError>,
    ctx: &Ctx,
) -> Result<Recognised, DocError> {
    let (program, languages) = engine()?;
    let mut out = Recognised {
        languages: languages.clone(),
        pages,
        ..Recognised::default()
    };
    for page in 0..pages {
        ctx.checkpoint()?;
        let scan = match page_of(page)? {
            Page::Scan(scan) => scan,
            Page::Text(text) => {
                out.push_page(&text);
                continue;
            }
        };
        let prepared = Prepared::new(scan);
        ctx.checkpoint()?;
        let language = languages.join("+");
        let tsv = run(program, &["-l", &language, "tsv"], &prepared.grey, ctx)?;
        let (mut text, words) = parse_tsv(&tsv, page, &prepared);
        if text.contains("<<") && languages.iter().any(|l| l == "eng") {
            text = zone::with_zone(&text, &zone::read(program, &prepared, page, ctx)?);
        }
        out.push_page(&text);
        out.words.extend(words);
        out.recognised_pages.push(page);
    }
    Ok(out)
}

impl Recognised {
    /// Adds a page's text, a blank line after the page before.
    fn push_page(&mut self, text: &str) {
        if !self.text.is_empty() && !text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.text.push_str(text);
    }
}

/// The page as a file in memory for the recogniser's standard input, where the system has such
/// files (Linux's `memfd`): the program then reads it at once as a file (`/dev/stdin`), where
/// from a pipe it reads byte by byte — 180 ms more for an A4 page at 300 dpi, a fifth of the
/// reading. The scan stays in memory, never in a file on disk. `None`: the pipe it is.
fn page_in_memory(page: &GrayImage) -> Option<std::fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::io::{Seek, SeekFrom};
        let fd = rustix::fs::memfd_create("migdesk-page", rustix::fs::MemfdFlags::CLOEXEC).ok()?;
        let mut file = std::fs::File::from(fd);
        let mut buffered = std::io::BufWriter::new(&mut file);
        write_tiff(page, &mut buffered).ok()?;
        buffered.flush().ok()?;
        drop(buffered);
        file.seek(SeekFrom::Start(0)).ok()?;
        Some(file)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = page;
        None
    }
}

/// A grey page as an uncompressed TIFF: what the recogniser reads fastest, and nothing to
/// compress. Its PGM reader takes a pixel at a time (an A4 page at 300 dpi read in 0.80 s as PGM,
/// 0.68 s as TIFF, the same words and boxes); a compressed PNG costs more to write than it saves
/// (the demo's identity pages were read in 2.2 s each as PGM, 2.9 s as PNG).
fn write_tiff(page: &GrayImage, out: impl Write + std::io::Seek) -> Result<(), DocError> {
    tiff::encoder::TiffEncoder::new(out)
        .and_then(|mut tiff| {
            tiff.write_image::<tiff::encoder::colortype::Gray8>(
                page.width(),
                page.height(),
                page.as_raw(),
            )
        })
        .map_err(|e| DocError::malformed(format!("the page for the text recogniser: {e}")))
}

/// Runs the recogniser on one page, answering in the form the last of `options` names (`tsv`,
/// `hocr`); killed at the deadline or when cancelled.
fn run(program: &str, options: &[&str], page: &GrayImage, ctx: &Ctx) -> Result<String, DocError> {
    run_from(program, options, page, page_in_memory(page), ctx)
}

/// [`run`], the page given as a file in memory or (`None`) written to a pipe.
fn run_from(
    program: &str,
    options: &[&str],
    page: &GrayImage,
    in_memory: Option<std::fs::File>,
    ctx: &Ctx,
) -> Result<String, DocError> {
    let cpu_seconds = ctx.limits.time_per_document.as_secs().max(1) + 1;
    // Without a file in memory, the page is written whole before the program starts.
    let piped = match in_memory {
        Some(_) => None,
        None => {
            let mut tiff = std::io::Cursor::new(Vec::new());
            write_tiff(page, &mut tiff)?;
            Some(tiff.into_inner())
        }
    };
    // In the background, at the lowest CPU priority: the window and the officer come first.
    let mut command = if ctx.limits.low_priority {
        let mut nice = Command::new("nice");
        nice.args(["-n", "19", "prlimit"]);
        nice
    } else {
        Command::new("prlimit")
    };
    let mut child = command
        .arg(format!("--as={MAX_ADDRESS_SPACE}"))
        .arg(format!("--cpu={cpu_seconds}"))
        .arg("--")
        .arg(program)
        // A file it can seek is read at once; "stdin" is read from the pipe byte by byte.
        .arg(if in_memory.is_some() {
            "/dev/stdin"
        } else {
            "stdin"
        })
        .arg("stdout")
        .args(options)
        // One thread: the desk reads other documents meanwhile, and threads multiply memory.
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(in_memory.map_or_else(Stdio::piped, Stdio::from))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| DocError::NoRecogniser)?;
    let writer = child.stdin.take().zip(piped).map(|(mut stdin, page)| {
        std::thread::spawn(move || {
            // The recogniser may stop reading (killed, or refusing the page): that is its answer.
            let _ = stdin.write_all(&page);
        })
    });
    let mut stdout = child.stdout.take().ok_or(DocError::NoRecogniser)?;
    let (answered, answer) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let read = stdout.read_to_string(&mut text).map(|_| text);
        let _ = answered.send(());
        read
    });
    // Until the answer ends (woken at once when it does), then until the program has exited.
    let mut ended = false;
    let status = loop {
        if let Err(stop) = ctx.checkpoint() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(stop);
        }
        if !ended {
            ended = answer.recv_timeout(POLL) != Err(RecvTimeoutError::Timeout);
            continue;
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(EXIT_POLL),
            Err(e) => return Err(DocError::malformed(format!("the text recogniser: {e}"))),
        }
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let text = reader
        .join()
        .map_err(|_| DocError::malformed("the text recogniser's answer was lost"))?
        .map_err(|e| DocError::malformed(format!("the text recogniser's answer: {e}")))?;
    if !status.success() {
        return Err(DocError::malformed(format!(
            "the text recogniser could not read the page ({status})"
        )));
    }
    Ok(text)
}

/// The Cyrillic capitals that look like Latin ones, and those Latin letters.
const LOOKALIKES: [(char, char); 11] = [
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
];

/// A word read in several scripts at once (`С80266239` with a Cyrillic `С`): a reader that
/// knows both alphabets picks the wrong one of two letters that look alike. A word with a
/// digit or a Latin letter has its Cyrillic lookalikes made Latin; other words are left as read.
fn one_script(word: &str) -> std::borrow::Cow<'_, str> {
    let latin = word.chars().any(|c| c.is_ascii_alphanumeric());
    let lookalike = |c: char| LOOKALIKES.iter().find(|(cyr, _)| *cyr == c).map(|p| p.1);
    if !latin || !word.chars().any(|c| lookalike(c).is_some()) {
        return word.into();
    }
    word.chars()
        .map(|c| lookalike(c).unwrap_or(c))
        .collect::<String>()
        .into()
}

/// One word of the recogniser's TSV answer (a level 5 row with text).
struct TsvWord<'a> {
    /// Its block, paragraph and line: words sharing them stand on one line.
    line: (&'a str, &'a str, &'a str),
    /// Left, top, width and height in the pixels the recogniser read.
    bounds: (u32, u32, u32, u32),
    confidence: f32,
    text: &'a str,
}

/// The words of a TSV answer, in its order.
fn tsv_words(tsv: &str) -> impl Iterator<Item = TsvWord<'_>> {
    tsv.lines().skip(1).filter_map(|row| {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        let [
            level,
            _,
            block,
            par,
            line,
            _,
            left,
            top,
            width,
            height,
            conf,
            word,
        ] = cols[..]
        else {
            return None;
        };
        let text = word.trim();
        if level != "5" || text.is_empty() {
            return None;
        }
        let number = |s: &str| s.parse::<u32>().unwrap_or(0);
        Some(TsvWord {
            line: (block, par, line),
            bounds: (number(left), number(top), number(width), number(height)),
            confidence: conf.parse().unwrap_or(0.0),
            text,
        })
    })
}

/// The words of one page's TSV answer and its text, a line of words per line the recogniser
/// found. Boxes are mapped back to the page's own pixels.
fn parse_tsv(tsv: &str, page: usize, prepared: &Prepared) -> (String, Vec<Word>) {
    let mut text = String::new();
    let mut words = Vec::new();
    let mut line_key = None;
    for word in tsv_words(tsv) {
        let read = one_script(word.text);
        let (left, top, width, height) = prepared.original(word.bounds);
        if line_key.is_some_and(|k| k != word.line) {
            text.push('\n');
        } else if line_key.is_some() {
            text.push(' ');
        }
        line_key = Some(word.line);
        text.push_str(&read);
        words.push(Word {
            page,
            text: read.into_owned(),
            left,
            top,
            width,
            height,
            confidence: word.confidence,
        });
    }
    (text, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_alike_from_memory_and_from_a_pipe() {
        let Ok((program, _)) = engine() else {
            eprintln!("tesseract with a language of the desk is not installed; skipped");
            return;
        };
        let page = crate::samples::page_image(400, 300);
        let ctx = Ctx::for_tests();
        let read =
            |in_memory| run_from(program, &["-l", "eng", "tsv"], &page, in_memory, &ctx).unwrap();
        let from_pipe = read(None);
        assert!(from_pipe.starts_with("level\tpage_num"), "{from_pipe}");
        // The page's own size, as the recogniser saw it.
        assert!(from_pipe.contains("\t400\t300\t"), "{from_pipe}");
        #[cfg(target_os = "linux")]
        assert_eq!(read(Some(page_in_memory(&page).unwrap())), from_pipe);
    }

    #[test]
    fn the_tsv_answer_becomes_lines_of_words_with_boxes_in_page_pixels() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1785\t2526\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t300\t90\t240\t60\t96.5\tPASPORT\n\
                   5\t1\t1\t1\t1\t2\t570\t90\t30\t60\t91\t/\n\
                   5\t1\t1\t1\t2\t1\t300\t180\t330\t60\t88\tMAMMADOV\n\
                   5\t1\t2\t1\t1\t1\t300\t300\t33\t60\t12\t \n";
        let prepared = Prepared {
            grey: GrayImage::new(1785, 2526),
            factor: 3,
            turned: 0.0,
        };
        let (text, words) = parse_tsv(tsv, 2, &prepared);
        assert_eq!(text, "PASPORT /\nMAMMADOV");
        assert_eq!(words.len(), 3);
        assert_eq!(
            words[2],
            Word {
                page: 2,
                text: "MAMMADOV".into(),
                left: 100,
                top: 60,
                width: 110,
                height: 20,
                confidence: 88.0,
            }
        );
    }

    #[test]
    fn a_word_read_in_two_scripts_is_made_latin_and_a_russian_word_left_alone() {
        assert_eq!(one_script("С80266239"), "C80266239");
        assert_eq!(one_script("AZЕ"), "AZE");
        assert_eq!(one_script("СОВЕТ"), "СОВЕТ");
        assert_eq!(one_script("Гусейнов"), "Гусейнов");
        assert_eq!(one_script("MAMMADOV"), "MAMMADOV");
    }
}
