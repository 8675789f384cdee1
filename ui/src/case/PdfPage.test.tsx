import { render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PARTS_FROM, PdfPage } from "./PdfPage";

/** pdf.js as far as loading goes: what `getDocument` was given, and its range transports. */
class FakeTransport {
  static all: FakeTransport[] = [];
  received: [number, Uint8Array | null][] = [];
  constructor(
    readonly length: number,
    readonly initialData: Uint8Array | null,
  ) {
    FakeTransport.all.push(this);
  }
  onDataRange(begin: number, chunk: Uint8Array | null) {
    this.received.push([begin, chunk]);
  }
  requestDataRange(_begin: number, _end: number) {}
}
const opened: Record<string, unknown>[] = [];
const destroyed = vi.fn();
vi.mock("./pdfjs", () => ({
  pdfEngine: async () => ({
    lib: {
      PDFDataRangeTransport: FakeTransport,
      getDocument: (params: Record<string, unknown>) => {
        opened.push(params);
        return { promise: new Promise(() => {}), destroy: async () => destroyed() };
      },
    },
    worker: {},
  }),
}));

function show(length: number, onError = vi.fn()) {
  render(
    <PdfPage
      source="migdesk-doc://localhost/d1/0"
      length={length}
      partUrl={(begin, end) => `migdesk-doc://localhost/d1/bytes/${begin}-${end}`}
      page={0}
      rotation={0}
      fit="width"
      zoom={1}
      box={{ width: 600, height: 800 }}
      onPainted={() => {}}
      onError={onError}
    />,
  );
  return onError;
}

describe("a PDF drawn by pdf.js", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    opened.length = 0;
    FakeTransport.all = [];
    destroyed.mockClear();
  });

  it("is read whole when it is small", async () => {
    const fetched = vi.fn(async () => new Response(new Uint8Array([37, 80, 68, 70])));
    vi.stubGlobal("fetch", fetched);
    show(PARTS_FROM - 1);
    await waitFor(() => expect(opened).toHaveLength(1));
    expect(fetched).toHaveBeenCalledWith("migdesk-doc://localhost/d1/0");
    expect(opened[0]?.data).toEqual(new Uint8Array([37, 80, 68, 70]));
    expect(FakeTransport.all).toHaveLength(0);
  });

  it("is read by the parts pdf.js asks for when it is large", async () => {
    const fetched = vi.fn(async (url: string) => new Response(new TextEncoder().encode(url)));
    vi.stubGlobal("fetch", fetched);
    show(60_000_000);
    await waitFor(() => expect(opened).toHaveLength(1));
    const [transport] = FakeTransport.all;
    expect(opened[0]).toMatchObject({ range: transport, disableAutoFetch: true });
    expect(opened[0]?.data).toBeUndefined();
    expect(transport?.length).toBe(60_000_000);
    expect(fetched).not.toHaveBeenCalled();

    transport?.requestDataRange(65_536, 131_072);
    await waitFor(() => expect(transport?.received).toHaveLength(1));
    const [begin, chunk] = transport?.received[0] ?? [];
    expect(begin).toBe(65_536);
    expect(new TextDecoder().decode(chunk ?? undefined)).toBe(
      "migdesk-doc://localhost/d1/bytes/65536-131072",
    );
  });

  it("says why when a part cannot be read, and stops loading", async () => {
    const locked = { kind: "locked", message: "the desk is locked" };
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify(locked), { status: 404 })),
    );
    const onError = show(60_000_000);
    await waitFor(() => expect(FakeTransport.all).toHaveLength(1));
    FakeTransport.all[0]?.requestDataRange(0, 65_536);
    await waitFor(() => expect(onError).toHaveBeenCalledWith(locked));
    expect(destroyed).toHaveBeenCalled();
    expect(FakeTransport.all[0]?.received).toHaveLength(0);
  });
});
