// The department's pool, opened with `p` from the queue: the cases no officer has yet, the
// soonest due first, each claimed with its button (Enter on it). A claim the centre gives to
// someone else first is said so, and the pool is shown again as it is now.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../components/Dialog";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { useCatalogue } from "../data/catalogue";
import { useLoad } from "../data/useLoad";
import { type CaseView, type DeskError, desk, toDeskError } from "../ipc/client";
import { Deadline } from "./Deadline";

const POOL = "pool";
const loadPool = () => desk.poolCases();

export function PoolDialog({
  onClaimed,
  onClose,
}: {
  /** The case is now the officer's, kept on this desk. */
  onClaimed: (claimed: CaseView) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { serviceName } = useCatalogue();
  const pool = useLoad(POOL, loadPool);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [error, setError] = useState<DeskError | null>(null);
  const box = useRef<HTMLDivElement>(null);

  // The keys go to the first claim once the pool is there, else to the dialog's close button.
  useEffect(() => {
    if (pool.data === null) return;
    box.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
  }, [pool.data]);

  async function claim(caseId: string) {
    setClaiming(caseId);
    setError(null);
    try {
      onClaimed(await desk.claimCase(caseId));
    } catch (thrown) {
      setError(toDeskError(thrown));
      pool.reload();
    } finally {
      setClaiming(null);
    }
  }

  const cases = pool.data ?? [];
  return (
    <Dialog
      labelledBy={`${id}-title`}
      className="pool"
      data-testid="pool"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div ref={box}>
        <h2 id={`${id}-title`}>{t("pool.title")}</h2>
        <p className="note">{t("pool.intro")}</p>
        {error && (
          <div data-testid="pool-error">
            {error.kind === "invalid" ? (
              <p role="alert">{t("pool.taken")}</p>
            ) : (
              <ErrorNotice error={error} />
            )}
          </div>
        )}
        {pool.error && <ErrorNotice error={pool.error} />}
        {pool.data === null ? (
          pool.loading && <LoadingNote />
        ) : cases.length === 0 ? (
          <p data-testid="pool-empty">{t("pool.empty")}</p>
        ) : (
          <ul className="pool-list">
            {cases.map((c) => (
              <li key={c.case_id} data-testid="pool-case" data-case={c.case_id}>
                <span className="pool-number">{c.number}</span>
                <span>{c.applicant}</span>
                <span>{serviceName(c.service)}</span>
                <span>
                  <Deadline
                    row={{
                      status: "pending",
                      due_date: c.due_date,
                      working_days_left: c.working_days_left,
                      paused_days_left: null,
                      overdue: c.working_days_left < 0,
                    }}
                  />
                </span>
                <button
                  type="button"
                  onClick={() => void claim(c.case_id)}
                  disabled={claiming !== null}
                  aria-label={t("pool.claimOne", { number: c.number, applicant: c.applicant })}
                  data-testid="pool-claim"
                >
                  {t("pool.claim")}
                </button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" className="secondary" onClick={onClose} data-testid="pool-close">
          {t("help.close")}
        </button>
      </div>
    </Dialog>
  );
}
