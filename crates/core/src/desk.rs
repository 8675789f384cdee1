//! The desk as the UI uses it: one facade over the cache, the keyring, the session, the idle
//! lock, the queue, sync and supervision. The desktop shell holds one [`Desk`] and maps each command to one
//! method; everything here works (and is tested) without Tauri.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use migdesk_domain::Catalogue;
use migdesk_domain::decision::{Decision, Email};

use crate::appeals::Appeals;
use crate::cache::{self, Meta, Store};
use crate::case::{self, CaseView};
use crate::conflicts::{self, ConflictView};
use crate::crosscheck::{self, DocumentText};
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::ipc::{QueuePage, SessionInfo, SignInRequest};
use crate::pool::PoolCalls;
use crate::queue::{self, QueueQuery};
use crate::recognition::{Recognition, RecognitionJob};
use crate::secrets::{self, SecretStore};
use crate::session::{self, IdleLock};
use crate::statistics;
use crate::supervision::Supervision;
use crate::sync::{Central, SyncReport};
use crate::viewer::{self, Viewer};
use migdesk_api::{ApplicationDetail, ConflictRecord};

mod documents;
mod sync_job;
pub use documents::{CasePrefetch, Prefetched, SourceRead};
pub use sync_job::{SyncJob, TextJob};

/// Downloads at a time during sync.
const CONCURRENCY: usize = 4;

/// Days a decided case stays on the desk after the centre acknowledged the decision, unless the
/// workstation says otherwise (`MIGDESK_PURGE_AFTER_DAYS`).
pub const DEFAULT_PURGE_AFTER_DAYS: u32 = 30;

/// How long a supervisor's call may wait for the centre before the desk says it is offline.
const SUPERVISION_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest one call to the centre may take (documents excepted: they take as long as bytes
/// keep coming).
const CENTRAL_TIMEOUT: Duration = Duration::from_secs(60);

/// The officer's desk: state that lives as long as the app.
pub struct Desk {
    data_dir: PathBuf,
    keyring: Box<dyn SecretStore>,
    store: Option<Store>,
    /// The opened cache's integrity check, running beside the first screens.
    integrity: Option<cache::IntegrityCheck>,
    lock: IdleLock,
    catalogue: Arc<Catalogue>,
    viewer: Viewer,
    /// Text recognition of scans (one at a time).
    recogniser: migdesk_docs::Documents,
    /// Reading the text layer of a case's documents as it opens, when the reading after the
    /// sync has not reached them (its clones share the count of running jobs, so hostile files
    /// stuck in it are bounded).
    texts: migdesk_docs::Documents,
    /// The central service this workstation is configured to use, offered on the sign-in
    /// screen before any other.
    configured_server: Option<String>,
    /// How long a decided case stays after the centre acknowledged its decision.
    purge_after: chrono::Duration,
    /// Counts sign-outs: a sync started before one stops at its next wait, so it never writes
    /// for a session that has ended.
    sign_outs: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("data_dir", &self.data_dir)
            .field("open", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk over `data_dir`; it starts locked (a cached session needs the password first).
    pub fn new(data_dir: &Path, keyring: Box<dyn SecretStore>, idle_lock: Duration) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            keyring,
            store: None,
            integrity: None,
            lock: IdleLock::new(idle_lock, true, Instant::now()),
            catalogue: Arc::new(Catalogue::builtin()),
            viewer: Viewer::new(migdesk_docs::Documents::default(), viewer::PREPARED_BUDGET),
            recogniser: crate::recognition::recogniser(),
            texts: migdesk_docs::Documents::default(),
            configured_server: None,
            purge_after: chrono::Duration::days(i64::from(DEFAULT_PURGE_AFTER_DAYS)),
            sign_outs: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Keeps decided cases this many days after the centre acknowledged the decision (then
    /// they leave the cache, at the end of a sync).
    #[must_use]
    pub fn purging_after(mut self, days: u32) -> Self {
        self.purge_after = chrono::Duration::days(i64::from(days));
        self
    }

    /// The central service to offer on the sign-in screen, as this workstation's
    /// configuration names it; it comes before the one last used here.
    pub fn offering_server(mut self, server: Option<String>) -> Self {
        self.configured_server = server
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        self
    }

    /// The cache, opened on first use when this workstation already has a key.
    fn store(&mut self, create: bool) -> DeskResult<Option<&mut Store>> {
        if self.store.is_none() {
            let has_key = self.keyring.get(secrets::CACHE_KEY)?.is_some();
            if !has_key && !create {
                return Ok(None);
            }
            crate::app_info::ensure_data_dir(&self.data_dir)?;
            let key = secrets::cache_key(self.keyring.as_ref(), create)?;
            let (store, check) = Store::open_checking_aside(&cache::file_in(&self.data_dir), &key)?;
            self.store = Some(store);
            self.integrity = Some(check);
        }
        // A damaged cache is refused from the moment its check says so.
        if let Some(Err(damaged)) = self.integrity.as_ref().and_then(|c| c.finished()) {
            return Err(damaged);
        }
        Ok(self.store.as_mut())
    }

    /// Waits for the opened cache's integrity check (tests).
    #[cfg(any(test, feature = "testing"))]
    pub fn cache_checked(&mut self) -> DeskResult<()> {
        self.integrity
            .as_mut()
            .map_or(Ok(()), cache::IntegrityCheck::wait)
    }

    pub(crate) fn open_store(&mut self) -> DeskResult<&mut Store> {
        self.store(false)?.ok_or_else(|| {
            DeskError::new(
                ErrorKind::NotSignedIn,
                "nobody has signed in on this desk yet",
            )
        })
    }

    /// Who is signed in, whether the desk is locked, and the server to offer on the sign-in
    /// screen.
    pub fn session(&mut self) -> DeskResult<SessionInfo> {
        // A configuration IT must correct stops the desk here, before anything else.
        let workstation = crate::workstation::Workstation::current()?;
        let token = self.keyring.get(secrets::SESSION_TOKEN)?.is_some();
        let locked = self.lock.is_locked(Instant::now());
        let configured = self.configured_server.clone();
        let (server_locked, default_language) = (
            workstation.server_locked,
            workstation.default_language.map(|l| l.code().to_owned()),
        );
        let Some(store) = self.store(false)? else {
            return Ok(SessionInfo {
                server: configured,
                server_locked,
                default_language,
                ..SessionInfo::default()
            });
        };
        let signed_in = token && store.meta(Meta::UnlockVerifier)?.is_some();
        Ok(SessionInfo {
            signed_in,
            locked: signed_in && locked,
            server: configured.or(store.meta(Meta::Server)?),
            user_name: store.meta(Meta::UserName)?.filter(|_| signed_in),
            role: session::profile(store)?
                .map(|u| u.role)
                .filter(|_| signed_in),
            clock_off_by_seconds: session::clock_off_by(store)?.filter(|_| signed_in),
            server_locked,
            default_language,
        })
    }

    pub async fn sign_in(&mut self, request: SignInRequest) -> DeskResult<SessionInfo> {
        let server =
            crate::workstation::Workstation::current()?.server_for(Some(&request.server))?;
        let central = self.central(&server, CENTRAL_TIMEOUT)?;
        let store = self
            .store
            .as_mut()
            .ok_or_else(|| DeskError::internal("the cache did not open"))?;
        session::sign_in(
            store,
            self.keyring.as_ref(),
            &central,
            &request.username,
            &request.password,
        )
        .await?;
        self.lock = IdleLock::new(self.lock.idle(), false, Instant::now());
        self.session()
    }

    pub fn unlock(&mut self, password: &str) -> DeskResult<SessionInfo> {
        self.open_store()?;
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| DeskError::internal("the cache did not open"))?;
        self.lock
            .unlock(store, password, Instant::now(), chrono::Utc::now())?;
        self.session()
    }

    pub fn lock(&mut self) -> DeskResult<SessionInfo> {
        self.lock.lock();
        self.session()
    }

    pub async fn sign_out(&mut self) -> DeskResult<SessionInfo> {
        // A running sync stops before it writes anything more.
        self.sign_outs.send_modify(|n| *n += 1);
        let server = self.open_store()?.meta(Meta::Server)?;
        let central = server.and_then(|s| self.central(&s, CENTRAL_TIMEOUT).ok());
        // `&mut`: the future holding it must be `Send`, and the cache is not `Sync`.
        let store = self
            .store
            .as_mut()
            .ok_or_else(|| DeskError::internal("the cache did not open"))?;
        let locked = self.lock.is_locked(Instant::now());
        session::sign_out(store, self.keyring.as_ref(), central.as_ref(), locked).await?;
        self.lock.lock();
        self.session()
    }

    /// Refuses work while locked; otherwise counts as the officer's activity.
    fn active(&mut self) -> DeskResult<&mut Store> {
        self.lock.touch(Instant::now())?;
        self.open_store()
    }

    /// One page of the queue.
    pub fn queue(&mut self, query: &QueueQuery) -> DeskResult<QueuePage> {
        let today = Self::today();
        let store = self.active()?;
        let (rows, total) = queue::list(store, query, &today)?;
        let due_soon = store.due_between(&today, &queue::next_working_day(&today))?;
        Ok(QueuePage {
            rows,
            total,
            due_soon,
            last_sync: store.meta(Meta::LastSync)?,
        })
    }

    fn today() -> String {
        chrono::Local::now().date_naive().to_string()
    }

    /// Opens a case: its view, and an entry in the audit trail (who viewed what, when).
    pub fn case(&mut self, id: &str) -> DeskResult<CaseView> {
        let today = Self::today();
        let catalogue = self.catalogue.clone();
        let reader = self.texts.clone();
        let store = self.active()?;
        // What the case screen says of its documents (one that cannot be opened, an identity
        // document's zone) comes from their text: read now what the reading after the sync has
        // not reached yet. A stored file that cannot be taken from the cache (damaged) is shown
        // as it is: the case says what is wrong with it.
        for sha in store.unread_files_of(id)? {
            let _ = crate::sync::read_one(store, &reader, &sha);
        }
        let view = case::view(store, &catalogue, id, &today)?;
        store.audit("opened", Some(id), &serde_json::json!({}))?;
        Ok(view)
    }

    /// The e-mail the applicant will receive if the officer confirms `decision`.
    pub fn preview_decision(&mut self, id: &str, decision: &Decision) -> DeskResult<Email> {
        let catalogue = self.catalogue.clone();
        let store = self.active()?;
        let officer = store.meta(Meta::UserName)?.unwrap_or_default();
        case::preview(store, &catalogue, id, decision, &officer)
    }

    /// Records the officer's decision; durable when this returns, sent at the next sync.
    pub fn decide(&mut self, id: &str, decision: &Decision) -> DeskResult<CaseView> {
        let today = Self::today();
        let catalogue = self.catalogue.clone();
        let store = self.active()?;
        case::decide(store, &catalogue, id, decision, &today)
    }

    /// Writes an internal note on a case, kept at once; the next sync delivers it.
    pub fn add_note(&mut self, id: &str, text: &str) -> DeskResult<CaseView> {
        let today = Self::today();
        let catalogue = self.catalogue.clone();
        let store = self.active()?;
        crate::casework::add_note(store, &catalogue, id, text, &today)
    }

    /// Adds a file brought to the counter to the officer's case: checked, durable at once, sent
    /// at the next sync.
    pub fn add_counter_document(
        &mut self,
        id: &str,
        document: &crate::casework::CounterDocument,
    ) -> DeskResult<CaseView> {
        let today = Self::today();
        let catalogue = self.catalogue.clone();
        let store = self.active()?;
        crate::casework::add_counter_document(store, &catalogue, id, document)?;
        case::view(store, &catalogue, id, &today)
    }

    /// The text of a document, checked against its applicant's key values.
    pub fn document_text(&mut self, document_id: &str) -> DeskResult<DocumentText> {
        let today = chrono::Local::now().date_naive();
        let reader = self.texts.clone();
        let store = self.active()?;
        let text = crosscheck::document_text(store, document_id, today)?;
        if text.state != crosscheck::TextState::NotRead {
            return Ok(text);
        }
        // Here, but the reading after the sync has not reached it yet: read it now. A file the
        // cache cannot give back (damaged) stays "not read"; the case says what is wrong.
        match store.document_hash(document_id)? {
            Some(sha) if crate::sync::read_one(store, &reader, &sha).is_ok() => {
                crosscheck::document_text(store, document_id, today)
            }
            _ => Ok(text),
        }
    }

    /// A scanned document's text to recognise (OCR); run it, then [`Desk::after_recognition`].
    pub fn recognition_job(&mut self, document_id: &str) -> DeskResult<RecognitionJob> {
        let recogniser = self.recogniser.clone();
        RecognitionJob::of(self.active()?, &recogniser, document_id)
    }

    /// The next scan to recognise in the background after a sync; `None` when every stored
    /// scan has been read (or tried), or this workstation has no recogniser.
    pub fn background_recognition_job(&mut self) -> DeskResult<Option<RecognitionJob>> {
        crate::recognition::next_in_background(self.active()?)
    }

    /// How many stored scans the background recognition has still to read.
    pub fn scans_to_recognise(&mut self) -> DeskResult<u64> {
        crate::recognition::left_in_background(self.active()?)
    }

    /// Keeps what background recognition read (or why it failed); whether text was kept.
    pub fn after_background_recognition(&mut self, recognition: Recognition) -> DeskResult<bool> {
        recognition.keep_in_background(self.active()?)
    }

    /// Keeps what recognition read and answers the document's text as the panel shows it.
    pub fn after_recognition(&mut self, recognition: Recognition) -> DeskResult<DocumentText> {
        let document_id = recognition.keep(self.active()?)?;
        self.document_text(&document_id)
    }

    /// The department's refusals waiting for a supervisor's approval, from the cache.
    pub fn approvals(&mut self) -> DeskResult<Vec<crate::approvals::ApprovalView>> {
        crate::approvals::list(self.active()?)
    }

    /// Keeps the supervisor's answer to a proposed refusal; the next sync delivers it.
    pub fn answer_proposal(
        &mut self,
        case_id: &str,
        answer: &crate::approvals::ProposalAnswer,
    ) -> DeskResult<Vec<crate::approvals::ApprovalView>> {
        let store = self.active()?;
        crate::approvals::answer(store, case_id, answer)?;
        crate::approvals::list(store)
    }

    /// The conflicts inbox: decisions the centre kept but could not apply.
    pub fn conflicts(&mut self) -> DeskResult<Vec<ConflictView>> {
        let store = self.active()?;
        conflicts::list(store)
    }

    /// Marks a conflict as seen; it stays in the inbox and at the centre.
    pub fn conflict_seen(&mut self, decision_id: &str) -> DeskResult<Vec<ConflictView>> {
        let store = self.active()?;
        conflicts::mark_seen(store, decision_id)?;
        conflicts::list(store)
    }

    /// The session's token and the centre's address, for a call that counts as activity.
    pub(crate) fn central_session(&mut self) -> DeskResult<(String, String)> {
        self.active()?;
        let token = self
            .keyring
            .get(secrets::SESSION_TOKEN)?
            .ok_or_else(|| DeskError::new(ErrorKind::NotSignedIn, "sign in to reach the centre"))?;
        let server = self
            .open_store()?
            .meta(Meta::Server)?
            .ok_or_else(|| DeskError::new(ErrorKind::NotSignedIn, "no server: sign in first"))?;
        Ok((token, server))
    }

    /// The supervisor's calls (department, moving cases, conflicts, history), run without
    /// holding the desk; `invalid` for an officer.
    pub fn supervision(&mut self) -> DeskResult<Supervision> {
        let (token, server) = self.central_session()?;
        let user = session::profile(self.open_store()?)?
            .ok_or_else(|| DeskError::new(ErrorKind::NotSignedIn, "sign in first"))?;
        Supervision::for_session(self.central(&server, SUPERVISION_TIMEOUT)?, token, &user)
    }

    /// The department's pool (listing, claiming), run without holding the desk.
    pub fn pool(&mut self) -> DeskResult<PoolCalls> {
        let (token, server) = self.central_session()?;
        let user = session::profile(self.open_store()?)?
            .ok_or_else(|| DeskError::new(ErrorKind::NotSignedIn, "sign in first"))?;
        Ok(PoolCalls {
            central: self.central(&server, SUPERVISION_TIMEOUT)?,
            token,
            department: user.department.id,
        })
    }

    /// The calls after a decision (reopening, execution), run without holding the desk.
    pub fn appeals(&mut self) -> DeskResult<Appeals> {
        let (token, server) = self.central_session()?;
        Ok(Appeals {
            central: self.central(&server, SUPERVISION_TIMEOUT)?,
            token,
        })
    }

    /// Keeps a case as the centre answered a call about it, and shows it.
    pub fn receive_case(&mut self, app: &ApplicationDetail) -> DeskResult<CaseView> {
        let today = Self::today();
        let catalogue = self.catalogue.clone();
        let store = self.active()?;
        let me = store.meta(Meta::UserId)?.unwrap_or_default();
        store.keep_case(app, &me)?;
        case::view(store, &catalogue, &app.id, &today)
    }

    /// Keeps the centre's list of conflicts (after a supervisor answered one) and returns the
    /// inbox.
    pub fn receive_conflicts(
        &mut self,
        list: Vec<ConflictRecord>,
    ) -> DeskResult<Vec<ConflictView>> {
        let store = self.active()?;
        store.keep_central_conflicts(&list)?;
        conflicts::list(store)
    }

    /// What the department screen shows after asking the centre for its statistics: the
    /// answer, kept for reading offline; or the figures kept last when the centre is out of
    /// reach.
    pub fn received_statistics(
        &mut self,
        query: &statistics::StatisticsQuery,
        answer: DeskResult<statistics::Statistics>,
    ) -> DeskResult<statistics::StatisticsView> {
        statistics::received(self.active()?, query, answer)
    }

    /// Writes one of the statistics' tables as CSV into `folder`; returns the file.
    pub fn export_statistics(
        &mut self,
        export: &statistics::StatisticsExport,
        folder: &Path,
    ) -> DeskResult<PathBuf> {
        statistics::export(self.active()?, export, folder)
    }

    /// Remembers a file exported from this profile (a case's history), so that wiping the
    /// workstation removes it too.
    pub fn record_export(&mut self, case_id: &str, path: &Path) -> DeskResult<()> {
        self.open_store()?.record_export(Some(case_id), path)
    }

    /// How this workstation names itself to the centre: the computer's name and the cache's
    /// own id (made with the cache), e.g. `baku-ws-17/3f9a0c1e`.
    fn desk_name(store: &Store) -> DeskResult<String> {
        let id = match store.meta(Meta::DeskId)? {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
                store.set_meta(Meta::DeskId, &id)?;
                id
            }
        };
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty() && h.is_ascii())
            .unwrap_or_else(|| "desk".to_owned());
        Ok(format!("{host}/{id}"))
    }

    /// The centre at `server`, with this workstation's name on every call.
    /// The address is checked before anything is made on this workstation.
    pub(crate) fn central(&mut self, server: &str, timeout: Duration) -> DeskResult<Central> {
        let central = Central::with_timeout(server, timeout)?;
        let name = Self::desk_name(
            self.store(true)?
                .ok_or_else(|| DeskError::internal("the cache did not open"))?,
        )?;
        Ok(central.naming(&name))
    }

    /// What a sync's end means for the session: a 401 from the centre (the session ended there:
    /// expired, revoked, the password changed) signs this desk out of the centre — the token
    /// leaves the keyring, so the officer is asked for the password again — while the cached
    /// cases and every recorded decision stay.
    pub fn after_sync(&mut self, outcome: DeskResult<SyncReport>) -> DeskResult<SyncReport> {
        match outcome {
            Err(e) if e.kind == ErrorKind::Unauthorized => {
                self.keyring.delete(secrets::SESSION_TOKEN)?;
                Err(DeskError::new(
                    ErrorKind::Unauthorized,
                    format!(
                        "the centre ended this session ({}): sign in again; the cases and decisions on this desk are kept",
                        e.message
                    ),
                ))
            }
            other => other,
        }
    }
}
