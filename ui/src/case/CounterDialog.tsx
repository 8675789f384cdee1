import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useCatalogue } from "../data/catalogue";
import { type CaseView, desk } from "../ipc/client";
import { RequestForm } from "./AfterDecision";

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
 * sends it at the next sync. Ctrl+Enter adds it; Escape closes. */
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
  const { catalogue, documentName } = useCatalogue();
  // The first required document the case lacks, else the first required one.
  const [docType, setDocType] = useState(
    () =>
      kase.checklist.find((c) => c.state !== "present")?.doc_type ??
      kase.checklist[0]?.doc_type ??
      "",
  );
  const [file, setFile] = useState<File | null>(null);
  const required = new Set(kase.checklist.map((c) => c.doc_type));
  const types = [
    ...kase.checklist.map((c) => c.doc_type),
    ...(catalogue?.document_types.map((d) => d.code).filter((c) => !required.has(c)) ?? []),
  ];

  return (
    <RequestForm
      title={`${t("counter.title")} · ${kase.number}`}
      hint={t("counter.hint")}
      online={false}
      ready={file !== null}
      confirm={t("counter.confirm")}
      testId="counter-dialog"
      send={async () => {
        if (!file) throw { kind: "invalid", message: "no file" };
        return desk.addCounterDocument(kase.id, {
          doc_type: docType,
          file_name: file.name,
          content_base64: await base64Of(file),
        });
      }}
      onClose={onClose}
      onDone={onAdded}
    >
      <label>
        {t("counter.file")}
        <input
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
    </RequestForm>
  );
}
