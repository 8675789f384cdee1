// The department's e-mails to applicants that did not reach them, or may not have, with the
// supervisor's one action on them: queue the e-mail again.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LoadingNote } from "../components/LoadingNote";
import { codeText } from "../i18n/codes";
import { type DeskError, desk, toDeskError, type UndeliveredView } from "../ipc/client";
import { formatDateTime } from "../queue/format";

/** One undelivered e-mail: to whom, for which case, why, and the requeue button. An e-mail cut
 * off midway may have arrived: the supervisor is told to check the relay's log first. */
function Undelivered({
  email: e,
  onRequeued,
}: {
  email: UndeliveredView;
  onRequeued: (list: UndeliveredView[]) => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskError | null>(null);

  async function requeue() {
    setBusy(true);
    setError(null);
    try {
      onRequeued(await desk.requeueEmail(e.id));
    } catch (thrown) {
      setError(toDeskError(thrown));
      setBusy(false);
    }
  }

  return (
    <li data-testid="undelivered-email" data-state={e.state} data-email={e.id}>
      <h3>
        {e.number} · {e.to}
      </h3>
      <p>
        {codeText(t, "supervision.undelivered.state", e.state)} ·{" "}
        {t("supervision.undelivered.attempts", { count: e.attempts })} ·{" "}
        {formatDateTime(e.created_at)}
      </p>
      {e.last_error && <p className="note">{e.last_error}</p>}
      {e.state === "sending" && (
        <p className="note" data-testid="undelivered-check-relay">
          {t("supervision.undelivered.checkRelay", { id: e.message_id ?? "—" })}
        </p>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={() => void requeue()}
        data-testid="undelivered-requeue"
      >
        {t("supervision.undelivered.requeue")}
      </button>
      {error && <ErrorNotice error={error} />}
    </li>
  );
}

/** The department's undelivered e-mails: failed ones, and those whose sending was cut off. */
export function UndeliveredEmails({
  emails,
  loading,
  error,
  onRequeued,
}: {
  emails: UndeliveredView[] | null;
  loading: boolean;
  error: DeskError | null;
  onRequeued: (list: UndeliveredView[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section
      className="department-panel department-undelivered"
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-testid="department-undelivered"
    >
      <h2 id={`${id}-title`}>{t("supervision.undelivered.title")}</h2>
      <LoadingNote shown={loading && emails === null && !error} />
      {error && <ErrorNotice error={error} />}
      {emails !== null &&
        (emails.length === 0 ? (
          <p>{t("supervision.undelivered.none")}</p>
        ) : (
          <ul className="conflict-list">
            {emails.map((e) => (
              <Undelivered key={e.id} email={e} onRequeued={onRequeued} />
            ))}
          </ul>
        ))}
    </section>
  );
}
