import { render, waitFor } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { ChecklistZone as Zone, ZoneCheck } from "../ipc/client";
import { clearMocks, mockDesk } from "../ipc/testing";
import { ChecklistZone } from "./ChecklistZone";

afterEach(() => clearMocks());

const whole: ZoneCheck = {
  format: "TD3",
  failed: [],
  corrected: [],
  differences: [],
  expiry: "2030-01-01",
  expired: false,
};

function show(zone: Zone, onRecognised = () => {}): HTMLElement {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const { container } = render(
    <I18nextProvider i18n={createI18n()}>
      <ChecklistZone zone={zone} onRecognised={onRecognised} />
    </I18nextProvider>,
  );
  return container.querySelector("[data-testid=checklist-zone]") as HTMLElement;
}

/** The checklist's zone of a recognised scan whose zone reads as `check`. */
const recognisedAs = (check: ZoneCheck) =>
  show({ document_id: "d1", recognised: true, recognisable: false, check });

const lines = (list: HTMLElement) => [...list.querySelectorAll("li")].map((li) => li.textContent);

describe("the checklist's machine-readable zone", () => {
  it("says the zone matches the form, or where it does not", () => {
    const base = { document_id: "d1", recognised: false, recognisable: false };
    expect(lines(show({ ...base, check: whole }))).toEqual([
      "✓ machine readable zone: matches the form",
    ]);
    const differs = show({
      ...base,
      check: {
        ...whole,
        differences: [
          { field: "date_of_birth", zone: "1990-06-14", form: "1990-04-16", likely_misread: false },
        ],
        expired: true,
        expiry: "2024-05-01",
      },
    });
    expect(lines(differs)).toEqual([
      "⚠ date of birth: the zone says 14.06.1990, the form 16.04.1990",
      "⚠ the document expired on 01.05.2024",
    ]);
  });

  it("calls failing digits of a recognised zone a misreading and lists no differences", () => {
    const shown = recognisedAs({
      ...whole,
      failed: ["document_number"],
      differences: [
        { field: "surname", zone: "MAMMADUV", form: "MAMMADOV", likely_misread: false },
      ],
    });
    expect(lines(shown)).toEqual([
      "⚠ machine readable zone recognised on the scan, check digits failing (document number): most likely misread — compare by eye",
    ]);
  });

  it("says a name read from a scan with one letter lost is probably misread", () => {
    const shown = recognisedAs({
      ...whole,
      differences: [
        { field: "given_names", zone: "ISMAYL", form: "ISMAYIL", likely_misread: true },
      ],
    });
    expect(lines(shown)).toEqual([
      "⚠ given names: the zone says ISMAYL, the form ISMAYIL (probably misread: one letter lost on the scan — compare it by eye)",
    ]);
  });

  it("reads a scan as soon as it shows, then asks for the case again", async () => {
    let asked = 0;
    mockDesk({
      recognise_document: () => {
        asked += 1;
        return {} as never;
      },
    });
    let renewed = 0;
    const shown = show(
      { document_id: "d7", check: null, recognised: false, recognisable: true },
      () => {
        renewed += 1;
      },
    );
    expect(shown.dataset.state).toBe("reading");
    expect(shown.querySelector("progress")).not.toBeNull();
    await waitFor(() => expect(renewed).toBe(1));
    expect(asked).toBe(1);
  });

  it("says when the scan could not be read", async () => {
    mockDesk({
      recognise_document: () => {
        throw { kind: "document", message: "text recognition is not installed" };
      },
    });
    const shown = show({ document_id: "d7", check: null, recognised: false, recognisable: true });
    await waitFor(() => expect(shown.dataset.state).toBe("unread"));
    expect(shown.textContent).toContain("text recognition is not installed");
    expect(shown.textContent).toContain("press t to try again");
  });
});
