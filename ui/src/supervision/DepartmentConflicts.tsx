import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { conflictStory, ResolutionNote } from "../conflicts/ConflictsInbox";
import { codeText } from "../i18n/codes";
import {
  type ConflictView,
  type DeskError,
  desk,
  type ResolutionAction,
  toDeskError,
} from "../ipc/client";
import { formatDateTime } from "../queue/format";
import { ExportButton, ExportStatus, useHistoryExport } from "./HistoryExport";

const ACTIONS: readonly ResolutionAction[] = ["apply", "hand_over", "discard"];

/** The supervisor's answer to one conflict: apply the decision, hand the case to the officer
 * who has it now, or set the decision aside (with a reason). A decision the centre refused for
 * good cannot be applied as it was made, so it is not offered. A failure keeps what was typed. */
function ResolveForm({
  conflict,
  onResolved,
}: {
  conflict: ConflictView;
  onResolved: (conflicts: ConflictView[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [action, setAction] = useState<ResolutionAction | null>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);
  const ready = action !== null && !busy && (action !== "discard" || reason.trim() !== "");

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || action === null) return;
    setBusy(true);
    setError(null);
    try {
      onResolved(await desk.resolveConflict(conflict.id, { action, reason: reason.trim() }));
    } catch (thrown) {
      setError(toDeskError(thrown));
      setBusy(false);
    }
  }

  const facts = {
    by: conflict.decided_by ?? t("conflicts.someone"),
    name: conflict.now_with ?? t("case.nobody"),
  };
  return (
    <form className="resolve" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>{t("supervision.resolve.choose")}</legend>
        <div className="actions">
          {ACTIONS.filter((a) => a !== "apply" || conflict.cause !== "rejected").map((a) => (
            <button
              key={a}
              type="button"
              className={action === a ? undefined : "secondary"}
              aria-pressed={action === a}
              onClick={() => setAction(a)}
              data-testid={`resolve-${a}`}
            >
              {t(`supervision.resolve.${a}`)}
            </button>
          ))}
        </div>
        {action && (
          <p className="note" data-testid="resolve-explain">
            {t(`supervision.resolve.explain.${action}`, facts)}
          </p>
        )}
        <label htmlFor={`${id}-reason`}>{t("supervision.resolve.reason")}</label>
        <textarea
          id={`${id}-reason`}
          rows={2}
          maxLength={1000}
          required={action === "discard"}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="resolve-reason"
        />
        <button type="submit" disabled={!ready} data-testid="resolve-confirm">
          {busy ? t("supervision.resolve.busy") : t("supervision.resolve.confirm")}
        </button>
      </fieldset>
      {error && <ErrorNotice error={error} />}
    </form>
  );
}

/** One of the department's conflicts, told in words: who decided what and when, why the centre
 * could not apply it, where the case is now, and what the supervisor answered (or the form). */
function SupervisorConflict({
  conflict: c,
  onResolved,
}: {
  conflict: ConflictView;
  onResolved: (conflicts: ConflictView[]) => void;
}) {
  const { t } = useTranslation();
  const { exported, run } = useHistoryExport();
  return (
    <li
      className={c.resolution ? "resolved" : "unseen"}
      data-testid="supervisor-conflict"
      data-case={c.case_id}
      data-cause={c.cause}
      data-resolved={c.resolution ? c.resolution.action : "no"}
    >
      <h3>
        {c.number} · {c.applicant}
      </h3>
      <p data-testid="supervisor-conflict-story">{conflictStory(t, c)}</p>
      <p data-testid="supervisor-conflict-now">
        {t(c.now_with ? "supervision.conflicts.now" : "supervision.conflicts.nowNobody", {
          name: c.now_with,
          changed: c.changed_at ? formatDateTime(c.changed_at) : t("conflicts.unknownTime"),
          status: c.status_now
            ? codeText(t, "queue.status", c.status_now)
            : t("supervision.conflicts.unknown"),
        })}
      </p>
      <ExportButton caseId={c.case_id} number={c.number} exported={exported} run={run} />
      <ExportStatus exported={exported} />
      {c.resolution ? (
        <p
          className="conflict-resolution"
          data-testid="supervisor-resolution"
          data-action={c.resolution.action}
        >
          <ResolutionNote resolution={c.resolution} />
        </p>
      ) : (
        <ResolveForm conflict={c} onResolved={onResolved} />
      )}
    </li>
  );
}

/** The department's conflicts: decisions the centre kept but could not apply, each waiting for
 * the supervisor's answer; once answered, the answer is shown with them. */
export function DepartmentConflicts({
  conflicts,
  loading,
  error,
  onResolved,
}: {
  conflicts: ConflictView[] | null;
  loading: boolean;
  error: DeskError | null;
  onResolved: (conflicts: ConflictView[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section
      className="department-panel department-conflicts"
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-testid="department-conflicts"
    >
      <h2 id={`${id}-title`}>{t("supervision.conflicts.title")}</h2>
      <p className="note">{t("supervision.conflicts.intro")}</p>
      <LoadingNote shown={loading && conflicts === null && !error} />
      {error && <ErrorNotice error={error} />}
      {conflicts !== null &&
        (conflicts.length === 0 ? (
          <p>{t("supervision.conflicts.none")}</p>
        ) : (
          <ul className="conflict-list">
            {conflicts.map((c) => (
              <SupervisorConflict key={c.id} conflict={c} onResolved={onResolved} />
            ))}
          </ul>
        ))}
    </section>
  );
}
