// The queue's status line: a sync's progress and what it brought, the work after it, and how
// fresh the cached cases are before a sync runs in the window.
import { useTranslation } from "react-i18next";
import type { DeskError, Progress, SyncReport } from "../ipc/client";
import { formatDateTime } from "./format";

/** Where the sync asked for in this window stands. */
export type SyncState =
  | { state: "idle" }
  | { state: "running"; progress: Progress | null }
  | { state: "done"; report: SyncReport }
  | { state: "failed"; error: DeskError };

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toLocaleString("az-AZ", { maximumFractionDigits: 1 });
}

/** What a running sync is doing: the phase, documents and bytes, the time left. */
function SyncProgress({
  progress,
  testId = "sync-progress",
}: {
  progress: Progress | null;
  testId?: string;
}) {
  const { t } = useTranslation();
  if (!progress) return <span>{t("queue.syncing")}</span>;
  const total = progress.bytes_total;
  return (
    <span className="sync-progress" data-testid={testId} data-phase={progress.phase}>
      {t(`sync.phase.${progress.phase}`)}
      {progress.documents_total > 0 && (
        <>
          {" "}
          <progress
            max={total > 0 ? total : progress.documents_total}
            value={total > 0 ? progress.bytes : progress.documents_done}
            aria-label={t("sync.progress")}
          />{" "}
          {t("sync.documents", { done: progress.documents_done, total: progress.documents_total })}
          {total > 0 && ` · ${megabytes(progress.bytes)} / ${megabytes(total)} MB`}
          {progress.seconds_remaining !== null &&
            ` · ${t("sync.remaining", { seconds: Math.ceil(progress.seconds_remaining) })}`}
        </>
      )}
    </span>
  );
}

/** What a sync did, in words: what it brought and sent, and each count the officer must know
 * of only when there is one. */
function SyncReportText({ report }: { report: SyncReport }) {
  const { t } = useTranslation();
  const counted: [number, string][] = [
    [report.notes_sent, t("queue.notesSent", { count: report.notes_sent })],
    [report.notes_refused, t("queue.notesRefused", { count: report.notes_refused })],
    [
      report.counter_documents_sent,
      t("queue.counterSent", { count: report.counter_documents_sent }),
    ],
    [
      report.counter_documents_refused,
      t("queue.counterRefused", { count: report.counter_documents_refused }),
    ],
    [report.documents_failed, t("queue.documentsFailed", { count: report.documents_failed })],
  ];
  const words = [
    t("queue.synced", {
      changes: report.changes,
      documents: report.documents_downloaded,
      sent: report.decisions_sent,
    }),
    ...counted.filter(([count]) => count > 0).map(([, text]) => text),
    ...(report.feed_restarted ? [t("queue.feedRestarted")] : []),
  ];
  return words.join(" ");
}

/** The status line under the queue's bar: the running sync's progress, then what it did; the
 * work after a sync (`after`, while some is left); and, until a sync runs here or after one
 * failed, when this desk last synced (`lastSync`). */
export function SyncStatusLine({
  sync,
  ended,
  after,
  lastSync,
}: {
  sync: SyncState;
  /** How many syncs of this window have ended (`data-ended`: a test, or a tool, tells its own
   * sync's end from an earlier one's). */
  ended: number;
  after: Progress | null;
  lastSync: string | null | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div
      role="status"
      className="sync-status"
      data-testid="sync-status"
      data-state={sync.state}
      data-ended={ended}
    >
      {sync.state === "running" && <SyncProgress progress={sync.progress} />}
      {/* Until a sync runs here, or after one failed: how fresh the cached cases are. */}
      {(sync.state === "idle" || sync.state === "failed") && lastSync && (
        <span data-testid="last-sync">{t("queue.lastSync", { at: formatDateTime(lastSync) })}</span>
      )}
      {sync.state === "done" && <SyncReportText report={sync.report} />}
      {after && (
        <>
          {" "}
          <SyncProgress progress={after} testId="after-sync-progress" />
        </>
      )}
    </div>
  );
}
