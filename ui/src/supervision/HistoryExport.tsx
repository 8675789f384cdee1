import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { type DeskError, desk, toDeskError } from "../ipc/client";

export type Export =
  | { state: "running"; number: string }
  | { state: "done"; number: string; path: string }
  | { state: "failed"; number: string; error: DeskError };

/** Writes a case's history to a CSV file through the desk; remembers how it went. */
export function useHistoryExport() {
  const [exported, setExported] = useState<Export | null>(null);
  async function run(caseId: string, number: string) {
    setExported({ state: "running", number });
    try {
      const path = await desk.exportHistory(caseId);
      setExported({ state: "done", number, path });
    } catch (thrown) {
      setExported({ state: "failed", number, error: toDeskError(thrown) });
    }
  }
  return { exported, run };
}

/** A case's history written to a CSV file, and where it went (or why it could not be). */
export function ExportStatus({ exported }: { exported: Export | null }) {
  const { t } = useTranslation();
  return (
    <div role="status" className="export-status">
      {exported?.state === "done" && (
        <p data-testid="export-done">
          {t("supervision.export.done", { number: exported.number })} <code>{exported.path}</code>
        </p>
      )}
      {exported?.state === "failed" && <ErrorNotice error={exported.error} />}
    </div>
  );
}

/** The button that exports one case's history. */
export function ExportButton({
  caseId,
  number,
  exported,
  run,
}: {
  caseId: string;
  number: string;
  exported: Export | null;
  run: (caseId: string, number: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      onClick={() => void run(caseId, number)}
      disabled={exported?.state === "running"}
      aria-label={t("supervision.export.label", { number })}
      data-testid="export-history"
    >
      {t("supervision.export.button")}
    </button>
  );
}
