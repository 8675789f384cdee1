import { type KeyboardEvent, lazy, Suspense, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useCatalogue } from "../data/catalogue";
import { useLoad } from "../data/useLoad";
import { desk, type OfficerLoad } from "../ipc/client";
import { formatDate } from "../queue/format";
import { Approvals } from "./Approvals";
import { DeadlineAlerts } from "./DeadlineAlerts";
import { DepartmentConflicts } from "./DepartmentConflicts";
import { Distribution } from "./Distribution";
import { OfficerCasesPanel } from "./OfficerCasesPanel";
import { UndeliveredEmails } from "./UndeliveredEmails";
import { lastSync } from "./words";
import "./supervision.css";
import { LoadingNote } from "../components/LoadingNote";

// The charts (Observable Plot and the parts of d3 it draws with) load when a supervisor opens
// the department, not with every officer's queue.
const Statistics = lazy(() => import("./Statistics").then((m) => ({ default: m.Statistics })));

// Stable loaders for useLoad: the department is the caller's own, so its key never changes.
const DEPARTMENT = "department";
const loadWorkload = () => desk.workload();
const loadConflicts = () => desk.conflicts();
const loadUndelivered = () => desk.undeliveredEmails();
const loadApprovals = () => desk.approvals();
const loadSettings = () => desk.departmentSettings();
const loadAlerts = () => desk.departmentAlerts();
const loadDistribution = () => desk.departmentDistribution();
const loadOfficerCases = (id: string) => desk.officerCases(id);

/** The department's officers and their load; a row (click or Enter) shows that officer's cases. */
function OfficerTable({
  officers,
  selected,
  onSelect,
}: {
  officers: OfficerLoad[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <table className="officer-table" data-testid="officer-table">
      <thead>
        <tr>
          <th scope="col">{t("supervision.columns.name")}</th>
          <th scope="col">{t("supervision.columns.open")}</th>
          <th scope="col">{t("supervision.columns.overdue")}</th>
          <th scope="col">{t("supervision.columns.dueThisWeek")}</th>
          <th scope="col">{t("supervision.columns.lastSync")}</th>
        </tr>
      </thead>
      <tbody>
        {officers.map((o) => (
          <tr
            key={o.officer_id}
            className={o.officer_id === selected ? "selected" : undefined}
            data-testid="officer-row"
            data-officer={o.officer_id}
            // The whole row answers a click; the name's button takes focus, and Enter on it
            // arrives here (its default click is prevented, so the officer is chosen once).
            onClick={() => onSelect(o.officer_id)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                onSelect(o.officer_id);
              }
            }}
          >
            <th scope="row">
              <button
                type="button"
                className="officer-name"
                aria-current={o.officer_id === selected ? "true" : undefined}
                data-testid="officer-open"
              >
                {o.full_name}
              </button>
            </th>
            <td data-testid="officer-open-count">{o.open}</td>
            <td className={o.overdue > 0 ? "overdue" : undefined} data-testid="officer-overdue">
              {o.overdue}
            </td>
            <td>{o.due_this_week}</td>
            <td data-testid="officer-last-sync">{lastSync(t, o.last_sync_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The supervisor's department: each officer's load, one officer's cases to move or export,
 * and the department's conflicts to resolve. Everything here comes from the centre. */
export function Department({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const root = useRef<HTMLElement>(null);
  const [officerId, setOfficerId] = useState<string | null>(null);
  const workload = useLoad(DEPARTMENT, loadWorkload);
  const cases = useLoad(officerId, loadOfficerCases);
  const conflicts = useLoad(DEPARTMENT, loadConflicts);
  const undelivered = useLoad(DEPARTMENT, loadUndelivered);
  const approvals = useLoad(DEPARTMENT, loadApprovals);
  const settings = useLoad(DEPARTMENT, loadSettings);
  const alerts = useLoad(DEPARTMENT, loadAlerts);
  const distribution = useLoad(DEPARTMENT, loadDistribution);
  const approvalsRef = useRef<HTMLElement>(null);
  const distributionRef = useRef<HTMLElement>(null);
  const statisticsRef = useRef<HTMLElement>(null);
  const { serviceName } = useCatalogue();

  useEffect(() => {
    root.current?.focus();
  }, []);

  function refresh() {
    workload.reload();
    cases.reload();
    conflicts.reload();
    approvals.reload();
    settings.reload();
    alerts.reload();
    distribution.reload();
  }

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    const target = event.target as HTMLElement;
    // Escape in a field belongs to the field: what was typed there is never thrown away.
    if (event.defaultPrevented || target.matches("textarea, select, input:not([type=checkbox])")) {
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
    } else if (event.key === "p" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      // To the refusals waiting for approval: the first answer that can be given, else the list.
      event.preventDefault();
      const section = approvalsRef.current;
      const button = section?.querySelector<HTMLButtonElement>(
        "[data-testid=approval] button:not(:disabled)",
      );
      (button ?? section)?.focus();
    } else if (event.key === "b" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      // To how new applications are shared out: the rule in force, else the section.
      event.preventDefault();
      const section = distributionRef.current;
      const rule = section?.querySelector<HTMLInputElement>("input[type=radio]:checked");
      (rule ?? section)?.focus();
    } else if (event.key === "s" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      // To the statistics: the period's first day, else the section.
      event.preventDefault();
      const section = statisticsRef.current;
      (section?.querySelector<HTMLInputElement>("input") ?? section)?.focus();
    }
  }

  const officers = workload.data?.officers ?? [];
  return (
    <main
      className="department-screen"
      ref={root}
      tabIndex={-1}
      onKeyDown={onKeyDown}
      aria-labelledby={`${id}-title`}
      data-testid="department"
    >
      <header className="department-bar">
        <button
          type="button"
          className="secondary"
          onClick={onClose}
          aria-keyshortcuts="Escape"
          data-testid="department-close"
        >
          ← {t("case.back")}
        </button>
        <h1 id={`${id}-title`}>{t("supervision.title")}</h1>
        {alerts.data && alerts.data.alerts.length > 0 && (
          <span className="related-warning" data-testid="alerts-badge">
            ⚠ {t("alerts.badge", { count: alerts.data.alerts.length })}
          </span>
        )}
        <span className="who">
          {workload.data && t("supervision.asOf", { today: formatDate(workload.data.today) })}
        </span>
        <button
          type="button"
          onClick={refresh}
          disabled={workload.loading}
          data-testid="department-refresh"
        >
          {t("supervision.refresh")}
        </button>
        <LanguageSwitch />
      </header>

      <div className="department-body">
        <section
          className="department-panel"
          aria-labelledby={`${id}-officers`}
          aria-busy={workload.loading}
          data-testid="department-officers"
        >
          <h2 id={`${id}-officers`}>{t("supervision.officers")}</h2>
          {workload.error && <ErrorNotice error={workload.error} />}
          {workload.data === null ? (
            workload.loading && <LoadingNote />
          ) : officers.length === 0 ? (
            <p className="note">{t("supervision.noOfficers")}</p>
          ) : (
            <OfficerTable officers={officers} selected={officerId} onSelect={setOfficerId} />
          )}
        </section>

        <section
          className="department-panel"
          aria-label={
            cases.data ? t("supervision.cases.title", { name: cases.data.full_name }) : undefined
          }
          aria-busy={cases.loading}
          data-testid="department-cases"
        >
          {officerId === null ? (
            <p className="note">{t("supervision.pickOfficer")}</p>
          ) : (
            <>
              {cases.error && <ErrorNotice error={cases.error} />}
              {cases.data === null ? (
                cases.loading && <LoadingNote />
              ) : (
                <OfficerCasesPanel
                  key={officerId}
                  cases={cases.data}
                  officers={officers}
                  serviceName={serviceName}
                  onReassigned={() => {
                    workload.reload();
                    cases.reload();
                  }}
                />
              )}
            </>
          )}
        </section>
      </div>

      <DeadlineAlerts
        alerts={alerts.data}
        loading={alerts.loading}
        error={alerts.error}
        settings={settings.data}
        onSettings={(kept) => {
          settings.replace(kept);
          alerts.reload();
        }}
      />
      <Approvals
        approvals={approvals.data}
        loading={approvals.loading}
        error={approvals.error}
        settings={settings.data}
        settingsError={settings.error}
        section={approvalsRef}
        onAnswered={(list) => {
          approvals.replace(list);
          // The answered item's buttons are gone: the keys stay with the list.
          approvalsRef.current?.focus();
        }}
        onSettings={settings.replace}
      />
      <Distribution
        distribution={distribution.data}
        loading={distribution.loading}
        error={distribution.error}
        section={distributionRef}
        onChanged={(kept) => {
          distribution.replace(kept);
          workload.reload();
        }}
      />
      <Suspense fallback={<LoadingNote />}>
        <Statistics section={statisticsRef} />
      </Suspense>
      <DepartmentConflicts
        conflicts={conflicts.data}
        loading={conflicts.loading}
        error={conflicts.error}
        onResolved={conflicts.replace}
      />
      <UndeliveredEmails
        emails={undelivered.data}
        loading={undelivered.loading}
        error={undelivered.error}
        onRequeued={undelivered.replace}
      />
    </main>
  );
}
