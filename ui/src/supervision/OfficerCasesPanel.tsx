import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { codeText } from "../i18n/codes";
import type { OfficerCases, OfficerLoad } from "../ipc/client";
import { formatDate, formatDateTime } from "../queue/format";
import { ExportButton, ExportStatus, useHistoryExport } from "./HistoryExport";
import { ReassignForm } from "./ReassignForm";
import { lastSync } from "./words";

/** One officer's open cases: pick some to move to another officer, or export a case's history.
 * A case the officer's desk may hold unsent work on is marked, and the reason said. */
export function OfficerCasesPanel({
  cases,
  officers,
  serviceName,
  onReassigned,
}: {
  cases: OfficerCases;
  officers: OfficerLoad[];
  serviceName: (code: string) => string;
  onReassigned: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const { exported, run } = useHistoryExport();
  // Only the cases still listed count (a reload may have taken some away).
  const chosen = cases.cases.filter((c) => selected.has(c.id));
  const all = cases.cases.length > 0 && chosen.length === cases.cases.length;
  const unsentExplained = t("supervision.unsent.explain", { name: cases.full_name });

  function toggle(caseId: string, on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(caseId);
      else next.delete(caseId);
      return next;
    });
  }

  return (
    <>
      <h2 id={`${id}-title`}>{t("supervision.cases.title", { name: cases.full_name })}</h2>
      <p className="note" data-testid="officer-cases-sync">
        {t("supervision.cases.lastSync", { at: lastSync(t, cases.last_sync_at) })}
      </p>
      {cases.cases.length === 0 ? (
        <p className="note">{t("supervision.cases.none")}</p>
      ) : (
        <table className="case-table" aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  checked={all}
                  ref={(el) => {
                    if (el) el.indeterminate = chosen.length > 0 && !all;
                  }}
                  onChange={(e) =>
                    setSelected(new Set(e.target.checked ? cases.cases.map((c) => c.id) : []))
                  }
                  aria-label={t("supervision.cases.selectAll")}
                  data-testid="select-all-cases"
                />
              </th>
              <th scope="col">{t("queue.columns.number")}</th>
              <th scope="col">{t("queue.columns.applicant")}</th>
              <th scope="col">{t("queue.columns.service")}</th>
              <th scope="col">{t("queue.columns.due")}</th>
              <th scope="col">{t("queue.columns.status")}</th>
              <th scope="col">{t("supervision.cases.changed")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("supervision.export.button")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cases.cases.map((c) => (
              <tr
                key={c.id}
                className={selected.has(c.id) ? "selected" : undefined}
                data-testid="supervised-case"
                data-case={c.id}
                data-number={c.number}
                data-unsent={c.may_hold_unsent_work ? "yes" : "no"}
              >
                <td>
                  <input
                    type="checkbox"
                    checked={selected.has(c.id)}
                    onChange={(e) => toggle(c.id, e.target.checked)}
                    aria-label={t("supervision.cases.select", { number: c.number })}
                    data-testid="select-case"
                  />
                </td>
                <td>
                  {c.number}
                  {c.may_hold_unsent_work && (
                    // The sign alone on screen (the legend under the table says what it
                    // marks, and so does its tooltip); its words for a screen reader.
                    <span className="unsent-mark" title={unsentExplained} data-testid="unsent-mark">
                      <span aria-hidden="true">⚠</span>
                      <span className="visually-hidden">
                        {t("supervision.unsent.mark")}: {unsentExplained}
                      </span>
                    </span>
                  )}
                </td>
                <td>{c.applicant}</td>
                <td>{serviceName(c.service)}</td>
                <td>{formatDate(c.due_date)}</td>
                <td>{codeText(t, "queue.status", c.status)}</td>
                <td>{formatDateTime(c.changed_at)}</td>
                <td>
                  <ExportButton caseId={c.id} number={c.number} exported={exported} run={run} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cases.cases.some((c) => c.may_hold_unsent_work) && (
        <p className="note">{t("supervision.unsent.legend", { name: cases.full_name })}</p>
      )}
      <ExportStatus exported={exported} />
      <ReassignForm
        from={cases}
        chosen={chosen}
        officers={officers.filter((o) => o.officer_id !== cases.officer_id)}
        onReassigned={() => {
          setSelected(new Set());
          onReassigned();
        }}
      />
    </>
  );
}
