import { desk, type QueueQuery } from "../ipc/client";

/**
 * Prepares a case (its first documents converted) before the officer opens it, so it opens
 * from memory. Best effort, so a failure is deliberately ignored: the officer did not ask for
 * anything yet, and the same work runs again when the case is opened, where a real problem is
 * shown to them.
 */
export function prefetchCase(id: string): void {
  desk.prefetchCase(id).catch(ignorePrefetchFailure);
}

/** Prepares the case at `index` of the list `query` describes (the next one, for `n`); best
 * effort like `prefetchCase`. */
export function prefetchCaseAt(query: QueueQuery, index: number): void {
  desk
    .queuePage({ ...query, offset: index, limit: 1 })
    .then((page) => (page.rows[0] ? desk.prefetchCase(page.rows[0].id) : 0))
    .catch(ignorePrefetchFailure);
}

function ignorePrefetchFailure(): void {
  // Nothing to tell the officer: see prefetchCase.
}
