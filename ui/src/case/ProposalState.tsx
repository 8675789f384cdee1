// Four eyes in the case bar: a refusal waiting for a supervisor's approval, or one the
// supervisor returned with a note (until the officer decides again).
import { useTranslation } from "react-i18next";
import type { CaseView } from "../ipc/client";
import { formatDateTime } from "../queue/format";

export function ProposalState({ kase }: { kase: CaseView }) {
  const { t } = useTranslation();
  if (kase.proposal) {
    return (
      <span className="decision-state proposed" role="status" data-testid="case-proposal">
        {t("approvals.waiting", { at: formatDateTime(kase.proposal.decided_at) })}
      </span>
    );
  }
  if (kase.returned) {
    return (
      <span className="decision-state returned" role="status" data-testid="case-returned">
        {t("approvals.returned", {
          name: kase.returned.by,
          at: formatDateTime(kase.returned.at),
          note: kase.returned.note,
        })}
      </span>
    );
  }
  return null;
}
