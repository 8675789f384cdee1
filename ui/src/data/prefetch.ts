import { warmPdfEngine } from "../case/pdfjs";
import { desk, type Prefetched, type QueueQuery } from "../ipc/client";

/**
 * Prepares a case (its first documents converted) before the officer opens it, so it opens
 * from memory; when pdf.js will draw one of them, pdf.js and its worker are started now too
 * (and only then: a desk whose cases are scans never holds them). Best effort, so a failure is
 * deliberately ignored: the officer did not ask for anything yet, and the same work runs again
 * when the case is opened, where a real problem is shown to them.
 */
export function prefetchCase(id: string): void {
  desk.prefetchCase(id).then(prepared).catch(ignorePrefetchFailure);
}

/** Prepares the case at `index` of the list `query` describes (the next one, for `n`); best
 * effort like `prefetchCase`. */
export function prefetchCaseAt(query: QueueQuery, index: number): void {
  desk
    .queuePage({ ...query, offset: index, limit: 1 })
    .then((page) => (page.rows[0] ? desk.prefetchCase(page.rows[0].id).then(prepared) : undefined))
    .catch(ignorePrefetchFailure);
}

function prepared(result: Prefetched): void {
  if (result.pdf) warmPdfEngine();
}

function ignorePrefetchFailure(): void {
  // Nothing to tell the officer: see prefetchCase.
}
