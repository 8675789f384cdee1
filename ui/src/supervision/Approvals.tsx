// Four eyes on refusals, in the department screen: the department's setting (kept at the centre)
// and the refusals waiting for the supervisor's approval, each with the officer's reasons and the
// e-mail the applicant will read. The list comes from this desk's cache and the answers are kept
// here until the next sync sends them, so it works offline.
import { type Ref, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { codeText } from "../i18n/codes";
import {
  type ApprovalAction,
  type ApprovalView,
  type DepartmentSettingsView,
  type DeskError,
  desk,
  toDeskError,
} from "../ipc/client";
import { formatDateTime } from "../queue/format";

/** The department's four-eyes setting: a checkbox, changed at the centre. */
function FourEyes({
  settings,
  error,
  onChanged,
}: {
  settings: DepartmentSettingsView | null;
  error: DeskError | null;
  onChanged: (settings: DepartmentSettingsView) => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<DeskError | null>(null);

  async function toggle(on: boolean) {
    setBusy(true);
    setFailed(null);
    try {
      if (settings)
        onChanged(await desk.setDepartmentSettings({ ...settings, four_eyes_refusals: on }));
    } catch (thrown) {
      setFailed(toDeskError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="four-eyes">
      <label>
        <input
          type="checkbox"
          checked={settings?.four_eyes_refusals ?? false}
          disabled={settings === null || busy}
          onChange={(e) => void toggle(e.target.checked)}
          data-testid="four-eyes"
        />{" "}
        {t("approvals.fourEyes")}
      </label>
      {settings === null && error && <p className="note">{t("approvals.fourEyesOffline")}</p>}
      {failed && <ErrorNotice error={failed} />}
    </div>
  );
}

/** One proposed refusal with its reasons, the e-mail, and the supervisor's two answers. */
function Proposal({
  item,
  onAnswered,
}: {
  item: ApprovalView;
  onAnswered: (list: ApprovalView[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const p = item.proposal;
  const [returning, setReturning] = useState(false);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);

  async function answer(action: ApprovalAction) {
    setBusy(true);
    setError(null);
    try {
      onAnswered(
        await desk.answerProposal(item.case_id, { decision_id: p.decision_id, action, note }),
      );
      setReturning(false);
    } catch (thrown) {
      setError(toDeskError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li
      data-testid="approval"
      data-case={item.case_id}
      data-answer={p.answer?.action ?? "none"}
      data-delivery={p.answer?.delivery ?? "none"}
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`}>
        {item.number} · {item.applicant}
      </h3>
      <p>{t("approvals.proposed", { name: p.proposed_by, at: formatDateTime(p.decided_at) })}</p>
      <p>
        <strong>{t("approvals.reasons")}:</strong>{" "}
        {p.reasons
          .map((r) =>
            [
              codeText(t, "decision.reason", r.code),
              ...r.fields.map((key) => codeText(t, "form.fields", key)),
            ].join(" — "),
          )
          .join("; ")}
      </p>
      {p.note && <p>{t("approvals.note", { note: p.note })}</p>}
      <details>
        <summary>{t("approvals.email")}</summary>
        <p>
          <strong>{p.email_subject}</strong>
        </p>
        <pre className="approval-email" data-testid="approval-email">
          {p.email_body}
        </pre>
      </details>
      {p.answer && (
        <p className="note" role="status" data-testid="approval-answer">
          {t(`approvals.answer.${p.answer.action}`)} · {formatDateTime(p.answer.answered_at)} ·{" "}
          {t(`approvals.delivery.${p.answer.delivery}`)}
          {p.answer.note && ` — ${p.answer.note}`}
        </p>
      )}
      {!p.can_approve && <p className="note">{t("approvals.own")}</p>}
      {p.can_answer && !returning && (
        <div className="actions">
          {p.can_approve && (
            <button
              type="button"
              disabled={busy}
              onClick={() => void answer("approve")}
              data-testid="approval-approve"
            >
              {t("approvals.approve")}
            </button>
          )}
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => setReturning(true)}
            data-testid="approval-return"
          >
            {t("approvals.return")}
          </button>
        </div>
      )}
      {returning && (
        <form
          className="approval-return"
          onSubmit={(e) => {
            e.preventDefault();
            void answer("return");
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              // Escape leaves the note, not the department screen.
              e.preventDefault();
              setReturning(false);
            } else if (e.key === "Enter" && e.ctrlKey) {
              e.preventDefault();
              void answer("return");
            }
          }}
        >
          <label>
            {t("approvals.returnNote")}
            <textarea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              ref={(el) => el?.focus()}
              rows={3}
              required
              data-testid="approval-note"
            />
          </label>
          <div className="actions">
            <button type="submit" disabled={busy} data-testid="approval-return-submit">
              {t("approvals.returnSubmit")}
            </button>
            <button type="button" className="secondary" onClick={() => setReturning(false)}>
              {t("approvals.cancel")}
            </button>
          </div>
        </form>
      )}
      {error && <ErrorNotice error={error} />}
    </li>
  );
}

/** The department's refusals waiting for approval, and the four-eyes setting. `section` is for
 * the screen's `p` key. */
export function Approvals({
  approvals,
  loading,
  error,
  settings,
  settingsError,
  section,
  onAnswered,
  onSettings,
}: {
  approvals: ApprovalView[] | null;
  loading: boolean;
  error: DeskError | null;
  settings: DepartmentSettingsView | null;
  settingsError: DeskError | null;
  section: Ref<HTMLElement>;
  onAnswered: (list: ApprovalView[]) => void;
  onSettings: (settings: DepartmentSettingsView) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section
      className="department-panel department-approvals"
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      ref={section}
      tabIndex={-1}
      aria-keyshortcuts="p"
      data-testid="department-approvals"
    >
      <h2 id={`${id}-title`}>
        {t("approvals.title")} {approvals && approvals.length > 0 && `(${approvals.length})`}
      </h2>
      <FourEyes settings={settings} error={settingsError} onChanged={onSettings} />
      <p className="note">
        {t("approvals.intro")} {t("approvals.key")}
      </p>
      <LoadingNote shown={loading && approvals === null && !error} />
      {error && <ErrorNotice error={error} />}
      {approvals !== null &&
        (approvals.length === 0 ? (
          <p>{t("approvals.none")}</p>
        ) : (
          <ul className="conflict-list">
            {approvals.map((item) => (
              <Proposal key={item.proposal.decision_id} item={item} onAnswered={onAnswered} />
            ))}
          </ul>
        ))}
    </section>
  );
}
