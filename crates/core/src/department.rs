//! The department's own settings (four eyes on refusals, how far ahead deadlines are raised) and
//! its supervisor's deadline alerts. Both are the centre's, so they need the network, like the
//! rest of [`Supervision`].

use migdesk_api::{AlertKind, Alerts, DepartmentSettings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::DeskResult;
use crate::supervision::Supervision;
use crate::sync::central::path_id;

/// The department's settings, as the department screen shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DepartmentSettingsView {
    pub four_eyes_refusals: bool,
    /// Cases due within this many working days (0 to 20) are raised when nobody opened or has
    /// them.
    #[ts(type = "number")]
    pub alert_working_days: i64,
}

/// One case raised to the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertView {
    pub case_id: String,
    pub number: String,
    pub service: String,
    pub applicant: String,
    /// The officer who has it, by name; null when nobody does.
    pub officer: Option<String>,
    pub due_date: String,
    /// Working days to the due date; negative when overdue.
    #[ts(type = "number")]
    pub working_days_left: i64,
    pub kind: AlertKind,
}

/// The department's deadline alerts: overdue first, then by due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertsView {
    pub today: String,
    #[ts(type = "number")]
    pub within_working_days: i64,
    pub alerts: Vec<AlertView>,
}

impl From<DepartmentSettings> for DepartmentSettingsView {
    fn from(s: DepartmentSettings) -> Self {
        Self {
            four_eyes_refusals: s.four_eyes_refusals,
            alert_working_days: s.alert_working_days,
        }
    }
}

impl Supervision {
    fn settings_path(&self) -> DeskResult<String> {
        Ok(format!(
            "/departments/{}/settings",
            path_id(&self.department)?
        ))
    }

    /// The department's settings, from the centre.
    pub async fn settings(&self) -> DeskResult<DepartmentSettingsView> {
        let s: DepartmentSettings = self
            .central
            .get(&self.token, &self.settings_path()?)
            .await?;
        Ok(s.into())
    }

    /// Sets the department's settings at the centre; answers them as kept.
    pub async fn set_settings(
        &self,
        settings: DepartmentSettingsView,
    ) -> DeskResult<DepartmentSettingsView> {
        let body = DepartmentSettings {
            four_eyes_refusals: settings.four_eyes_refusals,
            alert_working_days: settings.alert_working_days,
        };
        let kept: DepartmentSettings = self
            .central
            .send(
                reqwest::Method::PUT,
                &self.token,
                &self.settings_path()?,
                &body,
            )
            .await?;
        Ok(kept.into())
    }

    /// The department's deadline alerts, from the centre.
    pub async fn alerts(&self) -> DeskResult<AlertsView> {
        let a: Alerts = self
            .central
            .get(
                &self.token,
                &format!("/departments/{}/alerts", path_id(&self.department)?),
            )
            .await?;
        Ok(AlertsView {
            today: a.today,
            within_working_days: a.within_working_days,
            alerts: a
                .alerts
                .into_iter()
                .map(|x| AlertView {
                    case_id: x.application_id,
                    number: x.number,
                    service: x.service,
                    applicant: x.applicant_name,
                    officer: x.officer.map(|o| o.full_name),
                    due_date: x.due_date,
                    working_days_left: x.working_days_left,
                    kind: x.kind,
                })
                .collect(),
        })
    }
}
