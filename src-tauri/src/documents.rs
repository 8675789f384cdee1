//! The document URI scheme: `migdesk-doc://localhost/<document id>/<page>` answers with the
//! page for the viewer (the original file for PDFs and images the WebView shows, a scan's JPEG
//! as its PDF holds it, PNG for the rest), `…/<page>/screen` with a large page scaled to fit the
//! screen (what the viewer shows until zoomed in), `…/<page>/thumb` with a small picture for the
//! page strip, `…/bytes/<start>-<end>` with that part of the file (pdf.js reads a large PDF by
//! parts). Bytes never travel as JSON. Only the main window may ask; the desk must be
//! unlocked. A page the viewer has prepared is answered without reading the document; a scan's
//! page is scaled from its JPEG alone; conversion runs off the async threads, without holding
//! the desk, under the core's document limits, and a page or a screen's page answered has the
//! next one prepared after it.

use migdesk_core::desk::SourceRead;
use migdesk_core::viewer::{SCREEN_SIDE, ScanPage, Served, Viewer};
use migdesk_core::{DeskError, ErrorKind};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::DeskState;

/// The scheme's name, also named in the content security policy.
pub const SCHEME: &str = "migdesk-doc";

/// The side of a thumbnail, in pixels.
const THUMB_SIDE: u32 = 160;

/// Where pages of the app come from; only they may read documents with `fetch` (pdf.js).
const APP_ORIGINS: [&str; 2] = ["tauri://localhost", "http://tauri.localhost"];

#[derive(Debug, PartialEq, Eq)]
struct Wanted {
    document: String,
    page: usize,
    /// Scaled to fit a square of this side; `None`: whole.
    fit: Option<u32>,
}

/// What a request asks for: a page, or bytes `start..end` of the file (a large PDF's part).
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    Page(Wanted),
    Bytes(String, std::ops::Range<u64>),
}

fn parse(path: &str) -> Option<Asked> {
    let mut parts = path.trim_start_matches('/').split('/');
    let document = parts.next().filter(|d| !d.is_empty())?.to_owned();
    let second = parts.next();
    if second == Some("bytes") {
        let (start, end) = parts.next()?.split_once('-')?;
        let range = start.parse().ok()?..end.parse().ok()?;
        return parts
            .next()
            .is_none()
            .then_some(Asked::Bytes(document, range));
    }
    let page = second.map_or(Some(0), |p| p.parse().ok())?;
    let fit = match parts.next() {
        None => None,
        Some("thumb") => Some(THUMB_SIDE),
        Some("screen") => Some(SCREEN_SIDE),
        Some(_) => return None,
    };
    parts.next().is_none().then_some(Asked::Page(Wanted {
        document,
        page,
        fit,
    }))
}

/// Bytes `range` of `document`, read alone from the cache while the desk is held (a part pdf.js
/// asks for is small: 64 KiB).
async fn bytes<R: Runtime>(
    app: tauri::AppHandle<R>,
    document: String,
    range: std::ops::Range<u64>,
) -> Response<Vec<u8>> {
    let state = app.state::<DeskState>();
    let read = match state.desk(|| app.path().app_data_dir().ok()).await {
        Ok(mut desk) => desk.document_bytes(&document, range),
        Err(e) => Err(e),
    };
    match read {
        Ok(bytes) => Response::builder()
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(header::CACHE_CONTROL, "no-store")
            .body(bytes)
            .unwrap_or_default(),
        Err(e) if e.kind == ErrorKind::Invalid => error(StatusCode::BAD_REQUEST, &e),
        Err(e) => error(StatusCode::NOT_FOUND, &e),
    }
}

fn error(status: StatusCode, err: &DeskError) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(err).unwrap_or_default();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap_or_default()
}

/// A page found prepared, a scan's page to scale from its JPEG, or the document to prepare the
/// page from.
enum Found {
    Ready(Served),
    Scan(ScanPage, u32, Viewer),
    Read(SourceRead, Viewer),
}

async fn answer<R: Runtime>(app: tauri::AppHandle<R>, path: String) -> Response<Vec<u8>> {
    let wanted = match parse(&path) {
        Some(Asked::Page(wanted)) => wanted,
        Some(Asked::Bytes(document, range)) => return bytes(app, document, range).await,
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                &DeskError::invalid(format!(
                    "{path}: expected /<document>/<page>[/screen|/thumb] or /<document>/bytes/<start>-<end>"
                )),
            );
        }
    };
    let state = app.state::<DeskState>();
    let Wanted {
        document,
        page,
        fit,
    } = wanted;
    // A page prepared already is answered from memory; the document is read only when not.
    let found = match state.desk(|| app.path().app_data_dir().ok()).await {
        Ok(mut desk) => match desk.prepared_page(&document, page, fit) {
            Ok(Some(served)) => Ok(Found::Ready(served)),
            Ok(None) => match fit.map(|side| (side, desk.scan_page(&document, page))) {
                Some((side, Ok(Some((scan, viewer))))) => Ok(Found::Scan(scan, side, viewer)),
                Some((_, Err(e))) => Err(e),
                _ => desk
                    .document_read(&document)
                    .map(|(read, viewer)| Found::Read(read, viewer)),
            },
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    // Pages are read ahead whole and for the screen; thumbnails come as the strip asks.
    let ahead = fit != Some(THUMB_SIDE);
    let served = match found {
        Ok(Found::Ready(served)) => {
            if ahead {
                tauri::async_runtime::spawn(read_ahead(app.clone(), document, page + 1, fit));
            }
            Ok(served)
        }
        Ok(Found::Scan(scan, side, viewer)) => {
            let served =
                tauri::async_runtime::spawn_blocking(move || viewer.scaled_scan(&scan, side))
                    .await
                    .unwrap_or_else(|e| Err(DeskError::internal(e.to_string())));
            if ahead && served.is_ok() {
                tauri::async_runtime::spawn(read_ahead(app.clone(), document, page + 1, fit));
            }
            served
        }
        Ok(Found::Read(read, viewer)) => {
            let served = tauri::async_runtime::spawn_blocking(move || {
                let source = read.read()?;
                let served = match fit {
                    Some(side) => viewer.thumbnail(&source, page, side),
                    None => viewer.page(&source, page),
                };
                served.map(|served| (served, source, viewer))
            })
            .await
            .unwrap_or_else(|e| Err(DeskError::internal(e.to_string())));
            // The next page is prepared from the bytes in hand while this one is looked at.
            served.map(|(served, source, viewer)| {
                if ahead {
                    tauri::async_runtime::spawn_blocking(move || {
                        viewer.read_ahead(&source, page + 1, fit);
                    });
                }
                served
            })
        }
        Err(e) => return error(StatusCode::NOT_FOUND, &e),
    };
    match served {
        Ok(served) => Response::builder()
            .header(header::CONTENT_TYPE, served.mime)
            .header(header::CACHE_CONTROL, "no-store")
            .body(served.bytes.to_vec())
            .unwrap_or_default(),
        Err(e) => error(StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

/// Prepares page `page` of `document`, asked for as the page before it (`fit`), when it would
/// be converted (see `Desk::page_needs_conversion`): after a page was answered, the next one is
/// read ahead, a scan's from its JPEG alone.
async fn read_ahead<R: Runtime>(
    app: tauri::AppHandle<R>,
    document: String,
    page: usize,
    fit: Option<u32>,
) {
    let state = app.state::<DeskState>();
    let Ok(mut desk) = state.desk(|| app.path().app_data_dir().ok()).await else {
        return;
    };
    if !matches!(desk.page_needs_conversion(&document, page, fit), Ok(true)) {
        return;
    }
    if let Some(side) = fit
        && let Ok(Some((scan, viewer))) = desk.scan_page(&document, page)
    {
        drop(desk);
        let _ = tauri::async_runtime::spawn_blocking(move || {
            viewer.read_ahead_scan(&scan, side);
        })
        .await;
        return;
    }
    let Ok((read, viewer)) = desk.document_read(&document) else {
        return;
    };
    drop(desk);
    let _ = tauri::async_runtime::spawn_blocking(move || {
        if let Ok(source) = read.read() {
            viewer.read_ahead(&source, page, fit);
        }
    })
    .await;
}

/// Handles one request of the scheme.
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| APP_ORIGINS.contains(o))
        .map(str::to_owned);
    if ctx.webview_label() != "main" {
        responder.respond(error(
            StatusCode::FORBIDDEN,
            &DeskError::invalid("documents are shown in the main window only"),
        ));
        return;
    }
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let mut response = answer(app, path).await;
        if let Some(origin) = origin.and_then(|o| o.parse().ok()) {
            response
                .headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        responder.respond(response);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_document_and_a_page_maybe_scaled_or_bytes_of_it() {
        let w = |d: &str, page, fit| {
            Some(Asked::Page(Wanted {
                document: d.into(),
                page,
                fit,
            }))
        };
        assert_eq!(parse("/d1"), w("d1", 0, None));
        assert_eq!(parse("/d1/3"), w("d1", 3, None));
        assert_eq!(parse("/d1/3/thumb"), w("d1", 3, Some(THUMB_SIDE)));
        assert_eq!(parse("/d1/3/screen"), w("d1", 3, Some(SCREEN_SIDE)));
        assert_eq!(
            parse("/d1/bytes/65536-131072"),
            Some(Asked::Bytes("d1".into(), 65536..131072))
        );
        assert_eq!(parse("/"), None);
        assert_eq!(parse("/d1/x"), None);
        assert_eq!(parse("/d1/1/big"), None);
        assert_eq!(parse("/d1/1/thumb/more"), None);
        for bad in [
            "/d1/bytes",
            "/d1/bytes/5",
            "/d1/bytes/a-9",
            "/d1/bytes/-9",
            "/d1/bytes/0-9/x",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
