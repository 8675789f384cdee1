/** One timed step: what, and when it started and ended (`performance.now()`). */
export type Step = [what: string, start: number, end: number];

/**
 * Steps of the desk's work (calls to the core, a document fetched, parsed, drawn), kept only
 * while the window benchmark (`scripts/bench.sh ui`) has set `window.migdeskTrace` to an array
 * to collect them; otherwise nothing is kept.
 */
export function trace(what: string, start: number, end = performance.now()): void {
  (window as { migdeskTrace?: Step[] }).migdeskTrace?.push([what, start, end]);
}
