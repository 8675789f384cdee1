import { act, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PageThumbnail } from "./PageThumbnail";

/** An IntersectionObserver the test moves by hand. */
class FakeObserver {
  static all: FakeObserver[] = [];
  observed: Element[] = [];
  disconnected = false;
  constructor(
    readonly callback: IntersectionObserverCallback,
    readonly options?: IntersectionObserverInit,
  ) {
    FakeObserver.all.push(this);
  }
  observe(element: Element) {
    this.observed.push(element);
  }
  disconnect() {
    this.disconnected = true;
  }
  /** Tells the observer its element came into view. */
  show() {
    const entries = this.observed.map((target) => ({ target, isIntersecting: true }));
    this.callback(
      entries as unknown as IntersectionObserverEntry[],
      this as unknown as IntersectionObserver,
    );
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeObserver.all = [];
});

describe("PageThumbnail", () => {
  it("asks for its picture only once it comes near the strip's visible part", () => {
    vi.stubGlobal("IntersectionObserver", FakeObserver);
    const { container } = render(
      <nav>
        <PageThumbnail src="migdesk-doc://localhost/d/0/thumb" alt="1" />
        <PageThumbnail src="migdesk-doc://localhost/d/1/thumb" alt="2" />
      </nav>,
    );
    const images = [...container.querySelectorAll("img")];
    const [first, second] = FakeObserver.all;
    if (!first || !second) throw new Error("an observer for each thumbnail");
    expect(images.map((img) => img.getAttribute("src"))).toEqual([null, null]);
    expect(first.options?.root).toBe(container.querySelector("nav"));

    act(() => second.show());
    expect(images.map((img) => img.getAttribute("src"))).toEqual([
      null,
      "migdesk-doc://localhost/d/1/thumb",
    ]);
    expect(second.disconnected).toBe(true);
    expect(first.disconnected).toBe(false);
  });

  it("shows its picture at once where nothing can tell what is visible", () => {
    vi.stubGlobal("IntersectionObserver", undefined);
    const { container } = render(<PageThumbnail src="migdesk-doc://localhost/d/0/thumb" alt="1" />);
    expect(container.querySelector("img")?.getAttribute("src")).toBe(
      "migdesk-doc://localhost/d/0/thumb",
    );
  });
});
