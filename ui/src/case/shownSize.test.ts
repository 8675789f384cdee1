import { describe, expect, it } from "vitest";
import { fitsTheScreenCopy, shownSize } from "./DocumentPane";

const page = { width: 1240, height: 1754 };
const pane = { width: 600, height: 800 };

describe("the size a page is shown at, before it is turned", () => {
  it("fits the pane's width, or its height when turned a quarter", () => {
    expect(shownSize(page, "width", 1, pane, false).width).toBe(600);
    const turned = shownSize(page, "width", 1, pane, true);
    expect(turned.width).toBe(800);
    expect(turned.height).toBeCloseTo((800 * 1754) / 1240);
  });

  it("fits the whole page in the pane, turned or not, never enlarged", () => {
    const upright = shownSize(page, "page", 1, pane, false);
    expect(upright.height).toBeCloseTo(800);
    expect(upright.width).toBeCloseTo((800 * 1240) / 1754);
    const turned = shownSize(page, "page", 1, pane, true);
    // Turned, the page's height lies along the pane's width.
    expect(turned.height).toBeCloseTo(600);
    expect(turned.width).toBeCloseTo((600 * 1240) / 1754);
    expect(shownSize({ width: 100, height: 140 }, "page", 1, pane, false)).toEqual({
      width: 100,
      height: 140,
    });
  });

  it("zooms from the fitted width", () => {
    expect(shownSize(page, "custom", 1.25, pane, false).width).toBe(750);
    expect(shownSize(page, "custom", 1.25, pane, true).width).toBe(1000);
  });
});

describe("the screen's copy of a large page", () => {
  // An A4 page at 300 dpi; its copy fits 1600 pixels: 1131 × 1600.
  const a4 = { width: 2480, height: 3508 };

  it("is shown where it has the pixels the page is shown at", () => {
    expect(fitsTheScreenCopy(a4, 1600, 600, 1)).toBe(true);
    expect(fitsTheScreenCopy(a4, 1600, 1131, 1)).toBe(true);
    // Zoomed in past its pixels, or on a screen of twice as many: the whole page.
    expect(fitsTheScreenCopy(a4, 1600, 1200, 1)).toBe(false);
    expect(fitsTheScreenCopy(a4, 1600, 600, 2)).toBe(false);
    // A page lying on its side fits by its width.
    expect(fitsTheScreenCopy({ width: 3508, height: 2480 }, 1600, 1500, 1)).toBe(true);
  });

  it("is not asked for a page no larger than it, or of unknown size", () => {
    expect(fitsTheScreenCopy({ width: 1200, height: 1600 }, 1600, 300, 1)).toBe(false);
    expect(fitsTheScreenCopy(undefined, 1600, 300, 1)).toBe(false);
  });
});
