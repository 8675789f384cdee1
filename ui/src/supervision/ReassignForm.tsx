import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import {
  type DeskError,
  desk,
  type OfficerCases,
  type OfficerLoad,
  type Reassignment,
  type SupervisedCase,
  toDeskError,
} from "../ipc/client";
import { lastSync } from "./words";

/** Before cases move away from a desk that may hold unsent decisions on them: which cases, why,
 * and what it would mean (those decisions would arrive later as conflicts to resolve). */
function UnsentWarning({
  unsent,
  officer,
  synced,
  target,
  onConfirm,
  onCancel,
}: {
  unsent: SupervisedCase[];
  officer: string;
  synced: string;
  target: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const one = unsent.length === 1;
  useEffect(() => cancel.current?.focus(), []);
  return (
    <Dialog
      role="alertdialog"
      labelledBy={`${id}-title`}
      aria-describedby={`${id}-body`}
      className="unsent-warning"
      data-testid="unsent-warning"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <h2 id={`${id}-title`}>{t("supervision.unsent.title")}</h2>
      <div id={`${id}-body`}>
        <p>
          {t(one ? "supervision.unsent.sinceOne" : "supervision.unsent.sinceMany", {
            officer,
            synced,
          })}
        </p>
        <ul className="unsent-cases">
          {unsent.map((c) => (
            <li key={c.id} data-testid="unsent-case" data-number={c.number}>
              {c.number} · {c.applicant}
            </li>
          ))}
        </ul>
        <p>{t(one ? "supervision.unsent.riskOne" : "supervision.unsent.riskMany", { target })}</p>
      </div>
      <div className="dialog-actions">
        <button
          type="button"
          className="secondary"
          ref={cancel}
          onClick={onCancel}
          data-testid="unsent-cancel"
        >
          {t("decision.cancel")}
        </button>
        <button type="button" onClick={onConfirm} data-testid="unsent-confirm">
          {t("supervision.unsent.confirm")}
        </button>
      </div>
    </Dialog>
  );
}

/** Moves the chosen cases to another officer of the department, with a reason. The centre moves
 * all of them or none; a failure keeps the choice and the reason as they were. */
export function ReassignForm({
  from,
  chosen,
  officers,
  onReassigned,
}: {
  /** Whose cases they are now. */
  from: OfficerCases;
  chosen: SupervisedCase[];
  /** Who may receive them: the department's other officers. */
  officers: OfficerLoad[];
  onReassigned: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [warning, setWarning] = useState<{
    request: Reassignment;
    unsent: SupervisedCase[];
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);
  const [done, setDone] = useState<{ moved: number; name: string } | null>(null);
  const targetName = officers.find((o) => o.officer_id === target)?.full_name ?? target;
  const ready = chosen.length > 0 && target !== "" && reason.trim() !== "" && !busy;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    const request: Reassignment = {
      cases: chosen.map((c) => ({ id: c.id, version: c.version })),
      officer_id: target,
      reason: reason.trim(),
    };
    const unsent = chosen.filter((c) => c.may_hold_unsent_work);
    if (unsent.length > 0) setWarning({ request, unsent });
    else void reassign(request);
  }

  async function reassign(request: Reassignment) {
    setWarning(null);
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const outcome = await desk.reassign(request);
      setDone({ moved: outcome.moved, name: targetName });
      setReason("");
      onReassigned();
    } catch (thrown) {
      setError(toDeskError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="reassign" onSubmit={submit} data-testid="reassign-form">
      <fieldset>
        <legend>{t("supervision.reassign.legend")}</legend>
        <label htmlFor={`${id}-officer`}>{t("supervision.reassign.officer")}</label>
        <select
          id={`${id}-officer`}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          data-testid="reassign-officer"
        >
          <option value="">{t("supervision.reassign.choose")}</option>
          {officers.map((o) => (
            <option key={o.officer_id} value={o.officer_id}>
              {o.full_name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-reason`}>{t("supervision.reassign.reason")}</label>
        <textarea
          id={`${id}-reason`}
          rows={2}
          maxLength={1000}
          required
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="reassign-reason"
        />
        <button type="submit" disabled={!ready} data-testid="reassign-submit">
          {busy
            ? t("supervision.reassign.busy")
            : t("supervision.reassign.submit", { n: chosen.length })}
        </button>
      </fieldset>
      <div role="status" className="reassign-status">
        {done && (
          <p data-testid="reassign-done" data-moved={done.moved}>
            {t("supervision.reassign.done", { count: done.moved, name: done.name })}
          </p>
        )}
      </div>
      {error && (
        <>
          <ErrorNotice error={error} />
          <p className="note">{t("supervision.reassign.failed")}</p>
        </>
      )}
      {warning && (
        <UnsentWarning
          unsent={warning.unsent}
          officer={from.full_name}
          synced={lastSync(t, from.last_sync_at)}
          target={targetName}
          onConfirm={() => void reassign(warning.request)}
          onCancel={() => setWarning(null)}
        />
      )}
    </form>
  );
}
