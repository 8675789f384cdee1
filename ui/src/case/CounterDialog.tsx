import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { useCatalogue } from "../data/catalogue";
import { type CaseView, type DeskError, desk, toDeskError } from "../ipc/client";

/** A file's bytes in base64, read in chunks (a scan is megabytes). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** A paper the applicant brought, scanned at the counter: the officer picks the file and its
 * document type; the desk checks it like any applicant file, keeps it at once (offline too) and
 * sends it at the next sync. Enter or Ctrl+Enter adds it; Escape closes. */
export function CounterDialog({
  kase,
  onClose,
  onAdded,
}: {
  kase: CaseView;
  onClose: () => void;
  onAdded: (view: CaseView) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { catalogue, documentName } = useCatalogue();
  // The first required document the case lacks, else the first required one.
  const [docType, setDocType] = useState(
    () =>
      kase.checklist.find((c) => c.state !== "present")?.doc_type ??
      kase.checklist[0]?.doc_type ??
      "",
  );
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const required = new Set(kase.checklist.map((c) => c.doc_type));
  const types = [
    ...kase.checklist.map((c) => c.doc_type),
    ...(catalogue?.document_types.map((d) => d.code).filter((c) => !required.has(c)) ?? []),
  ];

  useEffect(() => {
    input.current?.focus();
  }, []);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy || !file) return;
    setBusy(true);
    setError(null);
    try {
      const view = await desk.addCounterDocument(kase.id, {
        doc_type: docType,
        file_name: file.name,
        content_base64: await base64Of(file),
      });
      onAdded(view);
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
    <Dialog labelledBy={`${id}-title`} onKeyDown={onKeyDown} data-testid="counter-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>
          {t("counter.title")} · {kase.number}
        </h2>
        <p className="notes-hint">{t("counter.hint")}</p>
        <label>
          {t("counter.file")}
          <input
            ref={input}
            type="file"
            accept="application/pdf,image/jpeg,image/png,image/tiff,image/webp,image/bmp"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            required
            data-testid="counter-file"
          />
        </label>
        <label>
          {t("counter.type")}
          <select
            value={docType}
            onChange={(e) => setDocType(e.target.value)}
            data-testid="counter-type"
          >
            {types.map((code) => (
              <option key={code} value={code}>
                {documentName(code)}
              </option>
            ))}
          </select>
        </label>
        {error && <ErrorNotice error={error} />}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t("decision.cancel")}
          </button>
          <button type="submit" disabled={busy || !file} data-testid="counter-confirm">
            {t("counter.confirm")} <kbd>Ctrl+Enter</kbd>
          </button>
        </div>
      </form>
    </Dialog>
  );
}
