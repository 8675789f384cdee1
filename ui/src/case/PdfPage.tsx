import { useEffect, useRef, useState } from "react";
import { trace } from "../data/trace";
import type { DeskError } from "../ipc/client";
import { type PdfDocument, pdfEngine } from "./pdfjs";
import type { Fit } from "./viewState";

/** From this size on, a PDF is read by the parts pdf.js needs (the file's cross-reference, the
 * page shown) instead of whole: a 60 MB scan's first page without its other pages' bytes. */
export const PARTS_FROM = 4 * 1024 * 1024;
/** The size of the parts pdf.js asks for (it asks for neighbouring parts at once). */
const PART = 64 * 1024;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as DeskError | null;
    throw body ?? { kind: "document", message: `${response.status}` };
  }
  return new Uint8Array(await response.arrayBuffer());
}

function asDeskError(e: unknown): DeskError {
  return typeof e === "object" && e !== null && "kind" in e
    ? (e as DeskError)
    : { kind: "document", message: String(e) };
}

/** One page of a PDF drawn by pdf.js into a canvas, at the pane's fit, zoom and rotation. The
 * PDF is fetched from `source` when it is an address — by parts from `partUrl` when it is
 * `length` bytes, at least {@link PARTS_FROM} — or given as its bytes. */
export function PdfPage({
  source,
  length,
  partUrl,
  page,
  rotation,
  fit,
  zoom,
  box,
  onPainted,
  onError,
  onLoaded,
}: {
  source: string | Uint8Array;
  length?: number;
  /** The address of bytes `begin` to `end` (not included) of the file. */
  partUrl?: (begin: number, end: number) => string;
  page: number;
  rotation: number;
  fit: Fit;
  zoom: number;
  box: { width: number; height: number };
  onPainted: () => void;
  onError: (error: DeskError) => void;
  /** Told how many pages the PDF has, once it is loaded. */
  onLoaded?: (pages: number) => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PdfDocument | null>(null);
  // The latest callbacks, without redrawing when only they change.
  const painted = useRef(onPainted);
  const failed = useRef(onError);
  const loadedPages = useRef(onLoaded);
  const parts = useRef(partUrl);
  painted.current = onPainted;
  failed.current = onError;
  loadedPages.current = onLoaded;
  parts.current = partUrl;

  useEffect(() => {
    let live = true;
    let loading: { destroy: () => Promise<void> } | null = null;
    (async () => {
      let start = performance.now();
      const { lib, worker } = await pdfEngine();
      trace("pdf.js loaded", start);
      start = performance.now();
      const url = parts.current;
      /** What was read of a PDF read by parts, for the trace. */
      const read = { parts: 0, bytes: 0 };
      let task: ReturnType<typeof lib.getDocument>;
      if (typeof source === "string" && url && length !== undefined && length >= PARTS_FROM) {
        const transport = new lib.PDFDataRangeTransport(length, null);
        transport.requestDataRange = (begin: number, end: number) => {
          fetchBytes(url(begin, end)).then(
            (chunk) => {
              read.parts += 1;
              read.bytes += chunk.length;
              transport.onDataRange(begin, chunk);
            },
            (e: unknown) => {
              if (live) failed.current(asDeskError(e));
              void loading?.destroy();
            },
          );
        };
        task = lib.getDocument({
          range: transport,
          worker,
          disableAutoFetch: true,
          disableStream: true,
          rangeChunkSize: PART,
        });
      } else {
        // pdf.js takes the buffer it is given to its worker: a given one gets a copy.
        const data = typeof source === "string" ? await fetchBytes(source) : source.slice();
        trace("pdf bytes", start);
        start = performance.now();
        task = lib.getDocument({ data, worker });
      }
      loading = task;
      const loaded = await task.promise;
      const byParts = read.parts > 0 ? ` by ${read.parts} parts, ${read.bytes >> 10} KiB` : "";
      trace(`pdf opened${byParts}`, start);
      if (live) {
        setDoc(loaded);
        loadedPages.current?.(loaded.numPages);
      }
    })().catch((e: unknown) => {
      if (live) failed.current(asDeskError(e));
    });
    return () => {
      live = false;
      void loading?.destroy();
    };
  }, [source, length]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let task: { cancel: () => void; promise: Promise<void> } | null = null;
    let live = true;
    (async () => {
      let start = performance.now();
      const p = await doc.getPage(Math.min(page, doc.numPages - 1) + 1);
      trace("pdf page", start);
      start = performance.now();
      const natural = p.getViewport({ scale: 1, rotation });
      const width = fit === "page" ? box.width : box.width * (fit === "custom" ? zoom : 1);
      let scale = width / natural.width;
      if (fit === "page") scale = Math.min(scale, box.height / natural.height);
      const ratio = window.devicePixelRatio || 1;
      const viewport = p.getViewport({ scale: scale * ratio, rotation });
      const el = canvas.current;
      if (!el || !live) return;
      el.width = Math.floor(viewport.width);
      el.height = Math.floor(viewport.height);
      el.style.width = `${Math.floor(viewport.width / ratio)}px`;
      el.style.height = `${Math.floor(viewport.height / ratio)}px`;
      task = p.render({ canvas: el, viewport });
      await task.promise;
      trace(`pdf drawn ${el.width}×${el.height}`, start);
      // The canvas holds the page now: pdf.js lets go of what it decoded to draw it (a scan's
      // pixels, tens of megabytes), decoding it again if the page is drawn again (zoom).
      p.cleanup();
      if (live) painted.current();
    })().catch((e: unknown) => {
      if (live && !(e instanceof Error && e.name === "RenderingCancelledException")) {
        failed.current({ kind: "document", message: String(e) });
      }
    });
    return () => {
      live = false;
      task?.cancel();
    };
  }, [doc, page, rotation, fit, zoom, box.width, box.height]);

  return <canvas ref={canvas} className="pdf-page" />;
}
