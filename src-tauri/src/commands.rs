//! The commands the UI may call. Each one is declared once, in `crates/core/src/commands.list`,
//! from which the invoke handler, the permission manifest and the UI's typed command map are
//! derived.

use migdesk_core::appeals::{Issued, Letter, Reopening};
use migdesk_core::approvals::{ApprovalView, ProposalAnswer};
use migdesk_core::case::CaseView;
use migdesk_core::casework::CounterDocument;
use migdesk_core::conflicts::ConflictView;
use migdesk_core::crosscheck::DocumentText;
use migdesk_core::department::{AlertsView, DepartmentSettingsView};
use migdesk_core::desk::Prefetched;
use migdesk_core::distribution::{DistributionChange, DistributionView};
use migdesk_core::ipc::{AppInfo, BuildInfo, CatalogueInfo, QueuePage, SessionInfo, SignInRequest};
use migdesk_core::pool::PoolCaseView;
use migdesk_core::queue::QueueQuery;
use migdesk_core::statistics::{StatisticsExport, StatisticsQuery, StatisticsView};
use migdesk_core::supervision::{
    EmailId, OfficerCases, ReassignOutcome, Reassignment, Resolution, UndeliveredView, Workload,
};
use migdesk_core::sync::{Progress, SyncReport};
use migdesk_core::viewer::DocumentLayout;
use migdesk_core::{DeskError, app_info as core_app_info};
use migdesk_domain::decision::{Decision, Email};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::DeskState;
// The desk's own updates live in their own module; their commands are registered from here.
pub(crate) use crate::update::*;

fn build_info() -> BuildInfo {
    BuildInfo {
        commit: env!("MIGDESK_COMMIT").to_owned(),
        profile: env!("MIGDESK_PROFILE").to_owned(),
        target: env!("MIGDESK_TARGET").to_owned(),
    }
}

/// What the desk is and where it keeps its data.
#[tauri::command]
pub fn app_info<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<AppInfo, DeskError> {
    let dir = state.data_dir(|| app.path().app_data_dir().ok())?;
    Ok(core_app_info::app_info(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        build_info(),
        &dir,
    ))
}

/// Who is signed in, whether the desk is locked, the server to offer.
#[tauri::command]
pub async fn session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.session()
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    request: SignInRequest,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.sign_in(request).await
}

#[tauri::command]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    password: String,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    let session = desk.unlock(&password)?;
    drop(desk);
    // The work after a sync that the lock stopped goes on.
    crate::background::resume(&app);
    Ok(session)
}

#[tauri::command]
pub async fn lock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.lock()
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.sign_out().await
}

#[tauri::command]
pub async fn queue_page<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    query: QueueQuery,
) -> Result<QueuePage, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.queue(&query)
}

/// Syncs now, streaming progress to the UI. The desk is held only to prepare the job, so the
/// queue answers meanwhile. Afterwards the documents' text is read, and the scans not read yet
/// are recognised, in the background.
#[tauri::command]
pub async fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    on_progress: Channel<Progress>,
) -> Result<SyncReport, DeskError> {
    let job = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .sync_job()?;
    let outcome = job
        .run(|p| {
            // A window that went away stops listening; the sync goes on.
            let _ = on_progress.send(p);
        })
        .await;
    let report = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .after_sync(outcome)?;
    crate::background::after_sync(&app, on_progress);
    Ok(report)
}

/// Opens a case (recorded in the audit trail).
#[tauri::command]
pub async fn case_view<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<CaseView, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.case(&id)
}

/// The applicant's e-mail for a decision not yet confirmed.
#[tauri::command]
pub async fn decision_preview<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    decision: Decision,
) -> Result<Email, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.preview_decision(&id, &decision)
}

/// Records a confirmed decision.
#[tauri::command]
pub async fn decide<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    decision: Decision,
) -> Result<CaseView, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.decide(&id, &decision)
}

/// Writes an internal note on a case.
#[tauri::command]
pub async fn add_note<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    text: String,
) -> Result<CaseView, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.add_note(&id, &text)
}

/// Adds a file brought to the counter to the officer's case (kept at once, sent at the next
/// sync).
#[tauri::command]
pub async fn add_counter_document<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    document: CounterDocument,
) -> Result<CaseView, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.add_counter_document(&id, &document)
}

/// Opens a decided case again (a supervisor; a complaint upheld or a court order); answers the
/// case as the centre now has it.
#[tauri::command]
pub async fn reopen_case<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    reopening: Reopening,
) -> Result<CaseView, DeskError> {
    let data_dir = || app.path().app_data_dir().ok();
    let appeals = state.desk(data_dir).await?.appeals()?;
    let case = appeals.reopen(&id, &reopening).await?;
    state.desk(data_dir).await?.receive_case(&case)
}

/// Records the permit or document issued on an accepted case; answers the case as the centre
/// now has it.
#[tauri::command]
pub async fn record_execution<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    issued: Issued,
) -> Result<CaseView, DeskError> {
    let data_dir = || app.path().app_data_dir().ok();
    let appeals = state.desk(data_dir).await?.appeals()?;
    let case = appeals.execute(&id, &issued).await?;
    state.desk(data_dir).await?.receive_case(&case)
}

/// A decision's letter to the applicant, from the centre, to preview and print.
#[tauri::command]
pub async fn decision_letter<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    decision_id: String,
) -> Result<Letter, DeskError> {
    let appeals = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .appeals()?;
    appeals.letter(&id, &decision_id).await
}

/// A document's format and pages, or why it cannot be shown.
#[tauri::command]
pub async fn document_layout<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<DocumentLayout, DeskError> {
    let (read, viewer) = {
        let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
        if let Some(layout) = desk.prepared_layout(&id)? {
            return Ok(layout);
        }
        desk.document_read(&id)?
    };
    tauri::async_runtime::spawn_blocking(move || viewer.layout(&read.read()?))
        .await
        .map_err(|e| DeskError::internal(e.to_string()))?
}

/// Prepares the first documents of case `id` (layout and first page) before the officer opens
/// it; answers how many were prepared and whether pdf.js will draw one. The UI asks for the
/// selected and the next case.
#[tauri::command]
pub async fn prefetch_case<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<Prefetched, DeskError> {
    let prefetch = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .prefetch_case(&id)?;
    tauri::async_runtime::spawn_blocking(move || prefetch.run())
        .await
        .map_err(|e| DeskError::internal(e.to_string()))
}

/// A document's extracted text, checked against the applicant's key values.
#[tauri::command]
pub async fn document_text<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<DocumentText, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.document_text(&id)
}

/// Recognises the text of a scanned document (OCR) without holding the desk meanwhile, keeps
/// it, and answers the document's text as the panel shows it.
#[tauri::command]
pub async fn recognise_document<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<DocumentText, DeskError> {
    let job = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .recognition_job(&id)?;
    let recognition = job.run().await?;
    state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .after_recognition(recognition)
}

/// The department's refusals waiting for a supervisor's approval (from the cache: offline too).
#[tauri::command]
pub async fn approvals<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Vec<ApprovalView>, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.approvals()
}

/// Keeps a supervisor's answer to the refusal proposed on case `id` (sent at the next sync);
/// answers the approvals list as it is now.
#[tauri::command]
pub async fn answer_proposal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    answer: ProposalAnswer,
) -> Result<Vec<ApprovalView>, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.answer_proposal(&id, &answer)
}

/// The department's settings, from the centre (supervisors).
#[tauri::command]
pub async fn department_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<DepartmentSettingsView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.settings().await
}

/// Sets the department's settings at the centre (supervisors).
#[tauri::command]
pub async fn set_department_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    settings: DepartmentSettingsView,
) -> Result<DepartmentSettingsView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.set_settings(settings).await
}

/// The department's deadline alerts, from the centre (supervisors).
#[tauri::command]
pub async fn department_alerts<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<AlertsView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.alerts().await
}

/// How the department's new applications reach its officers, from the centre (supervisors).
#[tauri::command]
pub async fn department_distribution<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<DistributionView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.distribution().await
}

/// Sets the department's distribution at the centre (supervisors).
#[tauri::command]
pub async fn set_department_distribution<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    change: DistributionChange,
) -> Result<DistributionView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.set_distribution(change).await
}

/// The department's statistics from the centre, kept for reading offline; the figures kept
/// last when the centre cannot be reached (supervisors).
#[tauri::command]
pub async fn department_statistics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    query: StatisticsQuery,
) -> Result<StatisticsView, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    let answer = supervision.statistics(&query).await;
    state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .received_statistics(&query, answer)
}

/// Writes one of the statistics' tables as CSV into the documents folder; answers the file.
#[tauri::command]
pub async fn export_statistics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    export: StatisticsExport,
) -> Result<String, DeskError> {
    let folder = state.exports_folder(&app)?;
    let path = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .export_statistics(&export, &folder)?;
    Ok(path.display().to_string())
}

/// The department's pool: the cases no officer has (needs the centre).
#[tauri::command]
pub async fn pool_cases<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Vec<PoolCaseView>, DeskError> {
    let pool = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .pool()?;
    pool.list().await
}

/// Claims case `id` from the pool; the case, kept on this desk and now the officer's.
#[tauri::command]
pub async fn claim_case<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<CaseView, DeskError> {
    let pool = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .pool()?;
    let detail = pool.claim(&id).await?;
    state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .receive_case(&detail)
}

/// The conflicts inbox.
#[tauri::command]
pub async fn conflicts<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Vec<ConflictView>, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.conflicts()
}

/// Marks a conflict as seen (it is kept); answers the inbox as it is now.
#[tauri::command]
pub async fn conflict_seen<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<Vec<ConflictView>, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.conflict_seen(&id)
}

/// The department's load per officer (supervisors).
#[tauri::command]
pub async fn workload<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Workload, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.workload().await
}

/// One officer's open cases, each with whether their desk may hold unsent work on it.
#[tauri::command]
pub async fn officer_cases<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<OfficerCases, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.officer_cases(&id).await
}

/// Moves cases to another officer, with a reason (all or none).
#[tauri::command]
pub async fn reassign<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    request: Reassignment,
) -> Result<ReassignOutcome, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.reassign(&request).await
}

/// The department's e-mails to applicants that failed or whose sending was cut off.
#[tauri::command]
pub async fn undelivered_emails<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<Vec<UndeliveredView>, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.undelivered().await
}

/// Queues an applicant's e-mail again; answers the undelivered list as it is now.
#[tauri::command]
pub async fn requeue_email<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: EmailId,
) -> Result<Vec<UndeliveredView>, DeskError> {
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    supervision.requeue(id).await
}

/// A supervisor's answer to a conflict; answers the conflicts list as it is now.
#[tauri::command]
pub async fn resolve_conflict<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
    resolution: Resolution,
) -> Result<Vec<ConflictView>, DeskError> {
    let data_dir = || app.path().app_data_dir().ok();
    let supervision = state.desk(data_dir).await?.supervision()?;
    let list = supervision.resolve(&id, &resolution).await?;
    state.desk(data_dir).await?.receive_conflicts(list)
}

/// Writes a case's history as CSV into the user's documents folder (`migdesk`), or the data
/// folder's `exports` when there is none; answers the file's path.
#[tauri::command]
pub async fn export_history<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    id: String,
) -> Result<String, DeskError> {
    let folder = state.exports_folder(&app)?;
    let supervision = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .supervision()?;
    let path = supervision.export_history(&id, &folder).await?;
    state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .record_export(&id, &path)?;
    Ok(path.display().to_string())
}

/// The service catalogue the desk was built with (names, required documents).
#[tauri::command]
pub fn catalogue() -> CatalogueInfo {
    (&migdesk_domain::Catalogue::builtin()).into()
}
