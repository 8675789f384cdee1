import { useTranslation } from "react-i18next";
import { useCatalogue } from "../data/catalogue";
import { codeText } from "../i18n/codes";
import type { CaseView } from "../ipc/client";
import { formatDate } from "../queue/format";

/** The applicant's other applications, linked by the centre by FIN or passport number: the
 * service, when, where it stands or what was decided and why; an open one for the same service
 * is flagged as a possible duplicate. */
export function ApplicantHistory({ kase }: { kase: CaseView }) {
  const { t } = useTranslation();
  const { serviceName } = useCatalogue();
  const related = kase.applicant_history;
  const duplicates = related.filter((r) => r.possible_duplicate).length;
  return (
    <section aria-labelledby="related-title" data-testid="applicant-history">
      <h2 id="related-title">{t("related.title")}</h2>
      {duplicates > 0 && (
        <p className="related-warning" role="note" data-testid="possible-duplicate">
          {t("related.duplicateWarning", { count: duplicates })}
        </p>
      )}
      {related.length === 0 ? (
        <p className="notes-none">{t("related.none")}</p>
      ) : (
        <ul className="related">
          {related.map((r) => (
            <li
              key={r.number}
              data-number={r.number}
              data-duplicate={r.possible_duplicate ? "yes" : "no"}
              className={r.possible_duplicate ? "duplicate" : ""}
            >
              <div>
                <strong>{r.number}</strong> · {serviceName(r.service)} ·{" "}
                {formatDate(r.submitted_at)}
              </div>
              <div className="related-outcome">
                {r.decision
                  ? `${codeText(t, "decision.kind", r.decision)}${
                      r.decided_at ? ` (${formatDate(r.decided_at)})` : ""
                    }`
                  : codeText(t, "queue.status", r.status)}
                {r.reasons.length > 0 &&
                  `: ${r.reasons.map((code) => codeText(t, "decision.reason", code)).join("; ")}`}
              </div>
              <div className="related-link">
                {r.same_fin && r.same_passport
                  ? t("related.byBoth")
                  : r.same_fin
                    ? t("related.byFin")
                    : t("related.byPassport")}
                {r.possible_duplicate && ` · ${t("related.duplicate")}`}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
