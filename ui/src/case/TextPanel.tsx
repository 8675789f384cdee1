import type { TFunction } from "i18next";
import { type ReactNode, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { useLoad } from "../data/useLoad";
import {
  type DeskError,
  type DocumentText,
  desk,
  toDeskError,
  type ZoneCheck,
  type ZoneDifference,
} from "../ipc/client";
import { formatDate } from "../queue/format";

/** A value of the zone as officers read it: dates as dd.mm.yyyy. */
function zoneValue(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(value) : value;
}

/** One difference between the zone and the form, as the panel and the checklist word it. */
export function differenceText(t: TFunction, d: ZoneDifference): string {
  const differs = t("text.zone.differs", { zone: zoneValue(d.zone), form: zoneValue(d.form) });
  const misread = d.likely_misread ? ` (${t("text.zone.misread")})` : "";
  return `${t(`text.zone.field.${d.field}`)}: ${differs}${misread}`;
}

/** The document's machine-readable zone: whether its check digits hold, what a reader's
 * confusion was corrected in, where it contradicts the form, and an expiry past. A zone
 * recognised on a scan whose check digits fail was most likely misread: its differences with
 * the form are not listed as if they were the applicant's. */
function ZoneSummary({ zone, recognised }: { zone: ZoneCheck; recognised: boolean }) {
  const { t } = useTranslation();
  const whole = zone.failed.length === 0;
  const misread = recognised && !whole;
  const field = (f: ZoneCheck["failed"][number]) => t(`text.zone.field.${f}`);
  return (
    <div
      className="text-zone"
      data-testid="text-zone"
      data-whole={whole}
      data-differences={zone.differences.length}
    >
      <h3>{t("text.zone.title", { format: zone.format })}</h3>
      <ul className="text-checks">
        <li className={whole ? "found" : "missing"}>
          <span aria-hidden="true">{whole ? "✓" : "⚠"}</span>{" "}
          {whole
            ? t("text.zone.whole")
            : t(misread ? "text.zone.failedRecognised" : "text.zone.failed", {
                fields: zone.failed.map(field).join(", "),
              })}
        </li>
        {zone.corrected.length > 0 && (
          <li className="found">
            <span aria-hidden="true">✓</span>{" "}
            {t("text.zone.corrected", { fields: zone.corrected.map(field).join(", ") })}
          </li>
        )}
        {(misread ? [] : zone.differences).map((d) => (
          <li key={d.field} className="missing" data-testid="zone-difference" data-field={d.field}>
            <span aria-hidden="true">⚠</span> {differenceText(t, d)}
          </li>
        ))}
        {zone.differences.length === 0 && whole && (
          <li className="found">
            <span aria-hidden="true">✓</span> {t("text.zone.agrees")}
          </li>
        )}
        {zone.expired && zone.expiry && (
          <li className="missing" data-testid="zone-expired">
            <span aria-hidden="true">⚠</span>{" "}
            {t("text.zone.expired", { date: formatDate(zone.expiry) })}
          </li>
        )}
      </ul>
    </div>
  );
}

/** The document's text with the applicant's key values marked where found, and a list that
 * flags each value not found: help for spotting contradictory information. */
export function TextPanel({
  documentId,
  testId,
  onText,
}: {
  documentId: string;
  testId: string;
  /** Told each text the panel shows (the viewer boxes its found values on the scan). */
  onText?: (text: DocumentText) => void;
}) {
  const { t } = useTranslation();
  const { data: text, error, replace } = useLoad(documentId, desk.documentText);
  const recognition = useRecognition(documentId, text?.can_recognise === true, replace);
  useEffect(() => {
    if (text && onText) onText(text);
  }, [text, onText]);

  if (error) return <ErrorNotice error={error} />;
  if (!text) return <section className="text-panel" aria-busy="true" />;

  const parts: ReactNode[] = [];
  let at = 0;
  for (const h of text.highlights) {
    if (h.start > at) parts.push(text.text.slice(at, h.start));
    parts.push(
      <mark key={h.start} className={`found ${h.field}`} data-field={h.field}>
        {text.text.slice(h.start, h.end)}
      </mark>,
    );
    at = h.end;
  }
  parts.push(text.text.slice(at));

  return (
    <section
      className="text-panel"
      aria-label={t("text.title")}
      data-testid={testId}
      data-state={text.state}
    >
      {text.state === "ready" ? (
        <>
          {text.recognised && (
            <p className="note" data-testid="recognised-note">
              {t("text.recognised")}
            </p>
          )}
          {text.can_recognise &&
            (recognition.failed ? (
              <RecognitionFailed
                message={t("text.recognisePagesFailed")}
                failed={recognition.failed}
                retry={recognition.retry}
              />
            ) : (
              <p className="note" role="status" data-testid="recognising">
                <progress aria-label={t("text.recognisingPages")} /> {t("text.recognisingPages")}
              </p>
            ))}
          {text.zone && <ZoneSummary zone={text.zone} recognised={text.recognised} />}
          <ul className="text-checks">
            {text.checks.map((c) => (
              <li
                key={`${c.field}-${c.value}`}
                className={c.found ? "found" : "missing"}
                data-found={c.found}
              >
                <span aria-hidden="true">{c.found ? "✓" : "⚠"}</span> {t(`text.field.${c.field}`)}{" "}
                <strong>{c.value}</strong> — {c.found ? t("text.found") : t("text.notFound")}
              </li>
            ))}
          </ul>
          <pre className="text-body">{parts}</pre>
          {text.truncated && <p className="note">{t("text.truncated")}</p>}
        </>
      ) : text.can_recognise && recognition.failed ? (
        <RecognitionFailed
          message={t("text.recogniseFailed")}
          failed={recognition.failed}
          retry={recognition.retry}
        >
          <p className="note">{t("text.state.no_text")}</p>
        </RecognitionFailed>
      ) : text.can_recognise ? (
        <p className="note" role="status" data-testid="recognising">
          <progress aria-label={t("text.recognising")} /> {t("text.recognising")}
        </p>
      ) : (
        <p className="note">
          {t(`text.state.${text.state}`)}
          {text.problem && `: ${text.problem}`}
        </p>
      )}
    </section>
  );
}

/** Why recognition failed, and a button to try again. */
function RecognitionFailed({
  message,
  failed,
  retry,
  children,
}: {
  message: string;
  failed: DeskError;
  retry: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="error-notice" data-testid="recognition-failed">
      <p>{message}</p>
      <details>
        <summary>{t("errors.detail")}</summary>
        <code>{failed.message}</code>
      </details>
      <button type="button" onClick={retry} data-testid="recognise-again">
        {t("text.recogniseAgain")}
      </button>
      {children}
    </div>
  );
}

/** Recognises the text of a scan without a text layer as soon as its panel shows it (once per
 * document and attempt), and hands the answer to the panel. */
function useRecognition(
  documentId: string,
  wanted: boolean,
  answered: (text: Awaited<ReturnType<typeof desk.recogniseDocument>>) => void,
) {
  const [failed, setFailed] = useState<DeskError | null>(null);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the retry trigger.
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    setFailed(null);
    desk.recogniseDocument(documentId).then(
      (text) => live && answered(text),
      (e) => live && setFailed(toDeskError(e)),
    );
    return () => {
      live = false;
    };
  }, [documentId, wanted, attempt, answered]);
  return { failed, retry: () => setAttempt((a) => a + 1) };
}
