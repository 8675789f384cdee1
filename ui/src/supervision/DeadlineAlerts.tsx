// Deadline alerts in the department screen: every overdue case, and the cases due within the
// department's number of working days that have no officer or that their officer has not
// opened; the number of days is the department's setting (kept at the centre).
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { useCatalogue } from "../data/catalogue";
import {
  type AlertsView,
  type DepartmentSettingsView,
  type DeskError,
  desk,
  toDeskError,
} from "../ipc/client";
import { Deadline } from "../queue/Deadline";

/** How many working days ahead the department is alerted: a number field, kept at the centre
 * when it changes. */
function AlertDays({
  settings,
  onChanged,
}: {
  settings: DepartmentSettingsView;
  onChanged: (settings: DepartmentSettingsView) => void;
}) {
  const { t } = useTranslation();
  const [error, setError] = useState<DeskError | null>(null);

  async function keep(days: number) {
    setError(null);
    try {
      onChanged(await desk.setDepartmentSettings({ ...settings, alert_working_days: days }));
    } catch (thrown) {
      setError(toDeskError(thrown));
    }
  }

  return (
    <div className="alert-days">
      <label>
        {t("alerts.within")}{" "}
        <input
          type="number"
          min={0}
          max={20}
          value={settings.alert_working_days}
          onChange={(e) => {
            const days = Number(e.target.value);
            if (Number.isInteger(days) && days >= 0 && days <= 20) void keep(days);
          }}
          data-testid="alert-days"
        />
      </label>
      {error && <ErrorNotice error={error} />}
    </div>
  );
}

export function DeadlineAlerts({
  alerts,
  loading,
  error,
  settings,
  onSettings,
}: {
  alerts: AlertsView | null;
  loading: boolean;
  error: DeskError | null;
  settings: DepartmentSettingsView | null;
  onSettings: (settings: DepartmentSettingsView) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { serviceName } = useCatalogue();
  return (
    <section
      className="department-panel department-alerts"
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-testid="department-alerts"
    >
      <h2 id={`${id}-title`}>
        {t("alerts.title")} {alerts && alerts.alerts.length > 0 && `(${alerts.alerts.length})`}
      </h2>
      {settings && <AlertDays settings={settings} onChanged={onSettings} />}
      <LoadingNote shown={loading && alerts === null && !error} />
      {error && (
        <>
          <p className="note">{t("alerts.offline")}</p>
          <ErrorNotice error={error} />
        </>
      )}
      {alerts !== null &&
        (alerts.alerts.length === 0 ? (
          <p>{t("alerts.none")}</p>
        ) : (
          <table className="case-table">
            <tbody>
              {alerts.alerts.map((a) => (
                <tr key={a.case_id} data-testid="alert" data-kind={a.kind} data-case={a.case_id}>
                  <th scope="row">{a.number}</th>
                  <td>{a.applicant}</td>
                  <td>{serviceName(a.service)}</td>
                  <td>{a.officer ?? t("alerts.nobody")}</td>
                  <td>
                    <Deadline
                      row={{
                        status: "pending",
                        due_date: a.due_date,
                        working_days_left: a.working_days_left,
                        paused_days_left: null,
                        overdue: a.kind === "overdue",
                      }}
                    />
                  </td>
                  <td className={a.kind === "overdue" ? "overdue" : undefined}>
                    {t(`alerts.kind.${a.kind}`)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
