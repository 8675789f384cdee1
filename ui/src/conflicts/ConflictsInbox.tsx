import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { codeText } from "../i18n/codes";
import type { ConflictResolution, ConflictView, DeskError } from "../ipc/client";
import { formatDateTime } from "../queue/format";
import "./conflicts.css";

/** One conflict told in words: what the officer decided, what happened at the centre, and what
 * happens now. The facts come from the centre's answer; the wording is the UI's. A decision
 * recorded on this desk is told to "you"; one recorded elsewhere names who recorded it. */
export function conflictStory(t: TFunction, c: ConflictView): string {
  const facts = {
    decision: t(`decision.kind.${c.kind}`),
    decided: formatDateTime(c.decided_at),
    changed: c.changed_at ? formatDateTime(c.changed_at) : t("conflicts.unknownTime"),
    name: c.now_with ?? t("case.nobody"),
    status: c.status_now ? codeText(t, "queue.status", c.status_now) : "",
    message: c.message,
    by: c.decided_by ?? t("conflicts.someone"),
  };
  if (c.answer) {
    // A supervisor's answer to a proposed refusal that the centre could not apply.
    return t(`conflicts.approvalStory.${c.cause}`, facts);
  }
  return c.on_this_desk
    ? t(`conflicts.story.${c.cause}`, facts)
    : t(`conflicts.theirStory.${c.cause}`, facts);
}

/** What a supervisor decided about a conflict: the action, who, when, and the reason given. */
export function ResolutionNote({ resolution }: { resolution: ConflictResolution }) {
  const { t } = useTranslation();
  const facts = { by: resolution.by, at: formatDateTime(resolution.at) };
  return (
    <>
      {t(`conflicts.resolution.${resolution.action}`, facts)}
      {resolution.reason && <> {t("conflicts.resolutionReason", { reason: resolution.reason })}</>}
    </>
  );
}

/** The conflicts inbox: each decision the centre kept but could not apply, explained, with the
 * actions that make sense (open the case; mark as seen — it is never deleted). */
export function ConflictsInbox({
  conflicts,
  error = null,
  onOpenCase,
  onSeen,
  onClose,
}: {
  conflicts: ConflictView[];
  /** Why the last action in the inbox (marking one seen) failed. */
  error?: DeskError | null;
  onOpenCase: (caseId: string) => void;
  onSeen: (id: string) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      labelledBy="conflicts-title"
      className="conflicts"
      data-testid="conflicts-inbox"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <h2 id="conflicts-title">{t("conflicts.title")}</h2>
      <p className="note">{t("conflicts.kept")}</p>
      {error && <ErrorNotice error={error} />}
      {conflicts.length === 0 ? (
        <p>{t("conflicts.none")}</p>
      ) : (
        <ul className="conflict-list">
          {conflicts.map((c) => (
            <li
              key={c.id}
              className={c.seen ? "seen" : "unseen"}
              data-testid="conflict"
              data-case={c.case_id}
              data-cause={c.cause}
              data-seen={c.seen}
            >
              <h3>
                {c.number} · {c.applicant}
                {c.seen && <span className="badge">{t("conflicts.seen")}</span>}
              </h3>
              {!c.on_this_desk && (
                <p className="conflict-by" data-testid="conflict-by">
                  {t("conflicts.decidedBy", { name: c.decided_by ?? t("conflicts.someone") })}
                </p>
              )}
              <p data-testid="conflict-story">{conflictStory(t, c)}</p>
              {c.resolution && (
                <p
                  className="conflict-resolution"
                  data-testid="conflict-resolution"
                  data-action={c.resolution.action}
                >
                  <strong>{t("conflicts.answer")}</strong>{" "}
                  <ResolutionNote resolution={c.resolution} />
                </p>
              )}
              <div className="actions">
                <button
                  type="button"
                  onClick={() => onOpenCase(c.case_id)}
                  data-testid="conflict-open"
                >
                  {t("conflicts.open")}
                </button>
                {!c.seen && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => onSeen(c.id)}
                    data-testid="conflict-seen"
                  >
                    {t("conflicts.markSeen")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="secondary"
        onClick={onClose}
        ref={(el) => el?.focus()}
        data-testid="conflicts-close"
      >
        {t("help.close")}
      </button>
    </Dialog>
  );
}
