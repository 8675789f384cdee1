import {
  type FormEvent,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { type CaseView, type DeskError, desk, type ReopenGround, toDeskError } from "../ipc/client";
import { formatDate } from "../queue/format";

const GROUNDS: ReopenGround[] = ["court_order", "complaint_upheld"];

/** Today on this workstation, as a date input wants it. */
function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A form in a dialog that sends one request about the case: the first field takes the focus,
 * Ctrl+Enter or the confirm button sends, Escape closes, a failure stays in the dialog. */
export function RequestForm({
  title,
  hint,
  online = true,
  ready = true,
  confirm,
  testId,
  send,
  onClose,
  onDone,
  children,
}: {
  title: string;
  hint: string;
  /** It needs the centre (said under the title). */
  online?: boolean;
  /** Everything needed has been given (the confirm button waits otherwise). */
  ready?: boolean;
  confirm: string;
  testId: string;
  send: () => Promise<CaseView>;
  onClose: () => void;
  onDone: (view: CaseView) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);

  useEffect(() => {
    document.getElementById(id)?.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }, [id]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy || !ready) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await send());
    } catch (thrown) {
      setError(toDeskError(thrown));
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <Dialog labelledBy={`${id}-title`} onKeyDown={onKeyDown} data-testid={testId}>
      <form id={id} onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>{title}</h2>
        <p className="notes-hint">
          {hint} {online && t("appeals.online")}
        </p>
        {children}
        {error && <ErrorNotice error={error} />}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t("decision.cancel")}
          </button>
          <button type="submit" disabled={busy || !ready} data-testid={`${testId}-confirm`}>
            {confirm} <kbd>Ctrl+Enter</kbd>
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A required, labelled input of a request form. */
function Field({
  label,
  value,
  onChange,
  testId,
  ...input
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">) {
  return (
    <label>
      {label}
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        data-testid={testId}
        {...input}
      />
    </label>
  );
}

/** A supervisor reopens a decided case: the ground, the complaint's or court order's number,
 * and why. The case returns to its officer. */
export function ReopenDialog({
  kase,
  onClose,
  onDone,
}: {
  kase: CaseView;
  onClose: () => void;
  onDone: (view: CaseView) => void;
}) {
  const { t } = useTranslation();
  const [ground, setGround] = useState<ReopenGround>("court_order");
  const [reference, setReference] = useState("");
  const [reason, setReason] = useState("");
  return (
    <RequestForm
      title={`${t("appeals.reopenTitle")} ${kase.number}`}
      hint={t("appeals.reopenHint")}
      confirm={t("appeals.confirmReopen")}
      testId="reopen-dialog"
      send={() => desk.reopenCase(kase.id, { ground, reference, reason, version: kase.version })}
      onClose={onClose}
      onDone={onDone}
    >
      <label>
        {t("appeals.ground")}
        <select
          value={ground}
          onChange={(e) => setGround(e.target.value as ReopenGround)}
          data-testid="reopen-ground"
        >
          {GROUNDS.map((g) => (
            <option key={g} value={g}>
              {t(`appeals.grounds.${g}`)}
            </option>
          ))}
        </select>
      </label>
      <Field
        label={t("appeals.reference")}
        value={reference}
        onChange={setReference}
        maxLength={100}
        testId="reopen-reference"
      />
      <label>
        {t("appeals.reason")}
        <textarea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          rows={3}
          maxLength={1000}
          data-testid="reopen-reason"
        />
      </label>
    </RequestForm>
  );
}

/** The case's officer (or a supervisor) records the permit or document issued on an accepted
 * case. */
export function ExecutionDialog({
  kase,
  onClose,
  onDone,
}: {
  kase: CaseView;
  onClose: () => void;
  onDone: (view: CaseView) => void;
}) {
  const { t } = useTranslation();
  const [number, setNumber] = useState("");
  const [issuedOn, setIssuedOn] = useState(today);
  return (
    <RequestForm
      title={`${t("appeals.executeTitle")} · ${kase.number}`}
      hint=""
      confirm={t("appeals.confirmExecute")}
      testId="execution-dialog"
      send={() => desk.recordExecution(kase.id, { document_number: number, issued_on: issuedOn })}
      onClose={onClose}
      onDone={onDone}
    >
      <Field
        label={t("appeals.documentNumber")}
        value={number}
        onChange={setNumber}
        maxLength={40}
        testId="execution-number"
      />
      <Field
        label={t("appeals.issuedOn")}
        type="date"
        value={issuedOn}
        max={today()}
        onChange={setIssuedOn}
        testId="execution-date"
      />
    </RequestForm>
  );
}

/** What the decision bar says of an executed case. */
export function ExecutionState({ kase }: { kase: CaseView }) {
  const { t } = useTranslation();
  if (!kase.execution) return null;
  return (
    <span className="decision-state executed" data-testid="execution-state">
      {t("appeals.executed", {
        number: kase.execution.document_number,
        date: formatDate(kase.execution.issued_on),
      })}
    </span>
  );
}
