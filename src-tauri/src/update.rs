//! The desk's own updates. `migdesk-core` asks the centre for a newer desk and downloads its
//! package (only when nothing waits to be sent); here Tauri's updater checks the package's
//! minisign signature against the public key built into this program
//! (`MIGDESK_UPDATE_PUBKEY` when it was compiled, as `scripts/package.sh` does), that it was
//! signed for the version announced and that the version is newer, installs it and restarts the
//! desk as the new version. A build without the key (development) offers no updates.

use migdesk_core::update::UpdateOffer;
use migdesk_core::{DeskError, ErrorKind};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::UpdaterExt;

use crate::DeskState;

/// The updates' public key (the contents of `tauri signer generate`'s `.pub` file), built in.
pub const UPDATE_PUBKEY: Option<&str> = option_env!("MIGDESK_UPDATE_PUBKEY");

/// The updater, registered only in a build that has the key.
pub fn plugin<R: Runtime>() -> Option<tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config>> {
    UPDATE_PUBKEY.map(|key| tauri_plugin_updater::Builder::new().pubkey(key).build())
}

fn this_version<R: Runtime>(app: &AppHandle<R>) -> String {
    app.package_info().version.to_string()
}

/// A newer desk the centre offers, with what is new and how many decisions and notes must be
/// sent before it can be installed; null when there is none (or this build takes no updates).
#[tauri::command]
pub async fn update_offer<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Option<UpdateOffer>, DeskError> {
    if UPDATE_PUBKEY.is_none() {
        return Ok(None);
    }
    let updates = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .updates()?;
    let offer = updates.offer(&this_version(&app)).await?;
    Ok(offer.map(|u| updates.offered(u)))
}

/// Installs desk `version` and restarts as it; refused (kind `update`) while decisions or notes
/// wait to be sent, or when the package is damaged, not signed with the key built into this
/// desk, or not newer.
#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    version: String,
) -> Result<(), DeskError> {
    let Some(pubkey) = UPDATE_PUBKEY else {
        return Err(DeskError::new(
            ErrorKind::Update,
            "this desk was built without an update key: IT updates it with its packages",
        ));
    };
    let updates = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .updates()?;
    let current = this_version(&app);
    let update = updates
        .offer(&current)
        .await?
        .filter(|u| u.version == version)
        .ok_or_else(|| {
            DeskError::new(
                ErrorKind::Invalid,
                format!("the centre no longer offers desk {version}"),
            )
        })?;
    let package = updates.download(update).await?;
    let started = |e: tauri_plugin_updater::Error| {
        DeskError::internal(format!("the updater did not start: {e}"))
    };
    // The updater insists on an address to ask, though it never asks one here: the offer came
    // through the desk's own client (the workstation's CAs, the session) and is handed over
    // below. A reserved name that resolves nowhere says so.
    let never_asked = tauri::Url::parse("https://updates.invalid/")
        .map_err(|e| DeskError::internal(e.to_string()))?;
    let updater = app
        .updater_builder()
        .pubkey(pubkey)
        .endpoints(vec![never_asked])
        .map_err(started)?
        .build()
        .map_err(started)?;
    // What Tauri's updater reads, from the centre's typed offer.
    let release = serde_json::json!({
        "version": package.update.version,
        "notes": package.update.notes.en,
        "pub_date": package.update.pub_date,
        "url": package.url,
        "signature": package.update.signature,
    });
    let refused = |e: tauri_plugin_updater::Error| {
        use tauri_plugin_updater::Error as E;
        let why = match e {
            E::Minisign(_)
            | E::Base64(_)
            | E::SignatureUtf8(_)
            | E::SignedVersionMismatch { .. }
            | E::MissingSignedVersion => format!(
                "the package of desk {version} is not signed with the key built into this desk ({e}): not installed; tell IT"
            ),
            other => format!("desk {version} could not be installed: {other}"),
        };
        DeskError::new(ErrorKind::Update, why)
    };
    let update = updater
        .restore_update(release)
        .map_err(refused)?
        .ok_or_else(|| {
            DeskError::new(
                ErrorKind::Update,
                format!("desk {version} is not newer than this desk {current}: not installed"),
            )
        })?;
    update.install(&package.bytes).map_err(refused)?;
    app.restart()
}
