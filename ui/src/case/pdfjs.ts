type PdfJs = typeof import("pdfjs-dist");
type PdfWorker = InstanceType<PdfJs["PDFWorker"]>;
export type PdfDocument = Awaited<ReturnType<PdfJs["getDocument"]>["promise"]>;

/** pdf.js and the one worker every document is parsed and drawn in. */
export type PdfEngine = { lib: PdfJs; worker: PdfWorker };

let engine: Promise<PdfEngine> | null = null;

/**
 * pdf.js, loaded on first use with its worker from the app's own files (CSP
 * `worker-src 'self'`). One worker serves every document: starting a worker (loading and
 * compiling its megabyte of script) for each document opened cost about a hundred
 * milliseconds of every case opened.
 */
export async function pdfEngine(): Promise<PdfEngine> {
  engine ??= Promise.all([
    import("pdfjs-dist"),
    import("pdfjs-dist/build/pdf.worker.min.mjs?url"),
  ]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return { lib, worker: new lib.PDFWorker() };
  });
  const current = await engine;
  // A worker that went away (destroyed after a failure) is replaced, not reused.
  if (current.worker.destroyed) {
    engine = Promise.resolve({ lib: current.lib, worker: new current.lib.PDFWorker() });
    return engine;
  }
  return current;
}

/** Starts pdf.js and its worker while the officer is still choosing a case, so the first case
 * opened does not wait for them. Best effort: a failure shows when a document is drawn. */
export function warmPdfEngine(): void {
  if (typeof Worker === "undefined") return;
  pdfEngine().catch(() => {
    engine = null;
  });
}
