import { afterEach, describe, expect, it, vi } from "vitest";

const made: unknown[] = [];
vi.mock("pdfjs-dist", () => ({
  GlobalWorkerOptions: { workerSrc: "" },
  PDFWorker: class {
    destroyed = false;
    constructor() {
      made.push(this);
    }
  },
}));
vi.mock("pdfjs-dist/build/pdf.worker.min.mjs?url", () => ({ default: "/assets/pdf.worker.mjs" }));

describe("the PDF engine", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("starts one worker for every document, from the app's own files", async () => {
    const { pdfEngine } = await import("./pdfjs");
    const [first, second] = await Promise.all([pdfEngine(), pdfEngine()]);
    const third = await pdfEngine();
    expect(made).toHaveLength(1);
    expect(first.worker).toBe(made[0]);
    expect(second.worker).toBe(first.worker);
    expect(third.worker).toBe(first.worker);
    expect(first.lib.GlobalWorkerOptions.workerSrc).toBe("/assets/pdf.worker.mjs");
  });

  it("replaces a worker that went away", async () => {
    const { pdfEngine } = await import("./pdfjs");
    const before = await pdfEngine();
    (before.worker as unknown as { destroyed: boolean }).destroyed = true;
    const after = await pdfEngine();
    expect(after.worker).not.toBe(before.worker);
    expect(await pdfEngine()).toBe(after);
  });

  it("is warmed only where workers exist", async () => {
    vi.resetModules();
    made.length = 0;
    const { warmPdfEngine } = await import("./pdfjs");
    vi.stubGlobal("Worker", undefined);
    warmPdfEngine();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(made).toHaveLength(0);
    vi.stubGlobal("Worker", class {});
    warmPdfEngine();
    await vi.waitFor(() => expect(made).toHaveLength(1));
  });
});
