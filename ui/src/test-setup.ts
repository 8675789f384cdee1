import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { heardAfterSync } from "./data/afterSync";
import { clearMocks } from "./ipc/testing";

afterEach(() => {
  cleanup();
  clearMocks();
  localStorage.clear();
  heardAfterSync(null);
});

// jsdom lays nothing out, so a virtualised list would show no rows: give the queue's
// scrolling list the size it has in a desk window.
for (const [property, size] of [
  ["clientHeight", 600],
  ["clientWidth", 1000],
] as const) {
  Object.defineProperty(HTMLElement.prototype, property, {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("queue-list") ? size : 0;
    },
  });
}
