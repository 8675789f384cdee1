//! `migdesk-cli`: the desk's sign-in, sync, status and wipe for support staff and tests.
//! Human-readable text by default, JSON with `--json`. Secrets stay in the OS keyring.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migdesk_core::cache::{Meta, Store};
use migdesk_core::secrets::{self, OsKeyring, SecretStore};
use migdesk_core::session;
use migdesk_core::sync::{self, Central, Progress};
use migdesk_core::workstation::Workstation;
use migdesk_core::{DeskError, DeskResult, ErrorKind};

#[derive(Parser)]
#[command(
    name = "migdesk-cli",
    version,
    about = "migdesk from the command line: sign in, sync, status, repair, sign out, wipe; inspect and render documents"
)]
struct Cli {
    /// The desk's data folder (default: MIGDESK_DATA_DIR, else the platform's data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Desk(DeskCommand),
    /// Look at a document file as the desk would (type by content, pages, text; a page as PNG).
    #[command(subcommand)]
    Doc(DocCommand),
}

/// The commands that work on this desk's data folder and keyring.
#[derive(Subcommand)]
enum DeskCommand {
    /// Sign in to the central service; the password is read from standard input.
    Login {
        /// The centre; the workstation configuration's when left out.
        #[arg(long)]
        server: Option<String>,
        #[arg(long)]
        username: String,
    },
    /// Sign out: the session token leaves the keyring; recorded decisions stay on the desk.
    Logout,
    /// Pull changes and documents, push recorded decisions.
    Sync,
    /// Queue counts, unsent decisions, conflicts, last sync.
    Status,
    /// Recover from a failed integrity check: keep the decisions and the audit trail, set the
    /// damaged file aside, and let the next sync fetch the rest again.
    Repair,
    /// Remove everything this workstation keeps: the cache, the WebView's storage, the files
    /// exported from it, the token and the key. Refused while decisions wait to be sent.
    Wipe {
        /// Wipe even decisions the centre has not received (they are lost).
        #[arg(long)]
        discard_unsent: bool,
    },
}

#[derive(Subcommand)]
enum DocCommand {
    /// Type (by content), pages and their sizes, whether it is shown as is, a text excerpt.
    Inspect { file: PathBuf },
    /// Write one page as PNG, upright, as the viewer shows converted pages.
    Render {
        file: PathBuf,
        /// The page, counting from 1.
        #[arg(long, default_value_t = 1)]
        page: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// The document's text: its text layer, or else what text recognition reads on its pages.
    Text { file: PathBuf },
    /// The machine-readable zone in the document's text, each check digit verified.
    Mrz { file: PathBuf },
}

/// A document's text layer, or else its recognised text; and whether it was recognised. A PDF
/// with scanned pages without text has those pages recognised (its text layer alone when this
/// workstation cannot recognise).
fn text_of(
    documents: &migdesk_docs::Documents,
    bytes: Vec<u8>,
) -> DeskResult<(String, Option<migdesk_docs::Recognised>)> {
    let layer = documents.read_text(bytes.clone())?;
    let text = layer.text.filter(|t| !t.trim().is_empty());
    match text {
        Some(text) if layer.scans_without_text.is_empty() => Ok((text, None)),
        Some(text) => Ok(documents
            .recognise(bytes)
            .map(|r| (r.text.clone(), Some(r)))
            .unwrap_or((text, None))),
        None => {
            let recognised = documents.recognise(bytes)?;
            Ok((recognised.text.clone(), Some(recognised)))
        }
    }
}

/// `migdesk-cli doc …`: no data folder, no keyring, only the file.
fn doc(command: DocCommand, json: bool) -> DeskResult<String> {
    let documents = migdesk_docs::Documents::default();
    let read = |file: &std::path::Path| -> DeskResult<Vec<u8>> {
        let size = std::fs::metadata(file)
            .map_err(|e| DeskError::storage(format!("cannot read {}: {e}", file.display())))?
            .len();
        if size > documents.limits().max_input_bytes as u64 {
            return Err(migdesk_docs::DocError::TooLarge {
                detail: format!("{size} bytes"),
            }
            .into());
        }
        std::fs::read(file)
            .map_err(|e| DeskError::storage(format!("cannot read {}: {e}", file.display())))
    };
    match command {
        DocCommand::Inspect { file } => {
            let info = documents.inspect(read(&file)?)?;
            if json {
                return serde_json::to_string(&info)
                    .map_err(|e| DeskError::internal(e.to_string()));
            }
            let unit = match info.unit {
                migdesk_docs::Unit::Pixels => "px",
                migdesk_docs::Unit::Points => "pt",
            };
            let mut text = format!(
                "{}: {} ({}), {} page(s), {}\n",
                file.display(),
                info.format.name(),
                info.mime,
                info.page_count,
                if info.pdf {
                    "drawn by the viewer (pdf.js)"
                } else if info.format == migdesk_docs::Format::Pdf {
                    "scans only: each page shown as its image, converted to PNG"
                } else if info.native {
                    "shown as is"
                } else {
                    "converted to PNG for the viewer"
                }
            );
            for (i, p) in info.pages.iter().enumerate().take(20) {
                text.push_str(&format!(
                    "  page {}: {} × {} {unit}\n",
                    i + 1,
                    p.width,
                    p.height
                ));
            }
            if let Some(excerpt) = &info.text_excerpt {
                text.push_str(&format!("text: {excerpt}\n"));
            }
            Ok(text.trim_end().to_owned())
        }
        DocCommand::Render { file, page, out } => {
            let index = page
                .checked_sub(1)
                .ok_or_else(|| DeskError::new(ErrorKind::Document, "pages are counted from 1"))?;
            let rendered = documents.render_page(read(&file)?, index)?;
            std::fs::write(&out, &rendered.png)
                .map_err(|e| DeskError::storage(format!("cannot write {}: {e}", out.display())))?;
            Ok(if json {
                serde_json::json!({ "out": out, "width": rendered.width, "height": rendered.height })
                    .to_string()
            } else {
                format!(
                    "Page {page} written to {} ({} × {} px).",
                    out.display(),
                    rendered.width,
                    rendered.height
                )
            })
        }
        DocCommand::Text { file } => {
            let (text, recognised) = text_of(&documents, read(&file)?)?;
            if json {
                return Ok(serde_json::json!({
                    "text": text,
                    "recognised": recognised.is_some(),
                    "languages": recognised.as_ref().map(|r| &r.languages),
                    "words": recognised.as_ref().map(|r| &r.words),
                    "recognised_pages": recognised.as_ref().map(|r| &r.recognised_pages),
                })
                .to_string());
            }
            let how = match &recognised {
                Some(r) if r.recognised_pages.len() < r.pages => format!(
                    "the text layer, and recognised text ({}) on page {}",
                    r.languages.join("+"),
                    r.recognised_pages
                        .iter()
                        .map(|p| (p + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(r) => format!("recognised text ({})", r.languages.join("+")),
                None => "the file's text layer".to_owned(),
            };
            Ok(format!("{}: {how}\n{}", file.display(), text.trim_end()))
        }
        DocCommand::Mrz { file } => {
            let (text, recognised) = text_of(&documents, read(&file)?)?;
            let today = chrono::Local::now().date_naive();
            let source = match recognised {
                Some(_) => migdesk_domain::mrz_read::Source::Recognised,
                None => migdesk_domain::mrz_read::Source::Typed,
            };
            let zone = migdesk_domain::mrz_read::find(&text, source, today).ok_or_else(|| {
                DeskError::new(
                    ErrorKind::Document,
                    format!(
                        "{}: no machine-readable zone found in its text",
                        file.display()
                    ),
                )
            })?;
            if json {
                return serde_json::to_string(&zone)
                    .map_err(|e| DeskError::internal(e.to_string()));
            }
            let day = |d: Option<chrono::NaiveDate>| {
                d.map_or_else(
                    || "not a date".to_owned(),
                    |d| d.format("%d.%m.%Y").to_string(),
                )
            };
            Ok(format!(
                "{}: {:?} zone, {}\n  document: {} {} issued by {}\n  surname: {}\n  given names: {}\n  nationality: {}\n  date of birth: {}\n  sex: {}\n  expiry: {}{}",
                file.display(),
                zone.format,
                if zone.failed.is_empty() {
                    "every check digit holds".to_owned()
                } else {
                    format!("check digits failing: {:?}", zone.failed)
                },
                zone.document_code,
                zone.document_number,
                zone.issuing_state,
                zone.surname,
                zone.given_names,
                zone.nationality,
                day(zone.date_of_birth),
                zone.sex,
                day(zone.expiry),
                if zone.corrected.is_empty() {
                    String::new()
                } else {
                    format!(
                        "\n  read after correcting a confusion: {:?}",
                        zone.corrected
                    )
                }
            ))
        }
    }
}

fn data_dir(arg: Option<PathBuf>) -> DeskResult<PathBuf> {
    let env = std::env::var(migdesk_core::app_info::DATA_DIR_ENV).ok();
    let default = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("az.migration.migdesk"));
    match arg {
        Some(p) => Ok(p),
        None => migdesk_core::app_info::resolve_data_dir(env.as_deref(), default),
    }
}

fn keyring_for(dir: &std::path::Path) -> OsKeyring {
    OsKeyring {
        profile: secrets::profile_for(dir),
    }
}

fn cache_path(dir: &std::path::Path) -> PathBuf {
    migdesk_core::cache::file_in(dir)
}

fn open(dir: &std::path::Path, secrets: &dyn SecretStore, create: bool) -> DeskResult<Store> {
    migdesk_core::app_info::ensure_data_dir(dir)?;
    let key = secrets::cache_key(secrets, create)?;
    Store::open(&cache_path(dir), &key)
}

/// "documents 12/130 (3.1 of 13.0 MB, 2.4 MB/s, 4 s left)".
fn progress_line(p: &Progress) -> String {
    let left = p
        .seconds_remaining
        .map(|s| format!(", {} s left", s.ceil()))
        .unwrap_or_default();
    format!(
        "documents {}/{} ({:.1} of {:.1} MB, {:.1} MB/s{left})   ",
        p.documents_done,
        p.documents_total,
        p.bytes as f64 / 1e6,
        p.bytes_total as f64 / 1e6,
        p.bytes_per_second / 1e6
    )
}

fn token(secrets: &dyn SecretStore) -> DeskResult<String> {
    secrets.get(secrets::SESSION_TOKEN)?.ok_or_else(|| {
        DeskError::new(
            ErrorKind::NotSignedIn,
            "nobody is signed in on this desk: run `migdesk-cli login`",
        )
    })
}

async fn run(cli: Cli) -> DeskResult<String> {
    let command = match cli.command {
        Command::Doc(command) => return doc(command, cli.json),
        Command::Desk(command) => command,
    };
    let dir = data_dir(cli.data_dir)?;
    let keyring = keyring_for(&dir);
    match command {
        DeskCommand::Login { server, username } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| DeskError::internal(format!("cannot read the password: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']);
            let server = Workstation::current()?.server_for(server.as_deref())?;
            let central = Central::new(&server)?;
            let mut store = open(&dir, &keyring, true)?;
            let user =
                session::sign_in(&mut store, &keyring, &central, &username, password).await?;
            Ok(if cli.json {
                serde_json::json!({ "signed_in": true, "user": user }).to_string()
            } else {
                format!("Signed in as {} ({}).", user.full_name, user.role.as_str())
            })
        }
        DeskCommand::Sync => {
            let token = token(&keyring)?;
            let mut store = open(&dir, &keyring, false)?;
            let server = store.meta(Meta::Server)?.ok_or_else(|| {
                DeskError::new(ErrorKind::NotSignedIn, "no server: sign in first")
            })?;
            let me = store.meta(Meta::UserId)?.unwrap_or_default();
            let central = Central::new(&server)?;
            let quiet = cli.json;
            let show = |p: sync::Progress| {
                if !quiet && p.documents_total > 0 {
                    match p.phase {
                        sync::Phase::Documents => eprint!("\r{}", progress_line(&p)),
                        sync::Phase::Reading => eprint!(
                            "\rreading the documents' text {}/{}                              ",
                            p.documents_done, p.documents_total
                        ),
                        _ => {}
                    }
                }
            };
            let report = sync::run(&mut store, &central, &token, &me, 4, show).await?;
            // Then the documents' text, for search (the app reads it in the background).
            let read = sync::read_texts(&mut store, show).await?;
            if !quiet && report.documents_downloaded + read > 0 {
                eprintln!();
            }
            Ok(if cli.json {
                let mut json = serde_json::to_value(&report)
                    .map_err(|e| DeskError::internal(e.to_string()))?;
                json["documents_read"] = read.into();
                json.to_string()
            } else {
                format!(
                    "Synced: {} changes, {} documents ({:.1} MB), {} decisions sent, {} conflicts; text read in {} documents.",
                    report.changes,
                    report.documents_downloaded,
                    report.bytes_downloaded as f64 / 1e6,
                    report.decisions_sent,
                    report.conflicts,
                    read
                )
            })
        }
        DeskCommand::Logout => {
            let mut store = open(&dir, &keyring, false)?;
            let central = store
                .meta(Meta::Server)?
                .and_then(|s| Central::new(&s).ok());
            session::sign_out(&mut store, &keyring, central.as_ref(), false).await?;
            Ok(if cli.json {
                "{\"signed_out\":true}".to_owned()
            } else {
                "Signed out. Recorded decisions stay on this desk until they are sent.".to_owned()
            })
        }
        DeskCommand::Status => {
            let store = open(&dir, &keyring, false)?;
            let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
            let s = sync::status(&store, &today)?;
            Ok(if cli.json {
                serde_json::to_string(&s).map_err(|e| DeskError::internal(e.to_string()))?
            } else {
                format!(
                    "Queue: {} cases ({} overdue)\nUnsent decisions: {}\nConflicts: {}\nDocuments still to download: {}\nLast sync: {}",
                    s.queue,
                    s.overdue,
                    s.unsent_decisions,
                    s.conflicts,
                    s.documents_missing,
                    s.last_sync.as_deref().unwrap_or("never")
                )
            })
        }
        DeskCommand::Repair => {
            let key = secrets::cache_key(&keyring, false)?;
            let (_, report) = migdesk_core::cache::repair(&cache_path(&dir), &key)?;
            Ok(if cli.json {
                serde_json::to_string(&report).map_err(|e| DeskError::internal(e.to_string()))?
            } else {
                let partly = if report.partly_unreadable.is_empty() {
                    String::new()
                } else {
                    format!(
                        "\nPartly unreadable (rows on damaged pages are lost): {}",
                        report.partly_unreadable.join(", ")
                    )
                };
                format!(
                    "Repaired: {} decisions, {} notes, {} counter documents and {} audit events kept; run `migdesk-cli sync` to fetch the rest.\nThe damaged file is set aside as {}{partly}",
                    report.decisions_kept,
                    report.notes_kept,
                    report.counter_documents_kept,
                    report.audit_events_kept,
                    report.damaged_copy.display()
                )
            })
        }
        DeskCommand::Wipe { discard_unsent } => {
            let wiped = migdesk_core::wipe::wipe(&dir, &keyring, discard_unsent)?;
            Ok(if cli.json {
                serde_json::to_string(&wiped).map_err(|e| DeskError::internal(e.to_string()))?
            } else {
                format!(
                    "This workstation's cache, WebView storage, session and key are removed ({} exported files; {} unsent decisions discarded).",
                    wiped.exports, wiped.discarded_unsent
                )
            })
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                if e.kind == ErrorKind::CacheDamaged {
                    eprintln!(
                        "hint: `migdesk-cli repair` keeps the decisions and starts a fresh cache"
                    );
                }
                eprintln!(
                    "error ({}): {}",
                    serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    e.message
                );
            }
            ExitCode::FAILURE
        }
    }
}
