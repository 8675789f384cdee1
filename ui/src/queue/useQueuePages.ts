import { useCallback, useEffect, useRef, useState } from "react";
import { type DeskError, desk, type QueueQuery, type QueueRow, toDeskError } from "../ipc/client";

/** Rows are fetched from the core a page at a time, as they come into view. */
export const PAGE_SIZE = 200;

export type QueuePages = {
  /** Cases matching the query; `null` until the first page has arrived. */
  total: number | null;
  /** The officer's cases due today or on the next working day, whatever the query. */
  dueSoon: number | null;
  /** When this desk last synced (RFC 3339): `null` before its first sync, `undefined` until
   * the first page has arrived. */
  lastSync: string | null | undefined;
  /** The row at `index`, or `undefined` while its page is on its way (the page is requested). */
  rowAt: (index: number) => QueueRow | undefined;
  error: DeskError | null;
};

/**
 * The queue for a query, paged: the list can hold 100,000 cases while only the pages on screen
 * are in memory. A new query starts over; a new `generation` of the same query (after a sync)
 * asks again and shows the rows it had until the first answer comes, so the list never empties
 * under the officer's keys.
 */
type PagesState = {
  key: string;
  /** The query, without its generation. */
  asked: string;
  total: number | null;
  dueSoon: number | null;
  lastSync: string | null | undefined;
  pages: Map<number, QueueRow[]>;
  error: DeskError | null;
};

/** Nothing loaded yet for the query `key`. */
function empty(key: string, asked: string): PagesState {
  return {
    key,
    asked,
    total: null,
    dueSoon: null,
    lastSync: undefined,
    pages: new Map(),
    error: null,
  };
}

export function useQueuePages(query: Omit<QueueQuery, "offset" | "limit">, generation: number) {
  const asked = JSON.stringify(query);
  const key = JSON.stringify([query, generation]);
  const [state, setState] = useState<PagesState>(() => empty(key, asked));
  const requested = useRef(new Set<string>());
  const queryRef = useRef(query);
  queryRef.current = query;
  const keyRef = useRef(key);
  keyRef.current = key;

  const load = useCallback(
    (page: number) => {
      const id = `${key}#${page}`;
      if (requested.current.has(id)) return;
      requested.current.add(id);
      // An answer for an older query is dropped; one for the current query may arrive before
      // the state has switched to it (rows are asked for while rendering), so it starts it.
      const apply = (change: (s: PagesState) => PagesState) =>
        setState((s) => {
          if (keyRef.current !== key) return s;
          return change(s.key === key ? s : empty(key, asked));
        });
      desk
        .queuePage({ ...queryRef.current, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then((result) =>
          apply((s) => ({
            ...s,
            total: result.total,
            dueSoon: result.due_soon,
            lastSync: result.last_sync,
            pages: new Map(s.pages).set(page, result.rows),
            error: null,
          })),
        )
        .catch((thrown: unknown) => {
          requested.current.delete(id);
          apply((s) => ({ ...s, error: toDeskError(thrown) }));
        });
    },
    [key, asked],
  );

  useEffect(() => {
    // Coming back to an earlier query asks again: the cases may have changed meanwhile.
    for (const id of requested.current) {
      if (!id.startsWith(`${key}#`)) requested.current.delete(id);
    }
    // The same query asked again keeps its rows until the first answer replaces them.
    setState((s) => (s.key === key || s.asked === asked ? s : empty(key, asked)));
    load(0);
  }, [key, asked, load]);

  const current = state.key === key || state.asked === asked ? state : empty(key, asked);
  const rowAt = useCallback(
    (index: number) => {
      const page = Math.floor(index / PAGE_SIZE);
      const rows = current.pages.get(page);
      if (!rows) {
        load(page);
        return undefined;
      }
      return rows[index - page * PAGE_SIZE];
    },
    [current.pages, load],
  );
  return {
    total: current.total,
    dueSoon: current.dueSoon,
    lastSync: current.lastSync,
    rowAt,
    error: current.error,
  } satisfies QueuePages;
}
