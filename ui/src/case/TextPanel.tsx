import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { useLoad } from "../data/useLoad";
import { desk } from "../ipc/client";

/** The document's text with the applicant's key values marked where found, and a list that
 * flags each value not found: help for spotting contradictory information. */
export function TextPanel({ documentId, testId }: { documentId: string; testId: string }) {
  const { t } = useTranslation();
  const { data: text, error } = useLoad(documentId, desk.documentText);

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
      ) : (
        <p className="note">
          {t(`text.state.${text.state}`)}
          {text.problem && `: ${text.problem}`}
        </p>
      )}
    </section>
  );
}
