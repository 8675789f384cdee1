import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, type MouseEvent, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { ConflictsInbox } from "../conflicts/ConflictsInbox";
import { heardAfterSync, useAfterSync } from "../data/afterSync";
import { useCatalogue } from "../data/catalogue";
import { prefetchCase } from "../data/prefetch";
import { useLoad } from "../data/useLoad";
import { codeText } from "../i18n/codes";
import {
  type DeskError,
  desk,
  type LocalizedText,
  type QueueQuery,
  type QueueRow,
  type SessionInfo,
  toDeskError,
} from "../ipc/client";
import { Deadline } from "./Deadline";
import { formatDate } from "./format";
import { PoolDialog } from "./PoolDialog";
import { type SyncState, SyncStatusLine } from "./SyncStatusLine";
import { UpdateNotice } from "./UpdateNotice";
import { useQueuePages } from "./useQueuePages";
import "./queue.css";

const ROW_HEIGHT = 36;

// A stable loader for useLoad: the inbox is this desk's own, so its key never changes.
const INBOX = "inbox";
const loadConflicts = () => desk.conflicts();

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** How close a case waiting for the officer's decision is to its deadline (for colour; the
 * words say it too). One decided on this desk is not waiting, unless it came back returned. */
function urgency(row: QueueRow): string {
  const decided = row.sync_state !== "none" && row.sync_state !== "returned";
  if (row.status !== "pending" || decided) return "";
  if (row.overdue) return "overdue";
  return row.working_days_left !== null && row.working_days_left <= 3 ? "due-soon" : "";
}

/** Whether a decision made on this desk is not settled with the centre yet (waiting to be sent,
 * in conflict, waiting for a supervisor's approval, returned): the queue's state column then
 * says where it stands, where the case's status at the centre would still say "waiting for a
 * decision". Once the centre has it, the status says what was decided. */
function unsettled(row: QueueRow): boolean {
  return row.sync_state !== "none" && row.sync_state !== "sent";
}

/** The officer's queue: search, filters, a virtualised list moved through with j/k or arrows. */
export function Queue({
  session,
  onChange,
  onSessionEnded,
  onOpen,
  onDepartment,
  hidden = false,
}: {
  session: SessionInfo;
  onChange: (session: SessionInfo) => void;
  /** The centre ended the session during a sync; the work on this desk is kept. */
  onSessionEnded: (error: DeskError) => void;
  /** Opens the case at `index` of the list `query` describes. */
  onOpen: (id: string, index: number, query: QueueQuery) => void;
  /** Opens the department view; offered to supervisors only. */
  onDepartment?: () => void;
  /** Kept mounted behind an open case, so the list and its place survive. */
  hidden?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const { catalogue, serviceName } = useCatalogue();
  const [service, setService] = useState("");
  const [search, setSearch] = useState("");
  const [mine, setMine] = useState(session.role !== "supervisor");
  const [overdue, setOverdue] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [selected, setSelected] = useState(0);
  const [sync, setSync] = useState<SyncState>({ state: "idle" });
  /** How many syncs asked for in this window have ended, done or failed. */
  const [syncsEnded, setSyncsEnded] = useState(0);
  const after = useAfterSync();
  const inboxLoad = useLoad(INBOX, loadConflicts);
  const [inbox, setInbox] = useState(false);
  const [poolOpen, setPoolOpen] = useState(false);
  /** Why the last lock or sign-out the officer asked for failed; the inbox has its own. */
  const [actionError, setActionError] = useState<DeskError | null>(null);
  const [seenError, setSeenError] = useState<DeskError | null>(null);
  const debouncedSearch = useDebounced(search, 200);
  const query: QueueQuery = {
    service: service === "" ? null : service,
    status: null,
    overdue,
    mine,
    search: debouncedSearch.trim() === "" ? null : debouncedSearch,
    sort: "due" as const,
    descending: false,
    offset: 0,
    limit: 0,
  };
  const { total, dueSoon, lastSync, rowAt, error: pageError } = useQueuePages(query, generation);
  const listRef = useRef<HTMLDivElement>(null);
  const syncRef = useRef<HTMLButtonElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const count = total ?? 0;
  const hasRows = count > 0;

  // The queue holds the focus whenever it shows (after sign-in, back from a case or the
  // department, after a sync): on the list, whose selected row is the active one, or on the sync
  // button while the queue is empty. Focus the officer put elsewhere (the search) stays there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a finished sync is a trigger too.
  useEffect(() => {
    if (hidden) return;
    const active = document.activeElement;
    const main = listRef.current?.closest("main");
    const placed =
      active && active !== document.body && active !== syncRef.current && main?.contains(active);
    if (placed) return;
    if (hasRows) listRef.current?.focus();
    else syncRef.current?.focus();
  }, [hidden, hasRows, generation]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => listRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });

  // Back from a case or the department, the rows are asked again: a decision, a note or a
  // move made there changed them (the rows shown stay until the answer replaces them).
  const wasHidden = useRef(hidden);
  useEffect(() => {
    if (wasHidden.current && !hidden) setGeneration((g) => g + 1);
    wasHidden.current = hidden;
  }, [hidden]);

  // The conflicts inbox is loaded with the queue, then again with its rows: after every sync
  // and every return to the queue.
  const reloadInbox = inboxLoad.reload;
  const inboxLoaded = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation is the trigger.
  useEffect(() => {
    if (inboxLoaded.current && !hidden) reloadInbox();
    inboxLoaded.current = true;
  }, [generation, reloadInbox]);
  const conflicts = inboxLoad.data ?? [];
  const unseen = conflicts.filter((c) => !c.seen).length;
  const openDepartment = session.role === "supervisor" ? onDepartment : undefined;

  // The selected case is prepared (first pages converted) once the selection settles, so
  // Enter opens it from memory.
  const settled = useDebounced(rowAt(selected)?.id ?? null, 150);
  useEffect(() => {
    if (hidden || settled === null) return;
    prefetchCase(settled);
  }, [settled, hidden]);

  // A new search or filter starts at its first row (an old position may lie beyond its end).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query's parts are the trigger.
  useEffect(() => setSelected(0), [debouncedSearch, service, mine, overdue]);
  const lang = i18n.language as keyof LocalizedText;

  /** Asks the desk for a new session state (after a lock, a sign-out); says why if it fails. */
  function changeSession(action: () => Promise<SessionInfo>) {
    setActionError(null);
    action().then(onChange, (thrown: unknown) => setActionError(toDeskError(thrown)));
  }

  // A lock noticed by the core (idle too long) takes the officer to the lock screen; the lock
  // screen says it, so the refusal itself is not shown.
  const locked = pageError?.kind === "locked" || inboxLoad.error?.kind === "locked";
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new lock is the only trigger.
  useEffect(() => {
    if (locked) changeSession(() => desk.session());
  }, [locked]);
  const shown = (e: DeskError | null) => (e && e.kind !== "locked" ? e : null);
  const error = shown(pageError);
  const inboxError = shown(inboxLoad.error);

  // The work after a sync (the documents' text read for search, then the scans recognised):
  // shown until nothing is left; then a search shown is asked again (it may find more). Without
  // one the list is the same, and is left as it is under the officer's keys.
  const wasAfter = useRef(false);
  const searching = query.search !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the end of the work is the trigger.
  useEffect(() => {
    if (wasAfter.current && !after && searching) setGeneration((g) => g + 1);
    wasAfter.current = after !== null;
  }, [after]);

  async function runSync() {
    setSync({ state: "running", progress: null });
    try {
      const report = await desk.syncNow(
        (progress) => setSync({ state: "running", progress }),
        heardAfterSync,
      );
      setSync({ state: "done", report });
      setGeneration((g) => g + 1);
    } catch (thrown) {
      const error = toDeskError(thrown);
      setSync({ state: "failed", error });
      // The centre ended the session: the desk asks for the password again.
      if (error.kind === "unauthorized") onSessionEnded(error);
    } finally {
      setSyncsEnded((n) => n + 1);
    }
  }

  function move(to: number) {
    const next = Math.max(0, Math.min(count - 1, to));
    setSelected(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const step: Record<string, number> = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
    if (event.key in step) {
      event.preventDefault();
      move(selected + (step[event.key] ?? 0));
    } else if (event.key === "PageDown" || event.key === "PageUp") {
      // A screenful of rows at a time, the selected row kept in view.
      event.preventDefault();
      const shown = Math.floor((listRef.current?.clientHeight ?? 0) / ROW_HEIGHT);
      const rows = Math.max(1, shown - 1);
      move(selected + (event.key === "PageDown" ? rows : -rows));
    } else if (event.key === "Home") {
      event.preventDefault();
      move(0);
    } else if (event.key === "End") {
      event.preventDefault();
      move(count - 1);
    } else if (event.key === "/") {
      event.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    } else if (event.key === "s") {
      event.preventDefault();
      if (sync.state !== "running") void runSync();
    } else if (event.key === "c") {
      event.preventDefault();
      setInbox(true);
    } else if (event.key === "p") {
      event.preventDefault();
      setPoolOpen(true);
    } else if (event.key === "d" && openDepartment) {
      event.preventDefault();
      openDepartment();
    } else if (event.key === "Enter") {
      const row = rowAt(selected);
      if (row) {
        event.preventDefault();
        onOpen(row.id, selected, query);
      }
    }
  }

  function onClick(event: MouseEvent<HTMLDivElement>) {
    const option = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (option?.dataset.index) setSelected(Number(option.dataset.index));
  }

  function onDoubleClick(event: MouseEvent<HTMLDivElement>) {
    const option = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    const index = Number(option?.dataset.index);
    const row = Number.isNaN(index) ? undefined : rowAt(index);
    if (row) onOpen(row.id, index, query);
  }

  const optionId = (index: number) => `${id}-row-${index}`;
  const cell = (row: QueueRow | undefined, pick: (r: QueueRow) => string) => (row ? pick(row) : "");

  return (
    <main className="queue-screen" hidden={hidden}>
      <header className="queue-bar">
        <h1 data-testid="queue-title">{t("queue.title")}</h1>
        <span className="who" data-testid="queue-user">
          {session.user_name}
        </span>
        <button
          type="button"
          ref={syncRef}
          onClick={() => void runSync()}
          disabled={sync.state === "running"}
          aria-keyshortcuts="s"
          data-testid="queue-sync"
        >
          {sync.state === "running" ? (
            t("queue.syncing")
          ) : (
            <>
              {t("queue.sync")} <kbd>s</kbd>
            </>
          )}
        </button>
        <button
          type="button"
          className={unseen > 0 ? "conflicts-button attention" : "conflicts-button secondary"}
          onClick={() => setInbox(true)}
          aria-keyshortcuts="c"
          data-testid="queue-conflicts"
          data-count={conflicts.length}
          data-unseen={unseen}
        >
          {t("conflicts.button", { count: unseen })}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => setPoolOpen(true)}
          aria-keyshortcuts="p"
          data-testid="queue-pool"
        >
          {t("pool.button")}
        </button>
        {openDepartment && (
          <button
            type="button"
            className="secondary"
            onClick={openDepartment}
            aria-keyshortcuts="d"
            data-testid="queue-department"
          >
            {t("supervision.open")}
          </button>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => changeSession(() => desk.lock())}
          data-testid="queue-lock"
        >
          {t("queue.lock")}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => changeSession(() => desk.signOut())}
          data-testid="queue-sign-out"
        >
          {t("queue.signOut")}
        </button>
        <LanguageSwitch />
      </header>

      {session.clock_off_by_seconds !== null && (
        <p className="note clock-off" data-testid="clock-off">
          {t("queue.clockOff", {
            count: Math.round(Math.abs(session.clock_off_by_seconds) / 60),
          })}
        </p>
      )}
      <SyncStatusLine sync={sync} ended={syncsEnded} after={after} lastSync={lastSync} />
      {sync.state === "failed" && <ErrorNotice error={sync.error} />}
      {actionError && <ErrorNotice error={actionError} />}
      {inboxError && <ErrorNotice error={inboxError} />}
      <UpdateNotice checkAfter={sync.state === "done" ? sync.report : null} />

      <div className="queue-filters">
        <label htmlFor={`${id}-search`} className="visually-hidden">
          {t("queue.search")}
        </label>
        <input
          ref={searchRef}
          id={`${id}-search`}
          type="search"
          placeholder={t("queue.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            // Enter or ↓ goes from the search to its results (the first is selected); Esc back
            // to the list, the search kept (or to the sync button when nothing is listed).
            if ((e.key === "Enter" || e.key === "ArrowDown") && hasRows) {
              e.preventDefault();
              listRef.current?.focus();
            } else if (e.key === "Escape") {
              e.preventDefault();
              (hasRows ? listRef.current : syncRef.current)?.focus();
            }
          }}
          aria-keyshortcuts="/"
          data-testid="queue-search"
        />
        <label htmlFor={`${id}-service`} className="visually-hidden">
          {t("queue.columns.service")}
        </label>
        <select
          id={`${id}-service`}
          value={service}
          onChange={(e) => setService(e.target.value)}
          data-testid="queue-service"
        >
          <option value="">{t("queue.allServices")}</option>
          {catalogue?.services.map((s) => (
            <option key={s.code} value={s.code}>
              {s.name[lang]}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={mine}
            onChange={(e) => setMine(e.target.checked)}
            data-testid="queue-mine"
          />{" "}
          {t("queue.mine")}
        </label>
        <label>
          <input
            type="checkbox"
            checked={overdue}
            onChange={(e) => setOverdue(e.target.checked)}
            data-testid="queue-overdue"
          />{" "}
          {t("queue.overdue")}
        </label>
        <span data-testid="queue-total" data-total={total ?? ""}>
          {total === null ? t("queue.loading") : t("queue.total", { count: total })}
        </span>
      </div>

      {error && <ErrorNotice error={error} />}
      {dueSoon !== null && dueSoon > 0 && (
        <p className="related-warning" role="status" data-testid="queue-due-soon">
          ⚠ {t("queue.dueSoon", { count: dueSoon })}
        </p>
      )}

      <div className="queue-head" aria-hidden="true">
        <span>{t("queue.columns.number")}</span>
        <span>{t("queue.columns.applicant")}</span>
        <span>{t("queue.columns.service")}</span>
        <span>{t("queue.columns.submitted")}</span>
        <span>{t("queue.columns.due")}</span>
        <span>{t("queue.columns.status")}</span>
      </div>
      {total === 0 && (
        <p className="queue-list empty" role="status">
          {t(lastSync === null ? "queue.neverSynced" : "queue.empty")}
        </p>
      )}
      <div
        ref={listRef}
        className="queue-list"
        // A listbox must hold options: an empty queue shows the sentence above instead.
        hidden={total === 0}
        role="listbox"
        tabIndex={0}
        aria-label={t("queue.title")}
        aria-describedby={`${id}-keys`}
        aria-activedescendant={count > 0 ? optionId(selected) : undefined}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onDoubleClick={onDoubleClick}
        data-testid="queue-list"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rowAt(item.index);
            return (
              <div
                key={item.key}
                id={optionId(item.index)}
                role="option"
                aria-selected={item.index === selected}
                className={`queue-row ${row ? urgency(row) : ""}`}
                data-testid="queue-row"
                data-number={row?.number ?? ""}
                data-sync={row?.sync_state ?? ""}
                data-index={item.index}
                tabIndex={-1}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <span>{cell(row, (r) => r.number) || t("queue.loading")}</span>
                <span>{cell(row, (r) => r.applicant)}</span>
                <span title={cell(row, (r) => serviceName(r.service))}>
                  {cell(row, (r) => serviceName(r.service))}
                </span>
                <span>{cell(row, (r) => formatDate(r.submitted_at))}</span>
                <span data-testid="queue-due">{row && <Deadline row={row} />}</span>
                <span
                  data-testid="queue-state"
                  className={row && unsettled(row) ? "unsettled" : undefined}
                >
                  {cell(row, (r) =>
                    unsettled(r)
                      ? codeText(t, "queue.syncState", r.sync_state)
                      : codeText(t, "queue.status", r.status),
                  )}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      <p id={`${id}-keys`} className="note">
        {t("queue.keys")}
        {openDepartment && ` ${t("supervision.openKey")}`}
      </p>
      {poolOpen && !hidden && (
        <PoolDialog
          onClaimed={(claimed) => {
            setPoolOpen(false);
            setGeneration((g) => g + 1);
            onOpen(claimed.id, -1, query);
          }}
          onClose={() => {
            setPoolOpen(false);
            listRef.current?.focus();
          }}
        />
      )}
      {inbox && !hidden && (
        <ConflictsInbox
          conflicts={conflicts}
          error={seenError}
          onOpenCase={(caseId) => {
            setInbox(false);
            onOpen(caseId, -1, query);
          }}
          onSeen={(conflictId) => {
            setSeenError(null);
            desk
              .conflictSeen(conflictId)
              .then(inboxLoad.replace, (thrown: unknown) => setSeenError(toDeskError(thrown)));
          }}
          onClose={() => {
            setInbox(false);
            setSeenError(null);
            listRef.current?.focus();
          }}
        />
      )}
    </main>
  );
}
