//! After the decision, from the desk: a supervisor reopens a decided case (a complaint upheld,
//! a court order, with its reference) and it returns to its officer; the case's officer, or a
//! supervisor, records that an accepted case's permit or document was issued; and the
//! decision's letter to the applicant, as the centre renders it, is fetched to preview and
//! print. All of it is the centre's, so it needs the network (an `offline` error otherwise,
//! nothing kept half-done); the centre's answer to a reopening or an execution — the case as
//! it is now — is kept in the cache at once ([`crate::Desk::receive_case`]) and the next sync
//! brings the same change. A letter is never written to disk: it holds personal data.

use migdesk_api::{
    ApplicationDetail, ExecutionRequest, MAX_REASON, MAX_REFERENCE, ReopenGround, ReopenRequest,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{DeskError, DeskResult};
use crate::sync::Central;
use crate::sync::central::path_id;

/// A supervisor's reopening, as the case screen asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reopening {
    pub ground: ReopenGround,
    /// The complaint's or the court order's number.
    pub reference: String,
    pub reason: String,
    /// The case's version the supervisor saw.
    #[ts(type = "number")]
    pub version: i64,
}

/// The permit or document issued on an accepted case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Issued {
    pub document_number: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
}

/// A decision's letter to the applicant, as the centre rendered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Letter {
    pub decision_id: String,
    pub file_name: String,
    /// The PDF, in base64.
    pub pdf_base64: String,
}

/// What the calls after a decision need, taken from the desk so the network waits do not hold
/// it.
#[derive(Debug, Clone)]
pub struct Appeals {
    pub(crate) central: Central,
    pub(crate) token: String,
}

impl Appeals {
    /// Opens a decided case again; the centre refuses anyone but a supervisor of its department.
    pub async fn reopen(&self, id: &str, reopening: &Reopening) -> DeskResult<ApplicationDetail> {
        let reference =
            migdesk_api::bounded_text("the reference", &reopening.reference, MAX_REFERENCE)
                .map_err(DeskError::invalid)?;
        let reason = migdesk_api::bounded_text("the reason", &reopening.reason, MAX_REASON)
            .map_err(DeskError::invalid)?;
        self.central
            .post(
                &self.token,
                &format!("/applications/{}/reopen", path_id(id)?),
                &ReopenRequest {
                    ground: reopening.ground,
                    reference,
                    reason,
                    based_on_version: reopening.version,
                },
            )
            .await
    }

    /// The letter of decision `decision_id` on case `id`.
    pub async fn letter(&self, id: &str, decision_id: &str) -> DeskResult<Letter> {
        use base64::Engine;
        let (bytes, name) = self
            .central
            .get_bytes(
                &self.token,
                &format!(
                    "/applications/{}/decisions/{}/letter.pdf",
                    path_id(id)?,
                    path_id(decision_id)?
                ),
            )
            .await?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(DeskError::new(
                crate::error::ErrorKind::Central,
                "the centre's letter is not a PDF",
            ));
        }
        Ok(Letter {
            decision_id: decision_id.to_owned(),
            file_name: name.unwrap_or_else(|| "letter.pdf".to_owned()),
            pdf_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }

    /// Records the permit or document issued on an accepted case.
    pub async fn execute(&self, id: &str, issued: &Issued) -> DeskResult<ApplicationDetail> {
        let document_number =
            migdesk_api::document_number(&issued.document_number).map_err(DeskError::invalid)?;
        let day = chrono::NaiveDate::parse_from_str(issued.issued_on.trim(), "%Y-%m-%d")
            .map_err(|_| DeskError::invalid("the day of issue must be a date"))?;
        self.central
            .post(
                &self.token,
                &format!("/applications/{}/execution", path_id(id)?),
                &ExecutionRequest {
                    document_number,
                    issued_on: day.format("%Y-%m-%d").to_string(),
                },
            )
            .await
    }
}
