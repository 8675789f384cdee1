import { type PointerEvent, useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "../components/ErrorNotice";
import { trace } from "../data/trace";
import { useLoad } from "../data/useLoad";
import {
  type DeskError,
  type DocumentLayout,
  type DocumentView,
  desk,
  documentBytesUrl,
  documentUrl,
  type WordBox,
} from "../ipc/client";
import { PageThumbnail } from "./PageThumbnail";
import { PdfPage } from "./PdfPage";
import { type Fit, loadView, saveView, type ViewState } from "./viewState";

const ZOOM_STEP = 1.25;
const ZOOM_MIN = 0.25;
const ZOOM_MAX = 8;

export type PaneCommand =
  | "next-page"
  | "previous-page"
  | "zoom-in"
  | "zoom-out"
  | "fit-width"
  | "fit-page"
  | "rotate";

/** The size in pixels a page image of `natural` size is shown at, before it is turned: the
 * pane's fit and zoom applied as the image's style does (`rotated`: turned a quarter, so the
 * page's width lies along the pane's height). A page is never enlarged to fit. */
export function shownSize(
  natural: { width: number; height: number },
  fit: Fit,
  zoom: number,
  box: { width: number; height: number },
  rotated: boolean,
): { width: number; height: number } {
  const aspect = natural.height / natural.width;
  const across = rotated ? box.height : box.width;
  const along = rotated ? box.width : box.height;
  if (fit === "page") {
    const width = Math.min(natural.width, across, along / aspect);
    return { width, height: width * aspect };
  }
  const width = (fit === "width" ? 1 : zoom) * across;
  return { width, height: width * aspect };
}

/** Whether a page of `full` size (in pixels), shown `shownWidth` CSS pixels wide on a screen of
 * `pixelRatio` device pixels each, looks the same scaled to fit a square of `screenSide`: the
 * WebView then holds the scaled copy decoded (7 MB for an A4 page at 300 dpi) instead of the
 * whole page (35 MB). A page no larger than that is shown whole. */
export function fitsTheScreenCopy(
  full: { width: number; height: number } | undefined,
  screenSide: number,
  shownWidth: number,
  pixelRatio: number,
): boolean {
  if (!full || Math.max(full.width, full.height) <= screenSide) return false;
  const scaledWidth = Math.floor((full.width * screenSide) / Math.max(full.width, full.height));
  return shownWidth * pixelRatio <= scaledWidth + 1;
}

/** The address of the page to show: the screen's copy where it looks the same, else whole. */
function pageUrl(
  id: string,
  layout: DocumentLayout,
  page: number,
  shownWidth: number | null,
): string {
  const screen =
    shownWidth !== null &&
    fitsTheScreenCopy(layout.pages[page], layout.screen_side, shownWidth, window.devicePixelRatio);
  return documentUrl(id, page, screen ? "screen" : undefined);
}

/** One document of the case: pages, zoom, fit, rotation per page (remembered per document),
 * pan by dragging. PDFs are drawn by pdf.js; images come as they are or converted by the core. */
export function DocumentPane({
  document,
  command,
  testId,
  boxes,
}: {
  document: DocumentView;
  /** The last keyboard command for this pane, with a counter so repeats are seen. */
  command: { name: PaneCommand; seq: number } | null;
  testId: string;
  /** The applicant's values found on this recognised scan, boxed over its pages. */
  boxes?: WordBox[] | undefined;
}) {
  const { t } = useTranslation();
  // Only a document the desk holds has a layout to ask for.
  const loaded = useLoad(document.state === "ready" ? document.id : null, desk.documentLayout);
  const layout = loaded.data;
  /** Why a page could not be drawn. */
  const [drawError, setDrawError] = useState<DeskError | null>(null);
  const error = loaded.error ?? drawError;
  const [page, setPage] = useState(0);
  const [view, setView] = useState<ViewState>(() => loadView(document.id));
  const [painted, setPainted] = useState(false);
  /** The shown page's size in pixels, as the boxes of recognised words count them. */
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const viewport = useRef<HTMLDivElement>(null);
  /** When the page's image element was made, to time the image's arrival. */
  const asked = useRef(0);
  const imageMade = useCallback((img: HTMLImageElement | null) => {
    if (img) asked.current = performance.now();
  }, []);
  const drag = useRef<{ x: number; y: number; left: number; top: number } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: another document or state is the trigger.
  useEffect(() => {
    setDrawError(null);
    setPage(0);
    setPainted(false);
    setView(loadView(document.id));
  }, [document.id, document.state]);

  // When the pane says it is painted, as the window benchmark's trace shows it.
  useEffect(() => {
    if (painted) trace(`${testId} painted`, performance.now());
  }, [painted, testId]);

  const pages = layout?.page_count ?? 1;
  const rotation = view.rotation[page] ?? 0;

  function update(next: ViewState) {
    setView(next);
    saveView(document.id, next);
  }

  function zoomBy(factor: number) {
    const zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, view.zoom * factor));
    update({ ...view, fit: "custom", zoom });
  }

  function fitTo(mode: Fit) {
    update({ ...view, fit: mode, zoom: 1 });
  }

  function rotate() {
    update({ ...view, rotation: { ...view.rotation, [page]: (rotation + 90) % 360 } });
  }

  function goTo(next: number) {
    const clamped = Math.max(0, Math.min(pages - 1, next));
    if (clamped !== page) setPainted(false);
    setPage(clamped);
  }

  // Keyboard commands arrive from the case screen for the active pane.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per command.
  useEffect(() => {
    if (!command) return;
    const actions: Record<PaneCommand, () => void> = {
      "next-page": () => goTo(page + 1),
      "previous-page": () => goTo(page - 1),
      "zoom-in": () => zoomBy(ZOOM_STEP),
      "zoom-out": () => zoomBy(1 / ZOOM_STEP),
      "fit-width": () => fitTo("width"),
      "fit-page": () => fitTo("page"),
      rotate,
    };
    actions[command.name]();
  }, [command]);

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    const el = viewport.current;
    if (!el || event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, left: el.scrollLeft, top: el.scrollTop };
    el.setPointerCapture?.(event.pointerId);
  }
  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    const el = viewport.current;
    const start = drag.current;
    if (!el || !start) return;
    el.scrollLeft = start.left - (event.clientX - start.x);
    el.scrollTop = start.top - (event.clientY - start.y);
  }
  function onPointerUp() {
    drag.current = null;
  }

  const size = viewport.current?.getBoundingClientRect();
  const box = { width: size?.width ?? 600, height: size?.height ?? 800 };
  const rotated = rotation % 180 !== 0;
  // A fit mode shows as its pressed button; the label names only a zoom of the officer's own.
  const zoomLabel = view.fit === "custom" ? `${Math.round(view.zoom * 100)}%` : "";

  let body: React.ReactNode = null;
  if (document.state === "not_downloaded") {
    body = <p className="pane-message">{t("viewer.notDownloaded")}</p>;
  } else if (document.state === "unreadable") {
    body = (
      <ErrorNotice
        error={{ kind: "document", message: document.problem ?? document.format ?? "" }}
      />
    );
  } else if (error) {
    body = <ErrorNotice error={error} />;
  } else if (!layout) {
    body = <p className="pane-message">{t("viewer.loading")}</p>;
  } else if (layout.pdf) {
    body = (
      <PdfPage
        source={documentUrl(document.id, 0)}
        length={layout.bytes}
        partUrl={(begin, end) => documentBytesUrl(document.id, begin, end)}
        page={page}
        rotation={rotation}
        fit={view.fit}
        zoom={view.zoom}
        box={box}
        onPainted={() => setPainted(true)}
        onError={setDrawError}
      />
    );
  } else {
    const style: React.CSSProperties =
      view.fit === "page"
        ? {
            maxWidth: rotated ? box.height : box.width,
            maxHeight: rotated ? box.width : box.height,
          }
        : {
            width: `${(view.fit === "width" ? 1 : view.zoom) * (rotated ? box.height : box.width)}px`,
          };
    // The page's size whole, as recognised words' boxes count it, whichever copy is shown.
    const size = layout.pages[page] ?? natural;
    const onPage = (boxes ?? []).filter((b) => b.page === page);
    const fitted =
      size && size.width > 0 && size.height > 0
        ? shownSize(size, view.fit, view.zoom, box, rotated)
        : null;
    const src = pageUrl(document.id, layout, page, fitted?.width ?? null);
    // Turned a quarter, the page is laid out in a box of its turned size, so all of it can be
    // scrolled to (turned in place, its corners would stick out above and left of the pane).
    const shown = rotated ? fitted : null;
    const turn = `rotate(${rotation}deg)`;
    const frame = (
      <div
        className="page-frame"
        style={
          shown
            ? {
                position: "absolute",
                left: (shown.height - shown.width) / 2,
                top: (shown.width - shown.height) / 2,
                transform: turn,
              }
            : { transform: turn }
        }
      >
        <img
          ref={imageMade}
          key={src}
          className="page-image"
          style={style}
          src={src}
          alt={t("viewer.pageOf", { page: page + 1, pages })}
          draggable={false}
          onLoad={(e) => {
            trace("image loaded", asked.current);
            const img = e.currentTarget;
            setNatural({ width: img.naturalWidth, height: img.naturalHeight });
            setPainted(true);
          }}
          onError={() =>
            setDrawError({ kind: "document", message: `${document.file_name}: page ${page + 1}` })
          }
        />
        {size &&
          size.width > 0 &&
          size.height > 0 &&
          onPage.map((b) => (
            <span
              key={`${b.left}-${b.top}-${b.field}`}
              className={`word-box ${b.field}`}
              data-field={b.field}
              title={t(`text.field.${b.field}`)}
              style={{
                left: `${(100 * b.left) / size.width}%`,
                top: `${(100 * b.top) / size.height}%`,
                width: `${(100 * b.width) / size.width}%`,
                height: `${(100 * b.height) / size.height}%`,
              }}
            />
          ))}
      </div>
    );
    // Always inside the same box, so turning the page does not make its image anew.
    body = (
      <div
        className="page-turned"
        data-testid={`${testId}-turned`}
        style={shown ? { width: shown.height, height: shown.width } : undefined}
      >
        {frame}
      </div>
    );
  }

  return (
    <section
      className="document-pane"
      aria-label={document.file_name}
      data-testid={testId}
      data-document={document.id}
      data-painted={painted ? "yes" : "no"}
      data-rotation={rotation}
      data-zoom={view.fit === "custom" ? view.zoom.toFixed(2) : view.fit}
      data-page={page}
    >
      <div className="pane-tools">
        <button
          type="button"
          onClick={() => goTo(page - 1)}
          disabled={page === 0}
          aria-label={t("viewer.previousPage")}
          title={`${t("viewer.previousPage")} (PageUp)`}
        >
          ‹
        </button>
        <span className="pane-page" data-testid={`${testId}-page`}>
          {t("viewer.pageOf", { page: page + 1, pages })}
        </span>
        <button
          type="button"
          onClick={() => goTo(page + 1)}
          disabled={page >= pages - 1}
          aria-label={t("viewer.nextPage")}
          title={`${t("viewer.nextPage")} (PageDown)`}
        >
          ›
        </button>
        <button
          type="button"
          onClick={() => zoomBy(1 / ZOOM_STEP)}
          aria-label={t("viewer.zoomOut")}
          title={`${t("viewer.zoomOut")} (-)`}
        >
          −
        </button>
        <span className="pane-zoom">{zoomLabel}</span>
        <button
          type="button"
          onClick={() => zoomBy(ZOOM_STEP)}
          aria-label={t("viewer.zoomIn")}
          title={`${t("viewer.zoomIn")} (+)`}
        >
          +
        </button>
        <button
          type="button"
          onClick={() => fitTo("width")}
          aria-pressed={view.fit === "width"}
          aria-keyshortcuts="w"
          title={`${t("viewer.fit.width")} (w)`}
        >
          {t("viewer.fit.width")}
        </button>
        <button
          type="button"
          onClick={() => fitTo("page")}
          aria-pressed={view.fit === "page"}
          aria-keyshortcuts="f"
          title={`${t("viewer.fit.page")} (f)`}
        >
          {t("viewer.fit.page")}
        </button>
        <button
          type="button"
          onClick={rotate}
          aria-label={t("viewer.rotate")}
          title={`${t("viewer.rotate")} (o)`}
          data-testid={`${testId}-rotate`}
        >
          ↻
        </button>
      </div>
      <div
        ref={viewport}
        className="pane-viewport"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        {body}
      </div>
      {layout && !layout.pdf && pages > 1 && (
        <nav className="pane-thumbs" aria-label={t("viewer.pages")}>
          {Array.from({ length: pages }, (_, i) => (
            <button
              // biome-ignore lint/suspicious/noArrayIndexKey: pages are positions.
              key={i}
              type="button"
              className={i === page ? "current" : ""}
              aria-current={i === page ? "page" : undefined}
              onClick={() => goTo(i)}
            >
              <PageThumbnail src={documentUrl(document.id, i, "thumb")} alt={String(i + 1)} />
            </button>
          ))}
        </nav>
      )}
    </section>
  );
}
