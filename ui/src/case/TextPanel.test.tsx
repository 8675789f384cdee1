import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { DocumentText } from "../ipc/client";
import { clearMocks, mockDesk } from "../ipc/testing";
import { TextPanel } from "./TextPanel";

afterEach(() => clearMocks());

async function panel(text: DocumentText) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const i18n = createI18n();
  mockDesk({ document_text: () => text });
  const { I18nextProvider } = await import("react-i18next");
  render(
    <I18nextProvider i18n={i18n}>
      <TextPanel documentId="d1" testId="text" />
    </I18nextProvider>,
  );
  return screen.findByTestId("text");
}

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
        differences: [{ field: "date_of_birth", zone: "1991-05-14", form: "1990-05-14" }],
        expiry: "2025-01-01",
        expired: true,
      },
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
    const shown = await panel({
      document_id: "d1",
      state: "no_text",
      text: "",
      truncated: false,
      problem: null,
      checks: [],
      highlights: [],
      zone: null,
    });
    expect(shown.dataset.state).toBe("no_text");
    expect(shown.textContent).toContain("compare it by eye");
  });
});
