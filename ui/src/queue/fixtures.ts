// Test-only data for the queue: an officer signed in, a queue of synthetic cases answered page
// by page, the catalogue and the inbox beside it.
import type { CatalogueInfo, QueueQuery, QueueRow, SessionInfo, SyncReport } from "../ipc/client";
import type { Handlers } from "../ipc/testing";

export const aysel: SessionInfo = {
  signed_in: true,
  locked: false,
  server: "http://127.0.0.1:8470",
  user_name: "Aysel Məmmədova",
  role: "officer",
  clock_off_by_seconds: null,
  server_locked: false,
  default_language: null,
};

export function row(n: number): QueueRow {
  return {
    id: `app-${n}`,
    number: `MX-2026-${String(n).padStart(6, "0")}`,
    applicant: n % 2 ? "Çingiz İSMAYILLI" : "Şəhla QULİYEVA",
    service: "trp-issue",
    status: "pending",
    submitted_at: "2026-11-02T10:00:00Z",
    due_date: "2026-11-30",
    sync_state: n === 1 ? "pending" : "none",
    working_days_left: n === 0 ? -2 : 7,
    paused_days_left: null,
    overdue: n === 0,
  };
}

/** A queue of `total` cases answered page by page, recording each query. */
export function queue(total: number, queries: QueueQuery[]) {
  return (args: { query: QueueQuery }) => {
    queries.push(args.query);
    // A search finds one case of every ten.
    const found = args.query.search ? Math.ceil(total / 10) : total;
    const end = Math.min(found, args.query.offset + args.query.limit);
    const rows = [];
    for (let n = args.query.offset; n < end; n++) rows.push(row(n));
    return { rows, total: found, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" };
  };
}

export const catalogue: CatalogueInfo = {
  services: [
    {
      code: "trp-issue",
      name: {
        az: "Müvəqqəti yaşama icazəsi",
        en: "Temporary residence permit",
        ru: "Разрешение на временное проживание",
      },
      required_documents: ["passport-copy"],
    },
  ],
  document_types: [],
};

/** What the desk answers beside the queue once an officer is in: the catalogue, an empty inbox. */
export const besideQueue: Handlers = { catalogue: () => catalogue, conflicts: () => [] };

/** A sync that brought a few changes and documents and sent nothing. */
export const synced: SyncReport = {
  changes: 3,
  documents_downloaded: 7,
  documents_failed: 0,
  bytes_downloaded: 1000,
  decisions_sent: 0,
  conflicts: 0,
  audit_events_sent: 0,
  notes_sent: 0,
  notes_refused: 0,
  counter_documents_sent: 0,
  counter_documents_refused: 0,
  approvals_sent: 0,
  approvals_refused: 0,
  cases_purged: 0,
  feed_restarted: false,
};
