import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogueProvider } from "../data/catalogue";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { CaseView, CatalogueInfo, Decision } from "../ipc/client";
import { clearMocks, mockDesk } from "../ipc/testing";
import { Case } from "./Case";

const catalogue: CatalogueInfo = {
  services: [
    {
      code: "trp-issue",
      name: { az: "MİLV verilməsi", en: "Temporary residence permit", ru: "Выдача ВРП" },
      required_documents: ["passport-copy", "photos"],
    },
  ],
  document_types: [
    { code: "passport-copy", name: { az: "Pasport", en: "Passport copy", ru: "Паспорт" } },
    { code: "photos", name: { az: "Foto", en: "Photos", ru: "Фото" } },
  ],
};

function kase(over: Partial<CaseView> = {}): CaseView {
  return {
    id: "c1",
    number: "MX-2026-000001",
    service: "trp-issue",
    status: "pending",
    submitted_at: "2026-11-02T10:00:00Z",
    due_date: "2026-11-30",
    working_days_left: 6,
    paused_days_left: null,
    overdue: false,
    applicant: {
      name_latin: "CHINGIZ ISMAYILLI",
      name_native: "Çingiz İsmayıllı",
      fin: null,
      passport_number: "C01234567",
      date_of_birth: "1990-06-14",
      nationality: "AZE",
      email: "c@example.org",
      language: "ru",
    },
    officer: { id: "o1", full_name: "Aysel Məmmədova" },
    mine: true,
    form: [{ key: "personal", fields: [{ key: "surname", value: "Ismayilli" }] }],
    documents: [],
    checklist: [
      { doc_type: "passport-copy", state: "absent", document_ids: [], zone: null },
      { doc_type: "photos", state: "present", document_ids: ["d2"], zone: null },
    ],
    history: [
      {
        at: "2026-11-02T10:00:00Z",
        kind: "received",
        actor: null,
        to: null,
        decision: null,
        reason: null,
        text: null,
        working_days: null,
        due_date: null,
        ground: null,
        issued_on: null,
      },
    ],
    notes: [],
    applicant_history: [],
    decision: null,
    can_decide: true,
    version: 3,
    execution: null,
    can_reopen: false,
    can_execute: false,
    letter_decision: null,
    proposal: null,
    returned: null,
    ...over,
  };
}

afterEach(() => clearMocks());

/** What the screen asked the centre after the decision (reopenings, executions). */
const afterCalls: unknown[] = [];

async function open(
  decided: Decision[],
  next = async () => true,
  lang = "en",
  view: Partial<CaseView> = {},
  notes: string[] = [],
  onBack: () => void = () => undefined,
) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  const i18n = createI18n();
  mockDesk({
    catalogue: () => catalogue,
    case_view: () => kase(view),
    decision_preview: ({ decision }) => ({
      subject: `Недостающие документы по заявлению № MX-2026-000001 (${decision.missing_documents.join()})`,
      body: "Уважаемый(ая) CHINGIZ ISMAYILLI,",
    }),
    add_note: ({ text }) => {
      notes.push(text);
      return kase({
        ...view,
        notes: notes.map((words, i) => ({
          id: `n${i}`,
          author: "Aysel Məmmədova",
          written_at: "2026-12-01T09:00:00Z",
          text: words.trim(),
          origin: "desk",
          delivery: "pending",
          problem: null,
        })),
      });
    },
    add_counter_document: ({ document }) => {
      afterCalls.push(document);
      if (document.file_name === "bomb.png") {
        throw { kind: "document", message: "this file could not be shown: too many pixels" };
      }
      return kase({
        ...view,
        documents: [
          {
            id: "d9",
            doc_type: document.doc_type,
            file_name: document.file_name,
            size: 4,
            state: "ready",
            format: "PDF",
            problem: null,
            added_by: "Aysel Məmmədova",
            delivery: "pending",
          },
        ],
      });
    },
    decision_letter: ({ decisionId }) => {
      afterCalls.push(decisionId);
      throw { kind: "offline", message: "the centre cannot be reached" };
    },
    reopen_case: ({ reopening }) => {
      afterCalls.push(reopening);
      return kase({ ...view, status: "pending", can_reopen: false, can_execute: false });
    },
    record_execution: ({ issued }) => {
      afterCalls.push(issued);
      return kase({
        ...view,
        can_execute: false,
        execution: {
          document_number: issued.document_number.trim().toUpperCase(),
          issued_on: issued.issued_on,
          by: "Aysel Məmmədova",
          recorded_at: "2026-12-01T10:00:00Z",
        },
      });
    },
    decide: ({ decision }) => {
      decided.push(decision);
      return kase({
        can_decide: false,
        decision: {
          id: "x",
          kind: decision.kind,
          state: "pending",
          recorded_at: "2026-11-21T10:00:00Z",
          last_error: null,
        },
      });
    },
  });
  const { I18nextProvider } = await import("react-i18next");
  const rendered = render(
    <I18nextProvider i18n={i18n}>
      <CatalogueProvider>
        <Case caseId="c1" onBack={onBack} onNext={next} />
      </CatalogueProvider>
    </I18nextProvider>,
  );
  await screen.findByTestId("case-number");
  return rendered;
}

describe("the case screen", () => {
  it("shows the checklist, then records missing documents after the e-mail preview", async () => {
    const decided: Decision[] = [];
    await open(decided);
    const checklist = screen.getByTestId("checklist");
    expect(checklist.querySelector("[data-state='absent']")?.textContent).toContain(
      "Passport copy",
    );

    // "m" opens the decision with the absent document already ticked.
    fireEvent.keyDown(screen.getByTestId("case-screen"), { key: "m" });
    const dialog = await screen.findByTestId("decision-dialog");
    expect(dialog.dataset.kind).toBe("missing_documents");
    expect((screen.getByTestId("missing-passport-copy") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("missing-photos") as HTMLInputElement).checked).toBe(false);
    await userEvent.type(screen.getByTestId("missing-other"), "Diploma translation");
    await userEvent.click(screen.getByTestId("decision-preview"));

    // The preview is what the applicant reads, in the applicant's language; nothing is recorded yet.
    expect(await screen.findByTestId("email-subject")).toHaveProperty(
      "textContent",
      expect.stringContaining("Недостающие документы"),
    );
    expect(decided).toEqual([]);
    await userEvent.click(screen.getByTestId("decision-confirm"));
    await waitFor(() => expect(screen.getByTestId("decision-state").dataset.state).toBe("pending"));
    expect(decided).toEqual([
      {
        kind: "missing_documents",
        missing_documents: ["passport-copy"],
        missing_other: "Diploma translation",
        reasons: [],
        note: "",
      },
    ]);
    expect(screen.getByTestId("decision-state").textContent).toContain("waiting to send");
  });

  it("Escape leaves the dialog without deciding; n asks for the next case", async () => {
    const decided: Decision[] = [];
    let asked = 0;
    await open(decided, async () => {
      asked += 1;
      return false;
    });
    fireEvent.keyDown(screen.getByTestId("case-screen"), { key: "a" });
    const dialog = await screen.findByTestId("decision-dialog");
    fireEvent.keyDown(dialog, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("decision-dialog")).toBeNull());
    fireEvent.keyDown(screen.getByTestId("case-screen"), { key: "n" });
    await waitFor(() => expect(asked).toBe(1));
    expect(
      (await screen.findByText("This was the last case in the list.")).getAttribute("role"),
    ).toBe("status");
    expect(decided).toEqual([]);
  });

  it("says why the next case could not be opened", async () => {
    await open([], async () => {
      throw { kind: "storage", message: "cache busy" };
    });
    fireEvent.keyDown(screen.getByTestId("case-screen"), { key: "n" });
    const notice = await screen.findByTestId("error-notice");
    expect(notice.dataset.kind).toBe("storage");
    expect(notice.textContent).toContain("cache busy");
    expect(screen.getByTestId("case-number").textContent).toBe("MX-2026-000001");
  });

  it("has no accessibility violations, nor does its decision dialog", async () => {
    const { container } = await open([]);
    const run = async () =>
      (
        await axe.run(container, { rules: { "color-contrast": { enabled: false } } })
      ).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`);
    expect(await run()).toEqual([]);
    fireEvent.keyDown(screen.getByTestId("case-screen"), { key: "r" });
    await screen.findByTestId("decision-dialog");
    expect(await run()).toEqual([]);
  });

  it("takes the focus when it opens: a, Ctrl+Enter, Ctrl+Enter accept the case", async () => {
    const decided: Decision[] = [];
    await open(decided);
    // Keys go where the focus is, as a person's do: nothing here picks an element to type into.
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
    await userEvent.keyboard("a");
    await screen.findByTestId("decision-dialog");
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await screen.findByTestId("email-preview");
    expect(document.activeElement).toBe(screen.getByTestId("decision-confirm"));
    expect(decided).toEqual([]);
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.getByTestId("decision-state").dataset.state).toBe("pending"));
    expect(decided.map((d) => d.kind)).toEqual(["accept"]);
    // Focus is back on the case screen, so n works at once.
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
  });

  it("says the deadline is stopped while the applicant owes documents, with the days it keeps", async () => {
    await open([], async () => true, "en", {
      status: "missing_documents",
      can_decide: false,
      paused_days_left: 5,
      history: [
        {
          at: "2026-11-20T10:00:00Z",
          kind: "deadline_paused",
          actor: null,
          to: null,
          decision: null,
          reason: null,
          text: null,
          working_days: 5,
          due_date: null,
          ground: null,
          issued_on: null,
        },
      ],
    });
    expect(screen.getByTestId("deadline-paused").textContent).toBe(
      "deadline paused · 5 working days left",
    );
    expect(screen.getByTestId("history").textContent).toContain(
      "Deadline paused (5 working days left)",
    );
  });

  it("lists the applicant's other applications and warns of a possible duplicate", async () => {
    await open([], async () => true, "en", {
      applicant_history: [
        {
          number: "MX-2026-000077",
          service: "trp-issue",
          submitted_at: "2026-11-20T10:00:00Z",
          status: "pending",
          department_id: "baku",
          same_fin: false,
          same_passport: true,
          decision: null,
          decided_at: null,
          reasons: [],
          possible_duplicate: true,
        },
        {
          number: "MX-2025-000012",
          service: "trp-issue",
          submitted_at: "2025-03-02T10:00:00Z",
          status: "refused",
          department_id: "ganja",
          same_fin: true,
          same_passport: true,
          decision: "refuse",
          decided_at: "2025-03-10T10:00:00Z",
          reasons: ["contradictory"],
          possible_duplicate: false,
        },
      ],
    });
    expect(screen.getByTestId("possible-duplicate").textContent).toBe(
      "1 other open application for the same service: possibly a duplicate.",
    );
    expect(screen.getByTestId("case-duplicate").textContent).toContain("possible duplicate");
    const history = screen.getByTestId("applicant-history");
    expect(history.textContent).toContain(
      "MX-2025-000012 · Temporary residence permit · 02.03.2025",
    );
    expect(history.textContent).toContain("The information is contradictory");
    expect(history.textContent).toContain("same FIN and passport number");
    expect(history.querySelector("[data-duplicate='yes']")?.getAttribute("data-number")).toBe(
      "MX-2026-000077",
    );
  });

  it("c takes the keys to the note box; Ctrl+Enter keeps the note, Esc hands the keys back", async () => {
    const notes: string[] = [];
    let left = 0;
    await open(
      [],
      async () => true,
      "en",
      {},
      notes,
      () => {
        left += 1;
      },
    );
    expect(screen.getByText("No notes yet.")).toBeTruthy();
    await userEvent.keyboard("c");
    expect(document.activeElement).toBe(screen.getByTestId("note-text"));
    // Letters typed here are words, not the case screen's shortcuts.
    await userEvent.keyboard("Ərizəçi zəng edəcək, a m r n");
    expect(screen.queryByTestId("decision-dialog")).toBeNull();
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    const note = await screen.findByText("Ərizəçi zəng edəcək, a m r n");
    expect(notes).toEqual(["Ərizəçi zəng edəcək, a m r n"]);
    expect(note.closest("li")?.dataset.delivery).toBe("pending");
    expect(note.closest("li")?.textContent).toContain("waiting to be sent");
    expect((screen.getByTestId("note-text") as HTMLTextAreaElement).value).toBe("");
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
    // Escape in the box leaves the box, not the case.
    await userEvent.keyboard("c");
    await userEvent.keyboard("{Escape}");
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
    expect(left).toBe(0);
    // Nothing to save: the button stays off, Ctrl+Enter does nothing.
    expect((screen.getByTestId("note-add") as HTMLButtonElement).disabled).toBe(true);
    await userEvent.keyboard("c   {Control>}{Enter}{/Control}");
    expect(notes).toHaveLength(1);
  });

  it("names one more missing document by keys alone: arrows, Space, Ctrl+Enter, Enter", async () => {
    const decided: Decision[] = [];
    await open(decided);
    await userEvent.keyboard("m");
    await screen.findByTestId("decision-dialog");
    // The first document not yet ticked has the focus; the arrows move between the boxes.
    expect(document.activeElement).toBe(screen.getByTestId("missing-photos"));
    await userEvent.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(screen.getByTestId("missing-passport-copy"));
    await userEvent.keyboard("{ArrowDown}[Space]");
    expect((screen.getByTestId("missing-photos") as HTMLInputElement).checked).toBe(true);
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await screen.findByTestId("email-preview");
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(decided).toHaveLength(1));
    expect(decided[0]?.missing_documents).toEqual(["passport-copy", "photos"]);
  });

  it("u reopens a decided case with its ground, reference and reason; the keys come back", async () => {
    afterCalls.length = 0;
    await open([], async () => true, "en", {
      status: "accepted",
      can_decide: false,
      can_reopen: true,
    });
    expect(screen.queryByTestId("case-execute")).toBeNull();
    await userEvent.keyboard("u");
    await screen.findByTestId("reopen-dialog");
    expect(document.activeElement).toBe(screen.getByTestId("reopen-ground"));
    await userEvent.selectOptions(screen.getByTestId("reopen-ground"), "complaint_upheld");
    await userEvent.type(screen.getByTestId("reopen-reference"), "Ş-17/2026");
    await userEvent.type(screen.getByTestId("reopen-reason"), "The complaint was upheld");
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.queryByTestId("reopen-dialog")).toBeNull());
    expect(afterCalls).toEqual([
      {
        ground: "complaint_upheld",
        reference: "Ş-17/2026",
        reason: "The complaint was upheld",
        version: 3,
      },
    ]);
    expect(screen.queryByTestId("case-reopen")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
  });

  it("e records the permit issued on an accepted case; Esc leaves the dialog without asking", async () => {
    afterCalls.length = 0;
    await open([], async () => true, "en", {
      status: "accepted",
      can_decide: false,
      can_execute: true,
    });
    await userEvent.keyboard("e");
    await screen.findByTestId("execution-dialog");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("execution-dialog")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
    expect(afterCalls).toEqual([]);

    await userEvent.keyboard("e");
    expect(document.activeElement).toBe(screen.getByTestId("execution-number"));
    await userEvent.type(screen.getByTestId("execution-number"), "mi 0012345{Enter}");
    await waitFor(() => expect(screen.queryByTestId("execution-dialog")).toBeNull());
    expect(afterCalls).toHaveLength(1);
    expect(screen.getByTestId("execution-state").textContent).toContain("MI 0012345");
    expect(screen.queryByTestId("case-execute")).toBeNull();
  });

  it("i adds a scan from the counter by keys: the file, its type, Ctrl+Enter; a bad file says why", async () => {
    afterCalls.length = 0;
    await open([], async () => true, "en");
    await userEvent.keyboard("i");
    await screen.findByTestId("counter-dialog");
    expect(document.activeElement).toBe(screen.getByTestId("counter-file"));
    // The first required document the case lacks is chosen for it.
    expect((screen.getByTestId("counter-type") as HTMLSelectElement).value).toBe("passport-copy");
    await userEvent.upload(
      screen.getByTestId("counter-file"),
      new File(["\x89PNG"], "bomb.png", { type: "image/png" }),
    );
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    expect((await screen.findByTestId("error-notice")).dataset.kind).toBe("document");
    expect(screen.getByTestId("counter-dialog")).toBeTruthy();

    await userEvent.upload(
      screen.getByTestId("counter-file"),
      new File(["%PDF"], "passport.pdf", { type: "application/pdf" }),
    );
    await userEvent.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.queryByTestId("counter-dialog")).toBeNull());
    expect(afterCalls[1]).toEqual({
      doc_type: "passport-copy",
      file_name: "passport.pdf",
      content_base64: btoa("%PDF"),
    });
    expect(screen.getByTestId("pane-1-select").textContent).toContain("waiting to be sent");
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
  });

  it("l asks the centre for the standing decision's letter; offline it says so, Esc goes back", async () => {
    afterCalls.length = 0;
    await open([], async () => true, "en", {
      status: "refused",
      can_decide: false,
      letter_decision: "dec-7",
    });
    await userEvent.keyboard("l");
    await screen.findByTestId("letter-dialog");
    expect(document.activeElement).toBe(screen.getByTestId("letter-close"));
    const notice = await screen.findByTestId("error-notice");
    expect(notice.dataset.kind).toBe("offline");
    expect((screen.getByTestId("letter-print") as HTMLButtonElement).disabled).toBe(true);
    expect(afterCalls).toEqual(["dec-7"]);
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("letter-dialog")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("case-screen"));
  });

  it("says a refusal waits for the supervisor's approval, and offers no other decision", async () => {
    await open([], async () => true, "en", {
      can_decide: false,
      decision: {
        id: "dec-8",
        kind: "refuse",
        state: "sent",
        recorded_at: "2026-11-30T09:00:00Z",
        last_error: null,
      },
      proposal: {
        decision_id: "dec-8",
        proposed_by: "Aysel Məmmədova",
        decided_at: "2026-11-30T09:00:00Z",
        reasons: [{ code: "contradictory", fields: ["surname"], documents: [] }],
        note: "",
        email_subject: "s",
        email_body: "b",
        can_approve: false,
        can_answer: false,
        answer: null,
      },
    });
    expect(screen.getByTestId("case-proposal").textContent).toContain(
      "waiting for a supervisor's approval",
    );
    expect(screen.queryByTestId("decide-accept")).toBeNull();
    await userEvent.keyboard("a");
    expect(screen.queryByTestId("decision-dialog")).toBeNull();
  });

  it("shows the supervisor's note on a returned refusal beside the decisions", async () => {
    await open([], async () => true, "en", {
      returned: { by: "Rəşad Əliyev", at: "2026-12-01T10:00:00Z", note: "Check page 2." },
    });
    expect(screen.getByTestId("case-returned").textContent).toContain(
      "Your refusal was returned by Rəşad Əliyev",
    );
    expect(screen.getByTestId("case-returned").textContent).toContain("Check page 2.");
    expect(screen.getByTestId("decide-accept")).toBeTruthy();
  });

  it.each(["az", "en", "ru"])("shows words, never internal codes, in %s", async (lang) => {
    await open([], async () => true, lang, {
      form: [
        {
          key: "request",
          fields: [
            { key: "service", value: "trp-issue" },
            { key: "fee_tier", value: "standard" },
            { key: "purpose", value: "business" },
            { key: "nationality", value: "AZE" },
          ],
        },
      ],
    });
    const text = screen.getByTestId("case-screen").textContent ?? "";
    expect(text.match(/\b[a-z]+(?:-[a-z]+)+\b/g)).toBeNull();
    for (const code of ["standard", "business", "AZE"]) {
      expect(text).not.toMatch(new RegExp(`(:|\\b)${code}\\b`));
    }
    const service = catalogue.services[0]?.name[lang as "az" | "en" | "ru"] ?? "";
    expect(text).toContain(service);
  });
});
