import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { useCatalogue } from "../data/catalogue";
import { codeText } from "../i18n/codes";
import {
  type CaseView,
  type Decision,
  type DecisionKind,
  type DeskError,
  desk,
  type Email,
  type ReasonCode,
  toDeskError,
} from "../ipc/client";

const REASONS: ReasonCode[] = ["form_incorrect", "contradictory", "other"];

type Reasons = Record<ReasonCode, { on: boolean; fields: string[]; documents: string[] }>;

function toggle(list: string[], item: string): string[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

/** Choose what a decision says, preview the applicant's e-mail, confirm. */
export function DecisionDialog({
  kase,
  kind,
  onClose,
  onDecided,
}: {
  kase: CaseView;
  kind: DecisionKind;
  onClose: () => void;
  onDecided: (view: CaseView) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { documentName } = useCatalogue();
  const [missing, setMissing] = useState<string[]>(() =>
    kase.checklist.filter((c) => c.state !== "present").map((c) => c.doc_type),
  );
  const [other, setOther] = useState("");
  const [reasons, setReasons] = useState<Reasons>({
    form_incorrect: { on: false, fields: [], documents: [] },
    contradictory: { on: false, fields: [], documents: [] },
    other: { on: false, fields: [], documents: [] },
  });
  const [note, setNote] = useState("");
  const [preview, setPreview] = useState<Email | null>(null);
  const [error, setError] = useState<DeskError | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLElement | null>(null);
  // The missing-documents dialog starts on the first document not yet ticked (those the
  // checklist finds absent are ticked already), so naming one more takes Space.
  const [firstUnticked] = useState(
    () => kase.checklist.find((c) => c.state === "present")?.doc_type ?? null,
  );

  // The first choice has the focus when the dialog opens and when the officer comes back from
  // the preview (the confirm button takes it while the preview shows).
  useEffect(() => {
    if (!preview) (first.current ?? document.getElementById(`${id}-title`))?.focus();
  }, [id, preview]);

  const fieldName = (key: string) => codeText(t, "form.fields", key);

  function decision(): Decision {
    return {
      kind,
      missing_documents: kind === "missing_documents" ? missing : [],
      missing_other: kind === "missing_documents" && other.trim() !== "" ? other.trim() : null,
      reasons:
        kind === "refuse"
          ? REASONS.filter((code) => reasons[code].on).map((code) => ({
              code,
              fields: reasons[code].fields,
              documents: reasons[code].documents,
            }))
          : [],
      note,
    };
  }

  // One request at a time: the buttons wait while it runs, and a failure shows in the dialog.
  async function request<T>(call: () => Promise<T>, then: (answer: T) => void) {
    setBusy(true);
    setError(null);
    try {
      then(await call());
    } catch (thrown) {
      setError(toDeskError(thrown));
    } finally {
      setBusy(false);
    }
  }

  async function showPreview(event?: FormEvent) {
    event?.preventDefault();
    await request(() => desk.decisionPreview(kase.id, decision()), setPreview);
  }

  async function confirm() {
    await request(() => desk.decide(kase.id, decision()), onDecided);
  }

  // Ctrl+Enter goes one step on: from the choices to the e-mail preview, from the preview to
  // the confirmation. Arrow keys move between the dialog's check boxes (Space ticks one).
  function onKeyDown(event: React.KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (preview) setPreview(null);
      else onClose();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (busy) return;
      if (preview) void confirm();
      else void showPreview();
    } else if (
      (event.key === "ArrowDown" || event.key === "ArrowUp") &&
      event.target instanceof HTMLInputElement &&
      event.target.type === "checkbox"
    ) {
      const boxes = Array.from(
        event.currentTarget.querySelectorAll<HTMLInputElement>('input[type="checkbox"]'),
      );
      const at = boxes.indexOf(event.target);
      const next = boxes[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
  }

  const setReason = (code: ReasonCode, change: Partial<Reasons[ReasonCode]>) =>
    setReasons((r) => ({ ...r, [code]: { ...r[code], ...change } }));
  const allFields = kase.form.flatMap((g) => g.fields);
  const applicantLanguage = codeText(t, "language.names", kase.applicant.language);

  return (
    <Dialog
      labelledBy={`${id}-title`}
      onKeyDown={onKeyDown}
      data-testid="decision-dialog"
      data-kind={kind}
    >
      <h2 id={`${id}-title`} tabIndex={-1}>
        {t(`decision.kind.${kind}`)} — {kase.number}
      </h2>
      {preview ? (
        <div data-testid="email-preview">
          <p className="note">{t("decision.previewIntro", { language: applicantLanguage })}</p>
          <p className="email-subject" data-testid="email-subject">
            <strong>{t("decision.subject")}:</strong> {preview.subject}
          </p>
          <pre className="email-body" data-testid="email-body">
            {preview.body}
          </pre>
          {error && <ErrorNotice error={error} />}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={() => setPreview(null)}>
              {t("decision.back")} <kbd>Esc</kbd>
            </button>
            <button
              type="button"
              onClick={() => void confirm()}
              disabled={busy}
              data-testid="decision-confirm"
              aria-keyshortcuts="Control+Enter Enter"
              ref={(el) => el?.focus()}
            >
              {t("decision.confirm")} <kbd>Ctrl+Enter</kbd>
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void showPreview(e)}>
          {kind === "accept" && <p>{t("decision.acceptIntro")}</p>}
          {kind === "missing_documents" && (
            <fieldset>
              <legend>{t("decision.missingLegend")}</legend>
              {kase.checklist.map((item, i) => (
                <label key={item.doc_type} className="check">
                  <input
                    type="checkbox"
                    checked={missing.includes(item.doc_type)}
                    onChange={() => setMissing((m) => toggle(m, item.doc_type))}
                    ref={(el) => {
                      if (item.doc_type === firstUnticked || (!firstUnticked && i === 0)) {
                        first.current = el;
                      }
                    }}
                    data-testid={`missing-${item.doc_type}`}
                  />{" "}
                  {documentName(item.doc_type)} <small>({t(`checklist.${item.state}`)})</small>
                </label>
              ))}
              <label className="stacked">
                {t("decision.missingOther")}
                <input
                  type="text"
                  value={other}
                  onChange={(e) => setOther(e.target.value)}
                  data-testid="missing-other"
                />
              </label>
            </fieldset>
          )}
          {kind === "refuse" &&
            REASONS.map((code) => (
              <fieldset key={code} className="reason">
                <legend>
                  <label>
                    <input
                      type="checkbox"
                      checked={reasons[code].on}
                      onChange={(e) => setReason(code, { on: e.target.checked })}
                      ref={(el) => {
                        if (code === "form_incorrect") first.current = el;
                      }}
                      data-testid={`reason-${code}`}
                    />{" "}
                    {t(`decision.reason.${code}`)}
                  </label>
                </legend>
                {reasons[code].on && code !== "other" && (
                  <div className="picks">
                    {allFields.map((f) => (
                      <label key={f.key} className="check">
                        <input
                          type="checkbox"
                          checked={reasons[code].fields.includes(f.key)}
                          onChange={() =>
                            setReason(code, { fields: toggle(reasons[code].fields, f.key) })
                          }
                          data-testid={`reason-${code}-field-${f.key}`}
                        />{" "}
                        {fieldName(f.key)}: <span className="value">{f.value}</span>
                      </label>
                    ))}
                    {code === "contradictory" &&
                      kase.documents.map((d) => (
                        <label key={d.id} className="check">
                          <input
                            type="checkbox"
                            checked={reasons[code].documents.includes(d.id)}
                            onChange={() =>
                              setReason(code, {
                                documents: toggle(reasons[code].documents, d.id),
                              })
                            }
                            data-testid={`reason-${code}-document-${d.doc_type}`}
                          />{" "}
                          {documentName(d.doc_type)} ({d.file_name})
                        </label>
                      ))}
                  </div>
                )}
              </fieldset>
            ))}
          <label className="stacked">
            {t("decision.note")}
            <textarea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              rows={3}
              maxLength={4000}
              data-testid="decision-note"
              ref={(el) => {
                if (kind === "accept") first.current = el;
              }}
            />
          </label>
          {error && <ErrorNotice error={error} />}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onClose}>
              {t("decision.cancel")} <kbd>Esc</kbd>
            </button>
            <button
              type="submit"
              disabled={busy}
              data-testid="decision-preview"
              aria-keyshortcuts="Control+Enter"
            >
              {t("decision.preview")} <kbd>Ctrl+Enter</kbd>
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
