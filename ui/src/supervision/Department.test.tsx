import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type {
  ConflictView,
  Reassignment,
  Resolution,
  UndeliveredView,
  Workload,
} from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { CASES, departmentConflict, SUPERVISOR, WORKLOAD } from "./fixtures";

/** The queue of a supervisor with the department opened; records what is asked of the core. */
async function department(handlers: Handlers = {}, conflicts: ConflictView[] = []) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const calls = {
    workload: 0,
    officerCases: [] as string[],
    reassign: [] as Reassignment[],
    resolve: [] as { id: string; resolution: Resolution }[],
    exported: [] as string[],
  };
  mockDesk({
    session: () => SUPERVISOR,
    catalogue: () => ({ services: [], document_types: [] }),
    queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
    conflicts: () => conflicts,
    workload: () => {
      calls.workload++;
      return WORKLOAD;
    },
    officer_cases: ({ id }) => {
      calls.officerCases.push(id);
      const cases = CASES[id];
      if (!cases) throw { kind: "central", message: `404 no officer ${id}` };
      return cases;
    },
    reassign: ({ request }) => {
      calls.reassign.push(request);
      return { moved: request.cases.length };
    },
    export_history: ({ id }) => {
      calls.exported.push(id);
      return `/home/rashad/Documents/migdesk/history-${id}.csv`;
    },
    undelivered_emails: () => [],
    approvals: () => [],
    department_settings: () => ({ four_eyes_refusals: true, alert_working_days: 2 }),
    department_alerts: () => ({ today: "2026-12-01", within_working_days: 2, alerts: [] }),
    ...handlers,
  });
  const user = userEvent.setup();
  const view = render(<App i18n={createI18n()} />);
  await user.click(await screen.findByTestId("queue-department"));
  await waitFor(() => expect(screen.getAllByTestId("officer-row")).toHaveLength(3));
  return { view, calls, user };
}

function officerRow(id: string): HTMLElement {
  const row = screen.getAllByTestId("officer-row").find((r) => r.dataset.officer === id);
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}

function caseRow(id: string): HTMLElement {
  const row = screen.getAllByTestId("supervised-case").find((r) => r.dataset.case === id);
  if (!row) throw new Error(`no case ${id}`);
  return row;
}

/** Opens Elvin's cases. */
async function elvin(user: ReturnType<typeof userEvent.setup>) {
  await user.click(within(officerRow("off-elvin")).getByTestId("officer-open"));
  await waitFor(() => expect(screen.getAllByTestId("supervised-case")).toHaveLength(3));
}

const FAILED: UndeliveredView = {
  id: 41,
  application_id: "app-7",
  number: "MX-2026-000007",
  to: "aysel@example.org",
  subject: "Müraciətiniz qəbul edildi",
  state: "failed",
  attempts: 8,
  last_error: "550 mailbox unavailable",
  created_at: "2026-11-19T10:00:00Z",
  message_id: "<a1@migdesk-central>",
};
const CUT_OFF: UndeliveredView = {
  ...FAILED,
  id: 42,
  number: "MX-2026-000008",
  state: "sending",
  attempts: 1,
  last_error: null,
  message_id: "<b2@migdesk-central>",
};

describe("the department view", () => {
  it("lists the e-mails that did not reach applicants and sends one again", async () => {
    const requeued: number[] = [];
    const { user } = await department({
      undelivered_emails: () => [FAILED, CUT_OFF],
      requeue_email: ({ id }) => {
        requeued.push(id);
        return [CUT_OFF];
      },
    });
    const panel = screen.getByTestId("department-undelivered");
    await waitFor(() => expect(within(panel).getAllByTestId("undelivered-email")).toHaveLength(2));
    const [failed, cutOff] = within(panel).getAllByTestId("undelivered-email") as [
      HTMLElement,
      HTMLElement,
    ];
    expect(failed.textContent).toContain("550 mailbox unavailable");
    expect(failed.textContent).toContain("8 attempts");
    // One cut off midway may have arrived: the relay's log first.
    expect(within(cutOff).getByTestId("undelivered-check-relay").textContent).toContain(
      "<b2@migdesk-central>",
    );
    await user.click(within(failed).getByTestId("undelivered-requeue"));
    expect(requeued).toEqual([41]);
    await waitFor(() => expect(within(panel).getAllByTestId("undelivered-email")).toHaveLength(1));
    expect(within(panel).getByTestId("undelivered-email").dataset.email).toBe("42");
  });

  it("lists each officer's load, and closes back to the queue (Escape or the button)", async () => {
    const { calls, user } = await department();
    // The queue stays behind it, hidden, so its place survives.
    const queue = screen.getByTestId("queue-title").closest("main") as HTMLElement;
    expect(queue.hidden).toBe(true);
    const officers = screen.getByTestId("department-officers");
    expect(officers.getAttribute("aria-busy")).toBe("false");
    expect(screen.getAllByTestId("officer-row").map((r) => r.dataset.officer)).toEqual([
      "off-aysel",
      "off-elvin",
      "off-leyla",
    ]);
    const aysel = officerRow("off-aysel");
    expect(aysel.textContent).toContain("Aysel Məmmədova");
    expect(within(aysel).getByTestId("officer-open-count").textContent).toBe("12");
    expect(within(aysel).getByTestId("officer-overdue").textContent).toBe("2");
    expect(within(aysel).getByTestId("officer-last-sync").textContent).toContain("20.11.2026");
    expect(within(officerRow("off-leyla")).getByTestId("officer-last-sync").textContent).toBe(
      "never",
    );
    expect(screen.getByTestId("department").textContent).toContain("As of 20.11.2026");

    await user.click(screen.getByTestId("department-refresh"));
    await waitFor(() => expect(calls.workload).toBe(2));

    fireEvent.keyDown(screen.getByTestId("department"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("department")).toBeNull());
    expect(queue.hidden).toBe(false);

    // "d" on the queue opens it again; the close button leaves it.
    fireEvent.keyDown(screen.getByTestId("queue-list"), { key: "d" });
    await screen.findByTestId("department");
    await user.click(screen.getByTestId("department-close"));
    expect(screen.queryByTestId("department")).toBeNull();
  });

  it("is busy while the centre answers, and says when the centre cannot be reached", async () => {
    let answer: (w: Workload) => void = () => undefined;
    localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
    mockDesk({
      session: () => SUPERVISOR,
      catalogue: () => ({ services: [], document_types: [] }),
      queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
      conflicts: failWith({ kind: "offline", message: "connection refused" }),
      undelivered_emails: () => [],
      workload: () =>
        new Promise<Workload>((resolve) => {
          answer = resolve;
        }),
    });
    render(<App i18n={createI18n()} />);
    await userEvent.click(await screen.findByTestId("queue-department"));
    const officers = await screen.findByTestId("department-officers");
    expect(officers.getAttribute("aria-busy")).toBe("true");
    const conflicts = screen.getByTestId("department-conflicts");
    await waitFor(() =>
      expect(within(conflicts).getByTestId("error-notice").dataset.kind).toBe("offline"),
    );
    answer(WORKLOAD);
    await waitFor(() => expect(officers.getAttribute("aria-busy")).toBe("false"));
    expect(screen.getAllByTestId("officer-row")).toHaveLength(3);
  });

  it("is not offered to officers", async () => {
    mockDesk({
      session: () => ({ ...SUPERVISOR, user_name: "Elvin Quliyev", role: "officer" }),
      catalogue: () => ({ services: [], document_types: [] }),
      queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
      conflicts: () => [],
    });
    render(<App i18n={createI18n()} />);
    await screen.findByTestId("queue-title");
    expect(screen.queryByTestId("queue-department")).toBeNull();
    fireEvent.keyDown(screen.getByTestId("queue-list"), { key: "d" });
    expect(screen.queryByTestId("department")).toBeNull();
  });

  it("shows an officer's cases, marking those their desk may hold unsent work on", async () => {
    const { calls, user } = await department();
    expect(screen.queryAllByTestId("supervised-case")).toHaveLength(0);
    await elvin(user);
    expect(calls.officerCases).toEqual(["off-elvin"]);
    expect(officerRow("off-elvin").className).toBe("selected");
    const rows = screen.getAllByTestId("supervised-case");
    expect(rows.map((r) => [r.dataset.number, r.dataset.unsent])).toEqual([
      ["MX-2026-000017", "yes"],
      ["MX-2026-000018", "no"],
      ["MX-2026-000019", "no"],
    ]);
    const mark = within(caseRow("c17")).getByTestId("unsent-mark");
    expect(mark.getAttribute("title")).toContain("Elvin Quliyev has not synced since this case");
    expect(within(caseRow("c18")).queryByTestId("unsent-mark")).toBeNull();
    expect(screen.getByTestId("department-cases").textContent).toContain(
      "may hold decisions on them that have not been sent yet",
    );

    // Select all, then none; the target list holds the other officers only.
    const all = screen.getByTestId("select-all-cases") as HTMLInputElement;
    await user.click(all);
    expect(
      screen.getAllByTestId("select-case").map((c) => (c as HTMLInputElement).checked),
    ).toEqual([true, true, true]);
    await user.click(within(caseRow("c18")).getByTestId("select-case"));
    expect(all.checked).toBe(false);
    expect(all.indeterminate).toBe(true);
    await user.click(all);
    await user.click(all);
    expect(
      screen.getAllByTestId("select-case").map((c) => (c as HTMLInputElement).checked),
    ).toEqual([false, false, false]);
    const targets = within(screen.getByTestId("reassign-officer"))
      .getAllByRole("option")
      .map((o) => (o as HTMLOptionElement).value);
    expect(targets).toEqual(["", "off-aysel", "off-leyla"]);

    // Enter on another officer's row shows theirs.
    fireEvent.keyDown(within(officerRow("off-aysel")).getByTestId("officer-open"), {
      key: "Enter",
    });
    await waitFor(() =>
      expect(screen.getAllByTestId("supervised-case").map((r) => r.dataset.case)).toEqual(["c21"]),
    );
    expect(calls.officerCases).toEqual(["off-elvin", "off-aysel"]);
  });

  it("warns before moving a case the desk may hold unsent work on, and moves only when confirmed", async () => {
    const { calls, user } = await department();
    await elvin(user);
    const submit = screen.getByTestId("reassign-submit") as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await user.click(within(caseRow("c17")).getByTestId("select-case"));
    await user.click(within(caseRow("c18")).getByTestId("select-case"));
    expect(submit.disabled).toBe(true);
    await user.selectOptions(screen.getByTestId("reassign-officer"), "off-aysel");
    expect(submit.disabled).toBe(true);
    await user.type(screen.getByTestId("reassign-reason"), "   ");
    expect(submit.disabled).toBe(true);
    await user.type(screen.getByTestId("reassign-reason"), "Elvin is on leave next week");
    expect(submit.disabled).toBe(false);
    expect(submit.textContent).toBe("Reassign selected (2)");

    await user.click(submit);
    const warning = await screen.findByTestId("unsent-warning");
    expect(calls.reassign).toEqual([]);
    expect(
      within(warning)
        .getAllByTestId("unsent-case")
        .map((c) => c.dataset.number),
    ).toEqual(["MX-2026-000017"]);
    expect(warning.textContent).toContain(
      "The desk of Elvin Quliyev has not synced since this case",
    );
    expect(warning.textContent).toContain("If you move the case to Aysel Məmmədova now");
    expect(warning.textContent).toContain("as a conflict, and you will have to resolve it");

    // Cancel (Escape) sends nothing and keeps everything as it was.
    fireEvent.keyDown(warning, { key: "Escape" });
    expect(screen.queryByTestId("unsent-warning")).toBeNull();
    // The department is still in front of the queue, with the reason as typed.
    expect(screen.getByTestId("queue-title").closest("main")?.hidden).toBe(true);
    expect((screen.getByTestId("reassign-reason") as HTMLTextAreaElement).value).toBe(
      "   Elvin is on leave next week",
    );
    expect(calls.reassign).toEqual([]);
    await user.click(submit);
    await user.click(
      within(await screen.findByTestId("unsent-warning")).getByTestId("unsent-cancel"),
    );
    expect(calls.reassign).toEqual([]);

    await user.click(submit);
    await user.click(await screen.findByTestId("unsent-confirm"));
    const done = await screen.findByTestId("reassign-done");
    expect(calls.reassign).toEqual([
      {
        cases: [
          { id: "c17", version: 19 },
          { id: "c18", version: 20 },
        ],
        officer_id: "off-aysel",
        reason: "Elvin is on leave next week",
      },
    ]);
    expect(done.dataset.moved).toBe("2");
    expect(done.textContent).toBe("2 cases moved to Aysel Məmmədova.");
    // The load and the officer's cases are asked for again; the form is ready for the next.
    await waitFor(() => expect(calls.workload).toBe(2));
    await waitFor(() => expect(calls.officerCases).toEqual(["off-elvin", "off-elvin"]));
    expect((screen.getByTestId("reassign-reason") as HTMLTextAreaElement).value).toBe("");
    expect(screen.getAllByTestId("select-case").some((c) => (c as HTMLInputElement).checked)).toBe(
      false,
    );
  });

  it("moves cases without unsent work straight away", async () => {
    const { calls, user } = await department();
    await elvin(user);
    await user.click(within(caseRow("c19")).getByTestId("select-case"));
    await user.selectOptions(screen.getByTestId("reassign-officer"), "off-leyla");
    await user.type(screen.getByTestId("reassign-reason"), "  Balancing the load ");
    await user.click(screen.getByTestId("reassign-submit"));
    expect((await screen.findByTestId("reassign-done")).dataset.moved).toBe("1");
    expect(screen.queryByTestId("unsent-warning")).toBeNull();
    expect(calls.reassign).toEqual([
      {
        cases: [{ id: "c19", version: 21 }],
        officer_id: "off-leyla",
        reason: "Balancing the load",
      },
    ]);
  });

  it("says why a reassignment failed and keeps the selection and the reason", async () => {
    const { user } = await department({
      reassign: failWith({
        kind: "central",
        message: "409 stale_version: MX-2026-000018 changed since you looked at it",
      }),
    });
    await elvin(user);
    await user.click(within(caseRow("c18")).getByTestId("select-case"));
    await user.selectOptions(screen.getByTestId("reassign-officer"), "off-aysel");
    await user.type(screen.getByTestId("reassign-reason"), "Aysel knows this applicant");
    await user.click(screen.getByTestId("reassign-submit"));

    const notice = await within(screen.getByTestId("reassign-form")).findByTestId("error-notice");
    expect(notice.dataset.kind).toBe("central");
    expect(notice.textContent).toContain("MX-2026-000018 changed since you looked at it");
    expect(screen.getByTestId("reassign-form").textContent).toContain("Nothing was moved");
    expect(screen.queryByTestId("reassign-done")).toBeNull();
    expect((screen.getByTestId("reassign-reason") as HTMLTextAreaElement).value).toBe(
      "Aysel knows this applicant",
    );
    expect((screen.getByTestId("reassign-officer") as HTMLSelectElement).value).toBe("off-aysel");
    expect((within(caseRow("c18")).getByTestId("select-case") as HTMLInputElement).checked).toBe(
      true,
    );
    expect((screen.getByTestId("reassign-submit") as HTMLButtonElement).disabled).toBe(false);

    // Escape in the reason belongs to the field: the department (and the reason) stay.
    fireEvent.keyDown(screen.getByTestId("reassign-reason"), { key: "Escape" });
    expect(screen.getByTestId("queue-title").closest("main")?.hidden).toBe(true);
    expect((screen.getByTestId("reassign-reason") as HTMLTextAreaElement).value).toBe(
      "Aysel knows this applicant",
    );
  });

  it("exports a case's history and shows where the file went, or why it could not", async () => {
    let fail = false;
    const { user } = await department({
      export_history: ({ id }) => {
        if (fail) throw { kind: "storage", message: "Documents is read-only" };
        return `/home/rashad/Documents/migdesk/history-${id}.csv`;
      },
    });
    await elvin(user);
    await user.click(within(caseRow("c18")).getByTestId("export-history"));
    const done = await screen.findByTestId("export-done");
    expect(done.textContent).toContain("The history of MX-2026-000018 was saved to:");
    expect(done.querySelector("code")?.textContent).toBe(
      "/home/rashad/Documents/migdesk/history-c18.csv",
    );

    fail = true;
    await user.click(within(caseRow("c17")).getByTestId("export-history"));
    const notice = await within(screen.getByTestId("department-cases")).findByTestId(
      "error-notice",
    );
    expect(notice.dataset.kind).toBe("storage");
    expect(screen.queryByTestId("export-done")).toBeNull();
  });
});

describe("the department's conflicts", () => {
  const resolved = departmentConflict({
    id: "dec-0",
    case_id: "c9",
    number: "MX-2026-000009",
    cause: "stale_version",
    resolution: {
      action: "apply",
      reason: null,
      by: "Rəşad Əliyev",
      at: "2026-11-19T12:00:00Z",
    },
  });
  const handOver = departmentConflict({
    id: "dec-2",
    case_id: "c30",
    number: "MX-2026-000030",
    cause: "withdrawn",
    decided_by: "Leyla Həsənova",
  });

  /** The core's answer to a resolution: the list with that conflict resolved. */
  function resolving(list: ConflictView[], calls: { id: string; resolution: Resolution }[]) {
    return ({ id, resolution }: { id: string; resolution: Resolution }) => {
      calls.push({ id, resolution });
      return list.map((c) =>
        c.id === id
          ? {
              ...c,
              resolution: {
                action: resolution.action,
                reason: resolution.reason === "" ? null : resolution.reason,
                by: "Rəşad Əliyev",
                at: "2026-11-20T11:00:00Z",
              },
            }
          : c,
      );
    };
  }

  it("tells each conflict's story and shows the answers already given", async () => {
    await department({}, [departmentConflict(), resolved]);
    const items = within(screen.getByTestId("department-conflicts")).getAllByTestId(
      "supervisor-conflict",
    );
    expect(items.map((i) => [i.dataset.case, i.dataset.resolved])).toEqual([
      ["c17", "no"],
      ["c9", "apply"],
    ]);
    const first = items[0] as HTMLElement;
    expect(first.textContent).toContain("MX-2026-000017 · CHINGIZ ISMAYILLI");
    const story = within(first).getByTestId("supervisor-conflict-story").textContent ?? "";
    expect(story).toContain("Elvin Quliyev decided this case (Accept, 20.11.2026");
    expect(story).toContain("a supervisor moved the case to Aysel Məmmədova at 20.11.2026");
    expect(within(first).getByTestId("supervisor-conflict-now").textContent).toContain(
      "Now: with Aysel Məmmədova since 20.11.2026",
    );
    expect(within(first).getByTestId("supervisor-conflict-now").textContent).toContain(
      "status: Waiting for a decision.",
    );
    const second = items[1] as HTMLElement;
    expect(within(second).queryByTestId("resolve-confirm")).toBeNull();
    expect(within(second).getByTestId("supervisor-resolution").textContent).toContain(
      "Decision applied — Rəşad Əliyev, 19.11.2026",
    );
  });

  it("tells a decision the centre refused for good in its words, and never offers to apply it", async () => {
    const rejected = departmentConflict({
      id: "dec-3",
      cause: "rejected",
      message: "a refusal needs at least one reason",
    });
    await department({}, [rejected]);
    const item = screen.getByTestId("supervisor-conflict");
    const story = within(item).getByTestId("supervisor-conflict-story").textContent ?? "";
    expect(story).toContain("The centre refused the decision of Elvin Quliyev (Accept, 20.11.2026");
    expect(story).toContain("a refusal needs at least one reason");
    expect(within(item).queryByTestId("resolve-apply")).toBeNull();
    expect(within(item).getByTestId("resolve-hand_over")).toBeTruthy();
    expect(within(item).getByTestId("resolve-discard")).toBeTruthy();
  });

  it("needs a reason to set a decision aside, and sends it", async () => {
    const calls: { id: string; resolution: Resolution }[] = [];
    const list = [departmentConflict(), resolved];
    const { user } = await department({ resolve_conflict: resolving(list, calls) }, list);
    const item = screen.getAllByTestId("supervisor-conflict")[0] as HTMLElement;
    const confirm = within(item).getByTestId("resolve-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.click(within(item).getByTestId("resolve-discard"));
    expect(within(item).getByTestId("resolve-discard").getAttribute("aria-pressed")).toBe("true");
    expect(within(item).getByTestId("resolve-explain").textContent).toContain(
      "A reason is required",
    );
    expect(confirm.disabled).toBe(true);
    await user.type(within(item).getByTestId("resolve-reason"), "  ");
    expect(confirm.disabled).toBe(true);
    await user.type(within(item).getByTestId("resolve-reason"), "The applicant asked to stop");
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);

    await waitFor(() =>
      expect(screen.getAllByTestId("supervisor-conflict").map((i) => i.dataset.resolved)).toEqual([
        "discard",
        "apply",
      ]),
    );
    expect(calls).toEqual([
      { id: "dec-1", resolution: { action: "discard", reason: "The applicant asked to stop" } },
    ]);
    const answer = within(screen.getAllByTestId("supervisor-conflict")[0] as HTMLElement);
    const words = answer.getByTestId("supervisor-resolution").textContent ?? "";
    expect(words).toContain("Decision set aside — Rəşad Əliyev, 20.11.2026");
    expect(words).toContain("Reason: The applicant asked to stop");
    expect(answer.queryByTestId("resolve-confirm")).toBeNull();
  });

  it("hands a case over with no reason as an empty one, and keeps the form when it fails", async () => {
    const calls: { id: string; resolution: Resolution }[] = [];
    let fail = true;
    const list = [handOver];
    const answer = resolving(list, calls);
    const { user } = await department(
      {
        resolve_conflict: (args) => {
          if (fail) throw { kind: "offline", message: "connection refused" };
          return answer(args);
        },
      },
      list,
    );
    const item = screen.getByTestId("supervisor-conflict");
    await user.click(within(item).getByTestId("resolve-apply"));
    await user.click(within(item).getByTestId("resolve-hand_over"));
    expect(within(item).getByTestId("resolve-apply").getAttribute("aria-pressed")).toBe("false");
    expect(within(item).getByTestId("resolve-explain").textContent).toContain(
      "Aysel Məmmədova decides the case themselves",
    );
    await user.click(within(item).getByTestId("resolve-confirm"));
    expect((await within(item).findByTestId("error-notice")).dataset.kind).toBe("offline");
    expect(within(item).getByTestId("resolve-hand_over").getAttribute("aria-pressed")).toBe("true");

    fail = false;
    await user.click(within(item).getByTestId("resolve-confirm"));
    await waitFor(() =>
      expect(screen.getByTestId("supervisor-conflict").dataset.resolved).toBe("hand_over"),
    );
    expect(calls).toEqual([{ id: "dec-2", resolution: { action: "hand_over", reason: "" } }]);
  });
});
