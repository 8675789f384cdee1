import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogueProvider } from "../data/catalogue";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { ConflictView, QueueQuery } from "../ipc/client";
import { clearMocks, failWith, mockDesk } from "../ipc/testing";
import { Queue } from "../queue/Queue";
import { departmentConflict } from "../supervision/fixtures";

/** The officer's own conflict: the department's example, decided on this desk. */
function conflict(over: Partial<ConflictView> = {}): ConflictView {
  return departmentConflict({ case_id: "c1", decided_by: null, on_this_desk: true, ...over });
}

afterEach(() => clearMocks());

async function queue(language: string, inbox: ConflictView[], opened: string[] = []) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  const i18n = createI18n();
  let conflicts = inbox;
  const seen: string[] = [];
  mockDesk({
    catalogue: () => ({ services: [], document_types: [] }),
    queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
    conflicts: () => conflicts,
    conflict_seen: ({ id }) => {
      seen.push(id);
      conflicts = conflicts.map((c) => (c.id === id ? { ...c, seen: true } : c));
      return conflicts;
    },
  });
  const { I18nextProvider } = await import("react-i18next");
  const view = render(
    <I18nextProvider i18n={i18n}>
      <CatalogueProvider>
        <Queue
          session={{
            signed_in: true,
            locked: false,
            server: "http://centre",
            user_name: "Elvin",
            role: "officer",
            clock_off_by_seconds: null,
            server_locked: false,
            default_language: null,
          }}
          onChange={() => undefined}
          onSessionEnded={() => undefined}
          onOpen={(id: string, _index: number, _query: QueueQuery) => opened.push(id)}
        />
      </CatalogueProvider>
    </I18nextProvider>,
  );
  await waitFor(() =>
    expect(screen.getByTestId("queue-conflicts").dataset.count).toBe(String(inbox.length)),
  );
  return { view, seen };
}

describe("the conflicts inbox", () => {
  it("tells each conflict in words, and marking it seen keeps it listed", async () => {
    const { seen } = await queue("en", [
      conflict(),
      conflict({ id: "dec-2", case_id: "c2", cause: "withdrawn", seen: true }),
    ]);
    const button = screen.getByTestId("queue-conflicts");
    expect(button.textContent).toBe("Conflicts: 1 new");

    // "c" on the list opens the inbox.
    fireEvent.keyDown(screen.getByTestId("queue-list"), { key: "c" });
    const inbox = await screen.findByTestId("conflicts-inbox");
    const items = within(inbox).getAllByTestId("conflict");
    expect(items.map((i) => i.dataset.cause)).toEqual(["reassigned", "withdrawn"]);
    const story = within(items[0] as HTMLElement).getByTestId("conflict-story").textContent ?? "";
    expect(story).toContain("A supervisor moved this case to Aysel Məmmədova at 20.11.2026");
    expect(story).toContain("after you decided it (Accept, 20.11.2026");
    expect(within(items[1] as HTMLElement).getByTestId("conflict-story").textContent).toContain(
      "The applicant withdrew the application",
    );

    await userEvent.click(within(items[0] as HTMLElement).getByTestId("conflict-seen"));
    await waitFor(() => expect(button.textContent).toBe("Conflicts"));
    expect(seen).toEqual(["dec-1"]);
    expect(
      within(inbox)
        .getAllByTestId("conflict")
        .map((i) => i.dataset.seen),
    ).toEqual(["true", "true"]);

    fireEvent.keyDown(inbox, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("conflicts-inbox")).toBeNull());
  });

  it("says a decision the centre refused for good will not go round again, in each language", async () => {
    const refused = conflict({ cause: "rejected", message: "this case is not assigned to you" });
    for (const [language, words] of [
      ["en", "The centre refused your decision (Accept, 20.11.2026"],
      ["az", "Mərkəz qərarınızı (Qəbul et, 20.11.2026"],
      ["ru", "Центр окончательно отклонил ваше решение"],
    ] as const) {
      const { view } = await queue(language, [refused]);
      fireEvent.keyDown(screen.getByTestId("queue-list"), { key: "c" });
      const story = (await screen.findByTestId("conflict-story")).textContent ?? "";
      expect(story).toContain(words);
      expect(story).toContain("this case is not assigned to you");
      view.unmount();
    }
  });

  it("says why a conflict could not be marked seen, inside the inbox", async () => {
    await queue("en", [conflict()]);
    mockDesk({
      catalogue: () => ({ services: [], document_types: [] }),
      queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
      conflicts: () => [conflict()],
      conflict_seen: failWith({ kind: "storage", message: "disk full" }),
    });
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    const inbox = await screen.findByTestId("conflicts-inbox");
    await userEvent.click(within(inbox).getByTestId("conflict-seen"));
    const notice = await within(inbox).findByTestId("error-notice");
    expect(notice.dataset.kind).toBe("storage");
    expect(within(inbox).getByTestId("conflict").dataset.seen).toBe("false");
  });

  it("speaks Azerbaijani and Russian, opens the case, and passes the accessibility audit", async () => {
    const opened: string[] = [];
    const { view } = await queue("az", [conflict()], opened);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    const inbox = await screen.findByTestId("conflicts-inbox");
    expect(within(inbox).getByTestId("conflict-story").textContent).toContain(
      "rəhbər bu müraciəti 20.11.2026",
    );
    const violations = (
      await axe.run(view.container, { rules: { "color-contrast": { enabled: false } } })
    ).violations.map((v) => v.id);
    expect(violations).toEqual([]);
    await userEvent.click(within(inbox).getByTestId("conflict-open"));
    expect(opened).toEqual(["c1"]);
    view.unmount();

    await queue("ru", [conflict({ cause: "stale_version" })]);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    expect((await screen.findByTestId("conflict-story")).textContent).toContain(
      "Откройте заявление, проверьте изменения и примите решение заново.",
    );
  });

  it("shows a supervisor's answer to the officer's own conflicts, and who decided the others", async () => {
    await queue("en", [
      conflict({
        resolution: {
          action: "discard",
          reason: "The applicant asked to stop",
          by: "Rəşad Əliyev",
          at: "2026-11-21T09:00:00Z",
        },
        seen: true,
      }),
      conflict({
        id: "dec-3",
        case_id: "c3",
        cause: "stale_version",
        decided_by: "Elvin Quliyev",
        on_this_desk: false,
      }),
    ]);
    fireEvent.keyDown(screen.getByTestId("queue-list"), { key: "c" });
    const items = within(await screen.findByTestId("conflicts-inbox")).getAllByTestId("conflict");

    const own = items[0] as HTMLElement;
    expect(within(own).queryByTestId("conflict-by")).toBeNull();
    const answer = within(own).getByTestId("conflict-resolution");
    expect(answer.dataset.action).toBe("discard");
    expect(answer.textContent).toContain(
      "Supervisor's answer: Decision set aside — Rəşad Əliyev, 21.11.2026",
    );
    expect(answer.textContent).toContain("Reason: The applicant asked to stop");

    const theirs = items[1] as HTMLElement;
    expect(within(theirs).getByTestId("conflict-by").textContent).toBe("Decided by Elvin Quliyev");
    expect(within(theirs).getByTestId("conflict-story").textContent).toContain(
      "Elvin Quliyev decided this case (Accept, 20.11.2026",
    );
    expect(within(theirs).queryByTestId("conflict-resolution")).toBeNull();
  });

  it("tells a colleague's conflict in Azerbaijani and Russian too", async () => {
    const theirs = conflict({ decided_by: "Elvin Quliyev", on_this_desk: false });
    const { view } = await queue("az", [theirs]);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    expect((await screen.findByTestId("conflict-by")).textContent).toBe(
      "Qərarı verən: Elvin Quliyev",
    );
    expect(screen.getByTestId("conflict-story").textContent).toContain(
      "Elvin Quliyev bu müraciət üzrə qərar verdi",
    );
    view.unmount();

    await queue("ru", [theirs]);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    expect((await screen.findByTestId("conflict-story")).textContent).toContain(
      "записано на рабочем месте сотрудника Elvin Quliyev",
    );
  });

  it("tells a supervisor's answer to a proposed refusal that the centre could not apply", async () => {
    const answer = conflict({
      kind: "refuse",
      cause: "withdrawn",
      answer: "approve",
      message: "the applicant withdrew MX-2026-000017",
    });
    const { view } = await queue("en", [answer]);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    expect((await screen.findByTestId("conflict-story")).textContent).toContain(
      "You answered this proposed refusal",
    );
    expect(screen.getByTestId("conflict-story").textContent).toContain(
      "the applicant had withdrawn the application",
    );
    view.unmount();
    await queue("az", [{ ...answer, cause: "stale_version" }]);
    await userEvent.click(screen.getByTestId("queue-conflicts"));
    expect((await screen.findByTestId("conflict-story")).textContent).toContain(
      "Bu imtina təklifinə cavab verdiniz",
    );
  });
});
