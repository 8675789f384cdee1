import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { DocumentText } from "../ipc/client";
import { clearMocks, mockDesk } from "../ipc/testing";
import { TextPanel } from "./TextPanel";

afterEach(() => clearMocks());

async function panel(text: DocumentText, recognise?: () => DocumentText | Promise<DocumentText>) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const i18n = createI18n();
  mockDesk({ document_text: () => text, ...(recognise && { recognise_document: recognise }) });
  const { I18nextProvider } = await import("react-i18next");
  render(
    <I18nextProvider i18n={i18n}>
      <TextPanel documentId="d1" testId="text" />
    </I18nextProvider>,
  );
  return screen.findByTestId("text");
}

/** A scan without a text layer that this desk can recognise. */
const scan: DocumentText = {
  document_id: "d1",
  state: "no_text",
  text: "",
  truncated: false,
  problem: null,
  checks: [],
  highlights: [],
  zone: null,
  recognised: false,
  can_recognise: true,
  boxes: [],
};

describe("the text panel", () => {
  it("marks the values found and flags the ones not found", async () => {
    // "📄" is two UTF-16 units: the core's positions count them, as JavaScript strings do.
    const body = "📄 Soyadı: MAMMADOV\nDoğum tarixi: 15.05.1990";
    const start = body.indexOf("MAMMADOV");
    const shown = await panel({
      document_id: "d1",
      state: "ready",
      text: body,
      truncated: false,
      problem: null,
      checks: [
        { field: "name", value: "Məmmədov", found: true },
        { field: "date_of_birth", value: "14.05.1990", found: false },
      ],
      highlights: [{ start, end: start + 8, field: "name" }],
      zone: null,
      recognised: false,
      can_recognise: false,
      boxes: [],
    });
    const marks = [...shown.querySelectorAll("mark")].map((m) => m.textContent);
    expect(marks).toEqual(["MAMMADOV"]);
    expect(shown.querySelector("pre")?.textContent).toBe(body);
    const checks = [...shown.querySelectorAll("li")].map((li) => li.textContent);
    expect(checks).toEqual([
      "✓ Name Məmmədov — found",
      "⚠ Date of birth 14.05.1990 — not found in this document",
    ]);
  });

  it("says whether the zone's check digits hold and where it contradicts the form", async () => {
    const shown = await panel({
      document_id: "d1",
      state: "ready",
      text: "P<AZE...",
      truncated: false,
      problem: null,
      checks: [],
      highlights: [],
      zone: {
        format: "TD3",
        failed: [],
        corrected: ["document_number"],
        differences: [
          { field: "date_of_birth", zone: "1991-05-14", form: "1990-05-14", likely_misread: false },
        ],
        expiry: "2025-01-01",
        expired: true,
      },
      recognised: false,
      can_recognise: false,
      boxes: [],
    });
    const zone = shown.querySelector("[data-testid=text-zone]") as HTMLElement;
    expect(zone.dataset.whole).toBe("true");
    const lines = [...zone.querySelectorAll("li")].map((li) => li.textContent);
    expect(lines).toEqual([
      "✓ every check digit holds",
      "✓ read after correcting a reader's confusion, confirmed by its check digit: document number",
      "⚠ date of birth: the zone says 14.05.1991, the form 14.05.1990",
      "⚠ the document expired on 01.01.2025",
    ]);
  });

  it("says when a scan has no text to compare", async () => {
    const shown = await panel({ ...scan, can_recognise: false });
    expect(shown.dataset.state).toBe("no_text");
    expect(shown.textContent).toContain("compare it by eye");
  });

  it("recognises a scan's text as soon as it shows, and marks it as recognised", async () => {
    let asked = 0;
    // The recognition answers when the test says, so the progress line can be seen first.
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const shown = await panel(scan, async () => {
      asked += 1;
      await answered;
      return {
        ...scan,
        state: "ready",
        text: "Soyad / Surname: MAMMADOV\nP<AZEMAMMADOV<<ISMAYIL",
        recognised: true,
        can_recognise: false,
        zone: {
          format: "TD3",
          failed: ["date_of_birth"],
          corrected: [],
          differences: [
            {
              field: "date_of_birth",
              zone: "1998-02-03",
              form: "1998-02-08",
              likely_misread: false,
            },
          ],
          expiry: null,
          expired: false,
        },
      };
    });
    expect(shown.querySelector("[data-testid=recognising] progress")).not.toBeNull();
    answer();
    await screen.findByTestId("recognised-note");
    expect(asked).toBe(1);
    expect(shown.dataset.state).toBe("ready");
    expect(shown.querySelector("pre")?.textContent).toContain("MAMMADOV");
    // A recognised zone whose digits fail is called a misreading; its differences are not listed.
    const zone = shown.querySelector("[data-testid=text-zone]") as HTMLElement;
    expect(zone.textContent).toContain("most likely a misreading");
    expect(zone.querySelectorAll("[data-testid=zone-difference]")).toHaveLength(0);
  });

  it("says when recognition fails and tries again on request", async () => {
    let asked = 0;
    const shown = await panel(scan, () => {
      asked += 1;
      throw { kind: "document", message: "the text recogniser could not read the page" };
    });
    const failed = await screen.findByTestId("recognition-failed");
    expect(failed.textContent).toContain("could not be recognised");
    expect(failed.textContent).toContain("compare it by eye");
    expect(shown.dataset.state).toBe("no_text");
    (screen.getByTestId("recognise-again") as HTMLButtonElement).click();
    await waitFor(() => expect(asked).toBe(2));
  });

  it("shows a PDF's own text while its pages scanned without text are recognised", async () => {
    const layer: DocumentText = {
      ...scan,
      state: "ready",
      text: "Notarial certificate No. 4411",
      can_recognise: true,
    };
    let failing = true;
    const shown = await panel(layer, () => {
      if (failing) throw { kind: "document", message: "time up" };
      return {
        ...layer,
        text: `${layer.text}\n\nP<AZEMAMMADOV<<ISMAYIL`,
        recognised: true,
        can_recognise: false,
      };
    });
    // Failed: the layer's text stays, with what happened and a way to try again.
    const failed = await screen.findByTestId("recognition-failed");
    expect(failed.textContent).toContain("below is the file's own text");
    expect(shown.querySelector("pre")?.textContent).toBe("Notarial certificate No. 4411");
    failing = false;
    (screen.getByTestId("recognise-again") as HTMLButtonElement).click();
    await screen.findByTestId("recognised-note");
    expect(shown.querySelector("pre")?.textContent).toContain("P<AZEMAMMADOV");
    expect(screen.queryByTestId("recognising")).toBeNull();
  });
});
