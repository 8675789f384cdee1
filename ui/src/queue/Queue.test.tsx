import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { i18n as I18n } from "i18next";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogueProvider } from "../data/catalogue";
import { createI18n, resources } from "../i18n";
import type { QueueQuery, QueueRow } from "../ipc/client";
import { clearMocks, type Handlers, mockDesk } from "../ipc/testing";
import { aysel, besideQueue, queue, row, synced } from "./fixtures";
import { formatDateTime } from "./format";
import { Queue } from "./Queue";

const az = resources.az.translation;

afterEach(() => clearMocks());

/** The desk of an officer signed in, answering the queue's pages with `pages` (and `more`). */
function officerDesk(pages: NonNullable<Handlers["queue_page"]>, more: Handlers = {}) {
  mockDesk({ session: () => aysel, ...besideQueue, queue_page: pages, ...more });
}

/** The queue as the app shows it, or keeps it hidden behind an open case. */
function queueScreen(i18n: I18n, hidden: boolean): ReactNode {
  return (
    <I18nextProvider i18n={i18n}>
      <CatalogueProvider>
        <Queue
          session={aysel}
          onChange={() => undefined}
          onSessionEnded={() => undefined}
          onOpen={() => undefined}
          hidden={hidden}
        />
      </CatalogueProvider>
    </I18nextProvider>
  );
}

describe("the queue behind an open case", () => {
  it("asks for its rows again when it shows again, and shows what was decided meanwhile", async () => {
    const queries: QueueQuery[] = [];
    const pages = queue(2, queries);
    let decided = false;
    officerDesk((args) => {
      const page = pages(args);
      // Once the officer decided the first case (on the case screen), it waits to be sent.
      const rows = page.rows.map((r) =>
        decided && r.id === "app-0" ? { ...r, sync_state: "pending" as const } : r,
      );
      return { ...page, rows };
    });
    const i18n = createI18n();
    const screenWith = (hidden: boolean) => queueScreen(i18n, hidden);
    const view = render(screenWith(false));
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    const first = () => screen.getAllByTestId("queue-row")[0];
    expect(first()?.dataset.sync).toBe("none");

    // A case opens over the queue, is decided, and the officer comes back.
    view.rerender(screenWith(true));
    decided = true;
    const asked = queries.length;
    view.rerender(screenWith(false));

    await waitFor(() => expect(first()?.dataset.sync).toBe("pending"));
    expect(first()?.textContent).toContain(az.queue.syncState.pending);
    expect(queries.length).toBeGreaterThan(asked);
  });
});

describe("the state column", () => {
  it("says where a decision of this desk stands until the centre settles it, then the case's status", async () => {
    const states: QueueRow["sync_state"][] = ["pending", "returned", "sent", "none", "conflict"];
    const rows = states.map((sync_state, n) => ({
      ...row(n),
      sync_state,
      status: sync_state === "sent" ? ("accepted" as const) : ("pending" as const),
      overdue: true,
    }));
    officerDesk(() => ({
      rows,
      total: rows.length,
      due_soon: 0,
      last_sync: "2026-11-20T08:15:00Z",
    }));
    render(queueScreen(createI18n(), false));
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(5));
    const shown = screen.getAllByTestId("queue-row").map((r) => ({
      state: within(r).getByTestId("queue-state").textContent,
      overdue: r.classList.contains("overdue"),
    }));
    expect(shown).toEqual([
      // Decided here, not sent yet: no longer waiting for the officer, nor red.
      { state: az.queue.syncState.pending, overdue: false },
      // Returned by the supervisor: the officer's to decide again, and late.
      { state: az.queue.syncState.returned, overdue: true },
      { state: az.queue.status.accepted, overdue: false },
      { state: az.queue.status.pending, overdue: true },
      { state: az.queue.syncState.conflict, overdue: false },
    ]);
    // One state column: no column left for the sending alone.
    expect(screen.getAllByTestId("queue-row")[0]?.children).toHaveLength(6);
  });
});

describe("how fresh the queue is", () => {
  it("says a desk that never synced has to, rather than that no case matches", async () => {
    officerDesk(() => ({ rows: [], total: 0, due_soon: 0, last_sync: null }));
    render(queueScreen(createI18n(), false));
    expect(await screen.findByText(az.queue.neverSynced)).toBeTruthy();
    expect(screen.queryByText(az.queue.empty)).toBeNull();
    expect(screen.queryByTestId("last-sync")).toBeNull();
  });

  it("says when the desk last synced, and that nothing matches once it has", async () => {
    const at = "2026-11-20T08:15:00Z";
    officerDesk(() => ({ rows: [], total: 0, due_soon: 0, last_sync: at }));
    render(queueScreen(createI18n(), false));
    expect(await screen.findByText(az.queue.empty)).toBeTruthy();
    expect(screen.getByTestId("last-sync").textContent).toBe(
      az.queue.lastSync.replace("{{at}}", formatDateTime(at)),
    );
  });
});

describe("the queue's keys", () => {
  it("moves a screenful with PageDown and PageUp, goes to the search with / and back with Esc, and syncs with s", async () => {
    let syncs = 0;
    officerDesk(queue(50, []), {
      sync_now: () => {
        syncs += 1;
        return { ...synced };
      },
    });
    const user = userEvent.setup();
    render(queueScreen(createI18n(), false));
    const list = await screen.findByTestId("queue-list");
    await waitFor(() => expect(screen.getByTestId("queue-total").dataset.total).toBe("50"));
    // Ten rows fit: a screenful moves nine, the selected row staying in view.
    Object.defineProperty(list, "clientHeight", { value: 360 });
    const selected = () =>
      document.getElementById(list.getAttribute("aria-activedescendant") ?? "")?.dataset.index;
    list.focus();
    await user.keyboard("{PageDown}");
    expect(selected()).toBe("9");
    await user.keyboard("{PageDown}{PageUp}{PageUp}");
    expect(selected()).toBe("0");

    await user.keyboard("/");
    const search = screen.getByTestId("queue-search");
    expect(document.activeElement).toBe(search);
    await user.keyboard("çingiz");
    expect((search as HTMLInputElement).value).toBe("çingiz");
    await user.keyboard("{Escape}");
    expect(document.activeElement).toBe(list);
    expect((search as HTMLInputElement).value).toBe("çingiz");

    const status = screen.getByTestId("sync-status");
    expect(status.dataset.ended).toBe("0");
    await user.keyboard("s");
    await waitFor(() => expect(status.dataset.state).toBe("done"));
    expect(syncs).toBe(1);
    // A second sync's end tells itself from the first's ("done" either way).
    await user.keyboard("s");
    await waitFor(() => expect(status.dataset.ended).toBe("2"));
    expect(syncs).toBe(2);
  });
});
