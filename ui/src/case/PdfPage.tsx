import { useEffect, useRef, useState } from "react";
import { trace } from "../data/trace";
import type { DeskError } from "../ipc/client";
import { type PdfDocument, pdfEngine } from "./pdfjs";
import type { Fit } from "./viewState";

/** One page of a PDF drawn by pdf.js into a canvas, at the pane's fit, zoom and rotation. The
 * PDF is fetched from `source` when it is an address, or given as its bytes. */
export function PdfPage({
  source,
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
  painted.current = onPainted;
  failed.current = onError;
  loadedPages.current = onLoaded;

  useEffect(() => {
    let live = true;
    let loading: { destroy: () => Promise<void> } | null = null;
    (async () => {
      let start = performance.now();
      const { lib, worker } = await pdfEngine();
      trace("pdf.js loaded", start);
      start = performance.now();
      let data: Uint8Array;
      if (typeof source === "string") {
        const response = await fetch(source);
        if (!response.ok) {
          const body = (await response.json().catch(() => null)) as DeskError | null;
          throw body ?? { kind: "document", message: `${response.status}` };
        }
        data = new Uint8Array(await response.arrayBuffer());
      } else {
        // pdf.js takes the buffer it is given to its worker: it gets a copy.
        data = source.slice();
      }
      trace("pdf bytes", start);
      start = performance.now();
      const task = lib.getDocument({ data, worker });
      loading = task;
      const loaded = await task.promise;
      trace("pdf opened", start);
      if (live) {
        setDoc(loaded);
        loadedPages.current?.(loaded.numPages);
      }
    })().catch((e: unknown) => {
      if (!live) return;
      const error =
        typeof e === "object" && e !== null && "kind" in e
          ? (e as DeskError)
          : { kind: "document" as const, message: String(e) };
      failed.current(error);
    });
    return () => {
      live = false;
      void loading?.destroy();
    };
  }, [source]);

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
