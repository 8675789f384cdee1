// How the officer last looked at a document (fit, zoom, rotation per page), remembered per
// document on this workstation. Only document ids and numbers are stored, no personal data.

export type Fit = "width" | "page" | "custom";

export type ViewState = {
  fit: Fit;
  /** A multiple of the fitted width when `fit` is `custom`. */
  zoom: number;
  /** Degrees clockwise, by page index. */
  rotation: Record<number, number>;
};

const PREFIX = "migdesk.view.";

export function loadView(documentId: string): ViewState {
  const fallback: ViewState = { fit: "width", zoom: 1, rotation: {} };
  try {
    const raw = localStorage.getItem(PREFIX + documentId);
    if (!raw) return fallback;
    const parsed = JSON.parse(raw) as Partial<ViewState>;
    return {
      fit: parsed.fit === "page" || parsed.fit === "custom" ? parsed.fit : "width",
      zoom: typeof parsed.zoom === "number" && parsed.zoom > 0 ? parsed.zoom : 1,
      rotation: typeof parsed.rotation === "object" && parsed.rotation ? parsed.rotation : {},
    };
  } catch {
    return fallback;
  }
}

export function saveView(documentId: string, view: ViewState): void {
  try {
    localStorage.setItem(PREFIX + documentId, JSON.stringify(view));
  } catch {
    // A full or unavailable store only loses the remembered view.
  }
}
