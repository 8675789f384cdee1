//! The department's pool: the cases no officer has (when the department's rule sends new
//! applications there), listed from the centre, and claimed by an officer — first come, first
//! served at the centre; the claimed case is kept on the desk at once, without waiting for a
//! sync. Both need the network.

use migdesk_api::{ApplicationDetail, Pool};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::sync::Central;
use crate::sync::central::path_id;

/// One case waiting in the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PoolCaseView {
    pub case_id: String,
    pub number: String,
    pub service: String,
    pub applicant: String,
    pub submitted_at: String,
    pub due_date: String,
    /// Working days to the due date; negative when overdue.
    #[ts(type = "number")]
    pub working_days_left: i64,
}

/// What the pool's calls need, taken from the desk so the network waits do not hold it.
#[derive(Debug, Clone)]
pub struct PoolCalls {
    pub(crate) central: Central,
    pub(crate) token: String,
    pub(crate) department: String,
}

impl PoolCalls {
    fn path(&self) -> DeskResult<String> {
        Ok(format!("/departments/{}/pool", path_id(&self.department)?))
    }

    /// The department's pool, the soonest due first.
    pub async fn list(&self) -> DeskResult<Vec<PoolCaseView>> {
        let pool: Pool = self.central.get(&self.token, &self.path()?).await?;
        Ok(pool
            .cases
            .into_iter()
            .map(|c| PoolCaseView {
                case_id: c.application_id,
                number: c.number,
                service: c.service,
                applicant: c.applicant_name,
                submitted_at: c.submitted_at,
                due_date: c.due_date,
                working_days_left: c.working_days_left,
            })
            .collect())
    }

    /// Claims the case `id`; the centre answers the case, now the caller's. A case another
    /// officer claimed first (or that was decided or withdrawn meanwhile) is `invalid`, in the
    /// centre's words.
    pub async fn claim(&self, id: &str) -> DeskResult<ApplicationDetail> {
        self.central
            .post_unless_moved(
                &self.token,
                &format!("{}/{}/claim", self.path()?, path_id(id)?),
                &serde_json::json!({}),
            )
            .await?
            .map_err(|message| DeskError::new(ErrorKind::Invalid, message))
    }
}
