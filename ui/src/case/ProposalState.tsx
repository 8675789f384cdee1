// A refusal waiting for a supervisor's approval (four eyes), as the case bar says it.
import { useTranslation } from "react-i18next";
import type { CaseView } from "../ipc/client";
import { formatDateTime } from "../queue/format";

export function ProposalState({ kase }: { kase: CaseView }) {
  const { t } = useTranslation();
  if (!kase.proposal) {
    return null;
  }
  return (
    <span className="decision-state proposed" role="status" data-testid="case-proposal">
      {t("approvals.waiting", { at: formatDateTime(kase.proposal.decided_at) })}
    </span>
  );
}
