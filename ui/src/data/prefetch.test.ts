import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockDesk } from "../ipc/testing";
import { prefetchCase, prefetchCaseAt } from "./prefetch";

const warmed = vi.hoisted(() => ({ times: 0 }));
vi.mock("../case/pdfjs", () => ({
  warmPdfEngine: () => {
    warmed.times += 1;
  },
}));

describe("preparing a case before it is opened", () => {
  afterEach(() => {
    clearMocks();
    warmed.times = 0;
  });

  it("starts pdf.js only for a case whose first documents it draws", async () => {
    const asked: string[] = [];
    mockDesk({
      prefetch_case: ({ id }) => {
        asked.push(id);
        return { prepared: 2, pdf: id === "with-a-pdf" };
      },
      queue_page: () =>
        ({
          rows: [{ id: "with-a-pdf" }],
          total: 1,
        }) as never,
    });
    prefetchCase("scans-only");
    await vi.waitFor(() => expect(asked).toEqual(["scans-only"]));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(warmed.times).toBe(0);

    prefetchCaseAt({} as never, 1);
    await vi.waitFor(() => expect(warmed.times).toBe(1));
    expect(asked).toEqual(["scans-only", "with-a-pdf"]);
  });

  it("tells the officer nothing when preparing fails", async () => {
    mockDesk({
      prefetch_case: () => {
        throw { kind: "document", message: "broken" };
      },
    });
    prefetchCase("broken");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(warmed.times).toBe(0);
  });
});
