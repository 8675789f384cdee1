//! The supervisor's work: the department's load, an officer's cases, moving cases with a
//! reason, answering conflicts, and a case's history as CSV. All of it is the centre's to
//! decide, so it needs the network (an `offline` error otherwise) and the centre checks the
//! role on every call; the desk offers it only to a supervisor ([`Supervision::for_session`]).

use std::path::{Path, PathBuf};

pub use migdesk_api::UndeliveredState;
use migdesk_api::{
    AssignmentItem, AssignmentRequest, AssignmentResponse, ConflictRecord, Notification,
    ResolutionAction, ResolutionRequest, Role, Status, UndeliveredEmail, UserProfile,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::sync::Central;
use crate::sync::central::path_id;

/// One officer's load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerLoad {
    pub officer_id: String,
    pub full_name: String,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub overdue: i64,
    #[ts(type = "number")]
    pub due_this_week: i64,
    /// When this officer's desk last synced with the centre (RFC 3339), or null if never.
    pub last_sync_at: Option<String>,
}

/// The department's load, per officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Workload {
    pub department_id: String,
    pub today: String,
    pub officers: Vec<OfficerLoad>,
}

/// One of an officer's open cases, as the supervisor weighs moving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SupervisedCase {
    pub id: String,
    pub number: String,
    pub service: String,
    pub applicant: String,
    pub status: Status,
    pub due_date: String,
    #[ts(type = "number")]
    pub version: i64,
    /// When the case last changed at the centre (RFC 3339).
    pub changed_at: String,
    /// The officer's desk has not synced since the case changed (or never did): it may hold a
    /// decision not yet sent.
    pub may_hold_unsent_work: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerCases {
    pub officer_id: String,
    pub full_name: String,
    pub last_sync_at: Option<String>,
    pub cases: Vec<SupervisedCase>,
}

/// A case to move, at the version the supervisor saw (if it changed since, nothing moves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseRef {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
}

/// Move these cases to that officer, for this reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reassignment {
    pub cases: Vec<CaseRef>,
    pub officer_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReassignOutcome {
    #[ts(type = "number")]
    pub moved: i64,
}

/// An applicant's e-mail as the centre numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(type = "number")]
pub struct EmailId(pub i64);

/// An applicant's e-mail of the department that did not reach them, or may not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UndeliveredView {
    #[ts(type = "number")]
    pub id: i64,
    pub application_id: String,
    pub number: String,
    pub to: String,
    pub subject: String,
    /// `failed`: every attempt was refused; `sending`: cut off midway, the applicant may have
    /// it (look for `message_id` in the relay's log before queueing it again).
    pub state: UndeliveredState,
    #[ts(type = "number")]
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub message_id: Option<String>,
}

impl From<UndeliveredEmail> for UndeliveredView {
    fn from(e: UndeliveredEmail) -> Self {
        Self {
            id: e.id,
            application_id: e.application_id,
            number: e.application_number,
            to: e.to,
            subject: e.subject,
            state: e.state,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at,
            message_id: e.message_id,
        }
    }
}

/// The supervisor's answer to a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Resolution {
    pub action: ResolutionAction,
    pub reason: String,
}

/// What a supervisor's calls need, taken from the desk so the network waits do not hold it.
#[derive(Debug, Clone)]
pub struct Supervision {
    pub(crate) central: Central,
    pub(crate) token: String,
    pub(crate) department: String,
}

impl Supervision {
    /// The signed-in user's supervision, or `invalid` for an officer (the desk does not offer
    /// it; the centre would refuse it with 403 anyway).
    pub fn for_session(central: Central, token: String, user: &UserProfile) -> DeskResult<Self> {
        if user.role != Role::Supervisor {
            return Err(DeskError::new(
                ErrorKind::Invalid,
                "only a supervisor may see the department and move cases",
            ));
        }
        let department = user.department.id.clone();
        Ok(Self {
            central,
            token,
            department,
        })
    }

    pub async fn workload(&self) -> DeskResult<Workload> {
        let w: migdesk_api::Workload = self
            .central
            .get(
                &self.token,
                &format!("/departments/{}/workload", path_id(&self.department)?),
            )
            .await?;
        Ok(Workload {
            department_id: w.department_id,
            today: w.today,
            officers: w
                .officers
                .into_iter()
                .map(|o| OfficerLoad {
                    officer_id: o.officer.id,
                    full_name: o.officer.full_name,
                    open: o.open,
                    overdue: o.overdue,
                    due_this_week: o.due_this_week,
                    last_sync_at: o.last_sync_at,
                })
                .collect(),
        })
    }

    pub async fn officer_cases(&self, officer_id: &str) -> DeskResult<OfficerCases> {
        let c: migdesk_api::OfficerCases = self
            .central
            .get(
                &self.token,
                &format!(
                    "/departments/{}/officers/{}/cases",
                    path_id(&self.department)?,
                    path_id(officer_id)?
                ),
            )
            .await?;
        Ok(OfficerCases {
            officer_id: c.officer.id,
            full_name: c.officer.full_name,
            last_sync_at: c.last_sync_at,
            cases: c
                .cases
                .into_iter()
                .map(|c| SupervisedCase {
                    id: c.application_id,
                    number: c.number,
                    service: c.service,
                    applicant: c.applicant_name,
                    status: c.status,
                    due_date: c.due_date,
                    version: c.version,
                    changed_at: c.changed_at,
                    may_hold_unsent_work: c.may_hold_unsent_work,
                })
                .collect(),
        })
    }

    /// Moves the cases, all or none. The reason is required (the centre checks it too).
    pub async fn reassign(&self, request: &Reassignment) -> DeskResult<ReassignOutcome> {
        if request.reason.trim().is_empty() {
            return Err(DeskError::new(
                ErrorKind::Invalid,
                "a reassignment needs a reason",
            ));
        }
        if request.cases.is_empty() {
            return Err(DeskError::new(ErrorKind::Invalid, "choose cases to move"));
        }
        let body = AssignmentRequest {
            applications: request
                .cases
                .iter()
                .map(|c| AssignmentItem {
                    application_id: c.id.clone(),
                    based_on_version: c.version,
                })
                .collect(),
            officer_id: request.officer_id.clone(),
            reason: request.reason.trim().to_owned(),
        };
        let moved: AssignmentResponse = self
            .central
            .post(
                &self.token,
                &format!("/departments/{}/assignments", path_id(&self.department)?),
                &body,
            )
            .await?;
        Ok(ReassignOutcome {
            moved: i64::try_from(moved.moved.len()).unwrap_or(i64::MAX),
        })
    }

    /// Answers a conflict; returns the centre's list of conflicts afterwards.
    pub async fn resolve(
        &self,
        decision_id: &str,
        resolution: &Resolution,
    ) -> DeskResult<Vec<ConflictRecord>> {
        if resolution.action == ResolutionAction::Discard && resolution.reason.trim().is_empty() {
            return Err(DeskError::new(
                ErrorKind::Invalid,
                "discarding a decision needs a reason",
            ));
        }
        let _: ConflictRecord = self
            .central
            .post(
                &self.token,
                &format!("/conflicts/{}/resolution", path_id(decision_id)?),
                &ResolutionRequest {
                    action: resolution.action,
                    reason: resolution.reason.trim().to_owned(),
                },
            )
            .await?;
        self.central.conflicts(&self.token).await
    }

    /// The department's e-mails to applicants that failed, or whose sending was cut off.
    pub async fn undelivered(&self) -> DeskResult<Vec<UndeliveredView>> {
        let list: Vec<UndeliveredEmail> = self
            .central
            .get(
                &self.token,
                &format!("/departments/{}/notifications", path_id(&self.department)?),
            )
            .await?;
        Ok(list.into_iter().map(UndeliveredView::from).collect())
    }

    /// Queues an undelivered e-mail again (recorded in the case's history); returns the list
    /// as it is afterwards.
    pub async fn requeue(&self, email: EmailId) -> DeskResult<Vec<UndeliveredView>> {
        let _: Notification = self
            .central
            .post(
                &self.token,
                &format!("/notifications/{}/requeue", email.0),
                &serde_json::json!({}),
            )
            .await?;
        self.undelivered().await
    }

    /// Writes the case's history (the centre's CSV, as it is) into `folder`; returns the file.
    pub async fn export_history(&self, case_id: &str, folder: &Path) -> DeskResult<PathBuf> {
        let (bytes, suggested) = self
            .central
            .get_bytes(
                &self.token,
                &format!("/applications/{}/history.csv", path_id(case_id)?),
            )
            .await?;
        // The centre suggests `<number>-history.csv`; only its safe characters are used.
        let stem = suggested
            .as_deref()
            .and_then(|n| n.strip_suffix(".csv"))
            .map(|n| {
                n.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{case_id}-history"));
        write_export(folder, &stem, &bytes)
    }
}

/// Writes an exported file `<stem>-<local time>.csv` into `folder` (made if missing): written
/// beside and renamed, so a reader never sees half a file. Returns the file.
pub(crate) fn write_export(folder: &Path, stem: &str, bytes: &[u8]) -> DeskResult<PathBuf> {
    std::fs::create_dir_all(folder).map_err(|e| {
        DeskError::new(
            ErrorKind::Storage,
            format!("cannot create {}: {e}", folder.display()),
        )
    })?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let path = folder.join(format!("{stem}-{stamp}.csv"));
    let partial = path.with_extension("csv.part");
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| {
            DeskError::new(
                ErrorKind::Storage,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_change_the_path_are_refused() {
        assert!(path_id("3f2a-b_9").is_ok());
        for bad in ["", "../x", "a/b", "a?b", "a b", "ə"] {
            assert_eq!(path_id(bad).unwrap_err().kind, ErrorKind::Invalid, "{bad}");
        }
    }

    #[test]
    fn an_officer_is_not_offered_supervision() {
        let central = Central::new("http://127.0.0.1:9").unwrap();
        let user = |role: &str| -> UserProfile {
            serde_json::from_value(serde_json::json!({
                "id": "u1", "username": "u", "full_name": "U", "role": role,
                "department": { "id": "baku", "name": { "az": "Bakı", "en": "Baku", "ru": "Баку" } }
            }))
            .unwrap()
        };
        let officer = user("officer");
        let err = Supervision::for_session(central.clone(), "t".into(), &officer).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid);
        let sup = user("supervisor");
        assert_eq!(
            Supervision::for_session(central, "t".into(), &sup)
                .unwrap()
                .department,
            "baku"
        );
    }
}
