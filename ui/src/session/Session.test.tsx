import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, resources } from "../i18n";
import type { AppInfo, Progress, QueueQuery, SessionInfo, SignInRequest } from "../ipc/client";
import { type Channel, failWith, type Handlers, mockDesk, progressOf } from "../ipc/testing";
import { aysel, besideQueue, catalogue, queue, synced } from "../queue/fixtures";

const az = resources.az.translation;

const info: AppInfo = {
  name: "migdesk",
  version: "0.1.0",
  build: { commit: "abc1234", profile: "debug", target: "x86_64-unknown-linux-gnu" },
  data_dir: "/tmp/desk",
};

const nobody: SessionInfo = {
  signed_in: false,
  locked: false,
  server: "http://127.0.0.1:8470",
  user_name: null,
  role: null,
  clock_off_by_seconds: null,
  server_locked: false,
  default_language: null,
};
function renderApp() {
  return render(<App i18n={createI18n()} />);
}

/**
 * Aysel's queue of two cases, synced once by a click; the sync's progress channel as the command
 * received it, every page asked for, the user and the sync's status line. `page` answers the
 * pages instead (`onSync` is told when the sync is asked for); `more` answers other commands.
 */
async function syncedKeepingChannel({
  page,
  onSync = () => undefined,
  more = {},
}: {
  page?: NonNullable<Handlers["queue_page"]>;
  onSync?: () => void;
  more?: Handlers;
} = {}) {
  let channel: Channel<Progress> | undefined;
  const queries: QueueQuery[] = [];
  mockDesk({
    session: () => aysel,
    queue_page: page ?? queue(2, queries),
    ...besideQueue,
    sync_now: ({ onProgress }) => {
      onSync();
      channel = onProgress;
      return { ...synced };
    },
    ...more,
  });
  const user = userEvent.setup();
  renderApp();
  await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
  await user.click(screen.getByTestId("queue-sync"));
  const status = screen.getByTestId("sync-status");
  await waitFor(() => expect(status.dataset.state).toBe("done"));
  return { channel: () => channel, queries, user, status };
}

describe("signing in", () => {
  it("offers the remembered server, signs in and opens the queue", async () => {
    const requests: SignInRequest[] = [];
    const queries: QueueQuery[] = [];
    mockDesk({
      app_info: () => info,
      session: () => nobody,
      sign_in: ({ request }) => {
        requests.push(request);
        return aysel;
      },
      queue_page: queue(3, queries),
      ...besideQueue,
    });
    const user = userEvent.setup();
    renderApp();

    const server = await screen.findByTestId("sign-in-server");
    expect((server as HTMLInputElement).value).toBe("http://127.0.0.1:8470");
    await user.type(screen.getByTestId("sign-in-username"), "aysel.m");
    await user.type(screen.getByTestId("sign-in-password"), "Bakı-2026!");
    await user.click(screen.getByTestId("sign-in-submit"));

    expect(requests).toEqual([
      { server: "http://127.0.0.1:8470", username: "aysel.m", password: "Bakı-2026!" },
    ]);
    expect((await screen.findByTestId("queue-user")).textContent).toBe("Aysel Məmmədova");
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
    expect(queries[0]).toMatchObject({ mine: true, overdue: false, search: null, offset: 0 });
    expect(screen.queryByTestId("error-notice")).toBeNull();
  });

  it("signs in to the centre the workstation is locked to, without a field to change it", async () => {
    const requests: SignInRequest[] = [];
    mockDesk({
      app_info: () => info,
      session: () => ({ ...nobody, server: "https://central.example", server_locked: true }),
      sign_in: ({ request }) => {
        requests.push(request);
        return aysel;
      },
      queue_page: queue(1, []),
      ...besideQueue,
    });
    const user = userEvent.setup();
    renderApp();

    const locked = await screen.findByTestId("sign-in-server-locked");
    expect(locked.textContent).toContain("https://central.example");
    expect(screen.queryByTestId("sign-in-server")).toBeNull();
    // The first field to fill has the focus (given as the form settles): the user name.
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByTestId("sign-in-username")),
    );
    await user.keyboard("aysel.m");
    await user.type(screen.getByTestId("sign-in-password"), "Bakı-2026!{Enter}");
    expect(requests).toEqual([
      { server: "https://central.example", username: "aysel.m", password: "Bakı-2026!" },
    ]);
  });

  it("stops at a workstation configuration IT must correct, naming the file and line", async () => {
    mockDesk({
      app_info: () => info,
      session: () => {
        throw {
          kind: "configuration",
          message:
            "the workstation configuration /etc/migdesk/desk.toml, line 2 (`servr = 1`): unknown field `servr`",
        };
      },
    });
    renderApp();

    const screenShown = await screen.findByTestId("configuration-error");
    expect(screenShown.textContent).toContain("İT şöbəsinə müraciət edin");
    expect(screenShown.textContent).toContain("desk.toml, line 2");
    expect(screen.queryByTestId("sign-in-username")).toBeNull();
  });

  it("says at the top of the queue how many of the officer's cases fall due by the next working day", async () => {
    const answer = queue(3, []);
    mockDesk({
      app_info: () => info,
      session: () => aysel,
      queue_page: (args) => ({ ...answer(args), due_soon: 2 }),
      ...besideQueue,
    });
    renderApp();
    const notice = await screen.findByTestId("queue-due-soon");
    expect(notice.textContent).toContain(az.queue.dueSoon_other.replace("{{count}}", "2"));
  });

  it("says nothing of deadlines when none falls due so soon", async () => {
    mockDesk({
      app_info: () => info,
      session: () => aysel,
      queue_page: queue(3, []),
      ...besideQueue,
    });
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
    expect(screen.queryByTestId("queue-due-soon")).toBeNull();
  });

  it("says what went wrong in the officer's language and keeps what was typed", async () => {
    mockDesk({
      app_info: () => info,
      session: () => nobody,
      sign_in: failWith({ kind: "unauthorized", message: "the centre answered 401" }),
    });
    const user = userEvent.setup();
    renderApp();
    await user.type(await screen.findByTestId("sign-in-username"), "aysel.m");
    await user.type(screen.getByTestId("sign-in-password"), "wrong");
    await user.click(screen.getByTestId("sign-in-submit"));

    const alert = await screen.findByTestId("error-notice");
    expect(alert.dataset.kind).toBe("unauthorized");
    expect(alert.querySelector("p")?.textContent).toBe(az.errors.unauthorized);
    expect((screen.getByTestId("sign-in-username") as HTMLInputElement).value).toBe("aysel.m");
    expect(screen.getByTestId("sign-in-submit")).toHaveProperty("disabled", false);
  });

  it("opens on the lock screen when a session is cached and unlocks with the password", async () => {
    const passwords: string[] = [];
    mockDesk({
      session: () => ({ ...aysel, locked: true }),
      unlock: ({ password }) => {
        passwords.push(password);
        if (password !== "right") throw { kind: "unauthorized", message: "not right" };
        return aysel;
      },
      queue_page: queue(0, []),
      ...besideQueue,
    });
    const user = userEvent.setup();
    renderApp();

    expect((await screen.findByTestId("unlock-title")).textContent).toBe(az.unlock.title);
    // Signing out from here says what it costs before it is pressed.
    const signOut = screen.getByRole("button", { name: az.unlock.signOut });
    const note = document.getElementById(signOut.getAttribute("aria-describedby") ?? "");
    expect(note?.textContent).toBe(az.unlock.signOutNote);
    await user.type(screen.getByTestId("unlock-password"), "wrong");
    await user.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("error-notice")).dataset.kind).toBe("unauthorized");

    await user.clear(screen.getByTestId("unlock-password"));
    await user.type(screen.getByTestId("unlock-password"), "right");
    await user.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByText(az.queue.empty)).getAttribute("role")).toBe("status");
    expect(passwords).toEqual(["wrong", "right"]);
  });
});

describe("the queue", () => {
  it("searches, filters and moves with j/k and the arrows", async () => {
    const queries: QueueQuery[] = [];
    mockDesk({ session: () => aysel, queue_page: queue(50, queries), ...besideQueue });
    const user = userEvent.setup();
    renderApp();

    const list = await screen.findByTestId("queue-list");
    await waitFor(() => expect(screen.getByTestId("queue-total").dataset.total).toBe("50"));
    expect(screen.getByTestId("queue-total").textContent).toBe("50 müraciət");
    const first = screen.getAllByTestId("queue-row")[0];
    expect(first?.textContent).toContain("MX-2026-000000");
    expect(first?.textContent).toContain("30.11.2026 · 2 iş günü gecikib");
    expect(first?.className).toContain("overdue");
    expect(screen.getAllByTestId("queue-row")[1]?.textContent).toContain("7 iş günü qalıb");
    expect(first?.getAttribute("aria-selected")).toBe("true");

    list.focus();
    await user.keyboard("jj");
    await user.keyboard("{ArrowUp}");
    const active = list.getAttribute("aria-activedescendant");
    expect(document.getElementById(active ?? "")?.dataset.number).toBe("MX-2026-000001");

    await user.type(screen.getByTestId("queue-search"), "ismayıllı");
    await waitFor(() => expect(queries.at(-1)?.search).toBe("ismayıllı"));
    await waitFor(() => expect(screen.getByTestId("queue-total").dataset.total).toBe("5"));
    expect(screen.getAllByTestId("queue-row")).toHaveLength(5);
    await user.clear(screen.getByTestId("queue-search"));
    await waitFor(() => expect(screen.getByTestId("queue-total").dataset.total).toBe("50"));
    await user.click(screen.getByTestId("queue-overdue"));
    await waitFor(() => expect(queries.at(-1)?.overdue).toBe(true));
    await user.click(screen.getByTestId("queue-mine"));
    await waitFor(() => expect(queries.at(-1)?.mine).toBe(false));

    // Services by their names in the officer's language; the filter sends the code.
    expect(first?.textContent).toContain("Müvəqqəti yaşama icazəsi");
    await user.selectOptions(screen.getByTestId("queue-service"), "trp-issue");
    await waitFor(() => expect(queries.at(-1)?.service).toBe("trp-issue"));
  });

  it("prepares the case the selection settles on, not every row it passes", async () => {
    const prefetched: string[] = [];
    mockDesk({
      session: () => aysel,
      queue_page: queue(50, []),
      ...besideQueue,
      prefetch_case: ({ id }) => {
        prefetched.push(id);
        return { prepared: 2, pdf: false };
      },
    });
    const user = userEvent.setup();
    renderApp();

    const list = await screen.findByTestId("queue-list");
    await waitFor(() => expect(prefetched).toEqual(["app-0"]));
    list.focus();
    await user.keyboard("jjj");
    await waitFor(() => expect(prefetched).toEqual(["app-0", "app-3"]));
  });

  it("shows a waiting-to-send decision and a failed sync in words", async () => {
    mockDesk({
      session: () => aysel,
      queue_page: queue(2, []),
      ...besideQueue,
      sync_now: failWith({ kind: "offline", message: "connection refused" }),
    });
    const user = userEvent.setup();
    renderApp();

    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    expect(screen.getAllByTestId("queue-row")[1]?.textContent).toContain(
      az.queue.syncState.pending,
    );
    await user.click(screen.getByTestId("queue-sync"));
    expect((await screen.findByTestId("error-notice")).dataset.kind).toBe("offline");
  });

  it("asks for the password again when the centre ends the session during a sync", async () => {
    let signedIn = true;
    mockDesk({
      session: () => (signedIn ? aysel : { ...aysel, signed_in: false }),
      app_info: () => info,
      queue_page: queue(2, []),
      ...besideQueue,
      sync_now: () => {
        signedIn = false;
        throw { kind: "unauthorized", message: "the centre ended this session" };
      },
    });
    const user = userEvent.setup();
    renderApp();

    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    await user.click(screen.getByTestId("queue-sync"));
    // The sign-in screen, with the centre's reason above it.
    expect((await screen.findByTestId("sign-in-title")).textContent).toBe(az.signIn.title);
    expect(screen.getByTestId("error-notice").dataset.kind).toBe("unauthorized");
  });

  it("says when this computer's clock is far off the centre's", async () => {
    mockDesk({
      session: () => ({ ...aysel, clock_off_by_seconds: -3600 }),
      queue_page: queue(2, []),
      ...besideQueue,
    });
    renderApp();
    expect((await screen.findByTestId("clock-off")).textContent).toBe(
      az.queue.clockOff.replace("{{count}}", "60"),
    );
  });

  it("says how many documents could not be fetched, the notes sent and refused, and that the centre was restored", async () => {
    mockDesk({
      session: () => aysel,
      queue_page: queue(2, []),
      ...besideQueue,
      sync_now: () => ({
        ...synced,
        documents_failed: 2,
        notes_sent: 3,
        notes_refused: 1,
        feed_restarted: true,
      }),
    });
    const user = userEvent.setup();
    renderApp();

    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    await user.click(screen.getByTestId("queue-sync"));
    const status = screen.getByTestId("sync-status");
    await waitFor(() => expect(status.dataset.state).toBe("done"));
    expect(status.textContent).toContain(az.queue.documentsFailed.replace("{{count}}", "2"));
    expect(status.textContent).toContain(az.queue.feedRestarted);
    expect(status.textContent).toContain(az.queue.notesSent.replace("{{count}}", "3"));
    expect(status.textContent).toContain(az.queue.notesRefused.replace("{{count}}", "1"));
  });

  it("shows the documents' text being read, then the scans recognised, after a sync until none is left, then asks for the search again", async () => {
    const { channel, queries, user, status } = await syncedKeepingChannel();
    // A search is shown: the words of the files read may add to it.
    await user.type(screen.getByRole("searchbox"), "Əliyev");
    await waitFor(() => expect(queries.at(-1)?.search).toBe("Əliyev"));
    // The reading after the sync reports to the same channel, after its answer.
    act(() => channel()?.onmessage(progressOf("reading", 3, 7)));
    const shown = await screen.findByTestId("after-sync-progress");
    expect(shown.textContent).toContain(az.sync.phase.reading);
    expect(shown.textContent).toContain(
      az.sync.documents.replace("{{done}}", "3").replace("{{total}}", "7"),
    );
    expect(status.dataset.state).toBe("done");
    // Then the scans not read yet are recognised, one after another.
    act(() => channel()?.onmessage(progressOf("reading", 7, 7)));
    act(() => channel()?.onmessage(progressOf("recognising", 1, 4)));
    await waitFor(() =>
      expect(screen.getByTestId("after-sync-progress").textContent).toContain(
        az.sync.phase.recognising,
      ),
    );
    expect(screen.getByTestId("after-sync-progress").textContent).toContain(
      az.sync.documents.replace("{{done}}", "1").replace("{{total}}", "4"),
    );
    const asked = queries.length;
    act(() => channel()?.onmessage(progressOf("recognising")));
    await waitFor(() => expect(screen.queryByTestId("after-sync-progress")).toBeNull());
    await waitFor(() => expect(queries.length).toBeGreaterThan(asked));
    expect(queries.at(-1)?.search).toBe("Əliyev");
  });

  it("shows the work after a sync on the queue shown again after a lock (the unlock resumes it)", async () => {
    const { channel, user } = await syncedKeepingChannel({
      more: { lock: () => ({ ...aysel, locked: true }), unlock: () => aysel },
    });
    act(() => channel()?.onmessage(progressOf("recognising", 1, 5)));
    await screen.findByTestId("after-sync-progress");
    await user.click(screen.getByTestId("queue-lock"));
    // The lock stops the work: its last message says nothing is left.
    act(() => channel()?.onmessage(progressOf("recognising")));
    await user.type(await screen.findByTestId("unlock-password"), "right");
    await user.click(screen.getByTestId("unlock-submit"));
    await screen.findByTestId("queue-title");
    expect(screen.queryByTestId("after-sync-progress")).toBeNull();
    act(() => channel()?.onmessage(progressOf("recognising", 2, 5)));
    const shown = await screen.findByTestId("after-sync-progress");
    expect(shown.textContent).toContain(
      az.sync.documents.replace("{{done}}", "2").replace("{{total}}", "5"),
    );
  });

  it("keeps the rows it shows while the page asked again after a sync is on its way", async () => {
    const answer = queue(2, []);
    let afterSync = false;
    let heldAsks = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await syncedKeepingChannel({
      page: async (args) => {
        // After the sync, the page's answer waits.
        if (afterSync) {
          heldAsks += 1;
          await held;
        }
        return answer(args);
      },
      onSync: () => {
        afterSync = true;
      },
    });
    await waitFor(() => expect(heldAsks).toBeGreaterThan(0));
    expect(screen.getAllByTestId("queue-row")).toHaveLength(2);
    expect(screen.getByTestId("queue-total").dataset.total).toBe("2");
    release();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
  });

  it("leaves the list as it is when the reading after a sync ends and nothing is searched", async () => {
    const { channel, queries } = await syncedKeepingChannel();
    act(() => channel()?.onmessage(progressOf("reading", 1, 2)));
    await screen.findByTestId("after-sync-progress");
    const asked = queries.length;
    act(() => channel()?.onmessage(progressOf("reading")));
    await waitFor(() => expect(screen.queryByTestId("after-sync-progress")).toBeNull());
    await new Promise((settle) => setTimeout(settle, 50));
    expect(queries.length).toBe(asked);
    expect(screen.getAllByTestId("queue-row")).toHaveLength(2);
  });

  it("fetches only the pages it shows, even for 100,000 cases", async () => {
    const queries: QueueQuery[] = [];
    mockDesk({ session: () => aysel, queue_page: queue(100_000, queries), ...besideQueue });
    renderApp();
    await waitFor(() => expect(screen.getByTestId("queue-total").dataset.total).toBe("100000"));
    expect(screen.getAllByTestId("queue-row").length).toBeLessThan(100);
    expect(new Set(queries.map((q) => q.offset))).toEqual(new Set([0]));
  });

  it("says when the catalogue or the conflicts inbox cannot be read, and still lists the cases", async () => {
    mockDesk({
      session: () => aysel,
      queue_page: queue(2, []),
      catalogue: failWith({ kind: "internal", message: "no catalogue" }),
      conflicts: failWith({ kind: "storage", message: "cache busy" }),
    });
    renderApp();

    await waitFor(() => expect(screen.getAllByTestId("error-notice")).toHaveLength(2));
    const kinds = screen.getAllByTestId("error-notice").map((notice) => notice.dataset.kind);
    expect(kinds.sort()).toEqual(["internal", "storage"]);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    // Without the catalogue a service shows as its code.
    expect(screen.getAllByTestId("queue-row")[0]?.textContent).toContain("trp-issue");
  });

  it("takes the officer to the lock screen when the inbox meets the idle lock", async () => {
    let locked = false;
    mockDesk({
      session: () => ({ ...aysel, locked }),
      queue_page: queue(2, []),
      catalogue: () => catalogue,
      conflicts: () => {
        locked = true;
        throw { kind: "locked", message: "idle for 15 minutes" };
      },
    });
    renderApp();

    expect((await screen.findByTestId("unlock-title")).textContent).toBe(az.unlock.title);
    expect(screen.queryByTestId("error-notice")).toBeNull();
  });

  it("says why locking or signing out failed, and stays on the queue", async () => {
    mockDesk({
      session: () => aysel,
      queue_page: queue(2, []),
      ...besideQueue,
      lock: failWith({ kind: "keyring", message: "the key store did not answer" }),
    });
    const user = userEvent.setup();
    renderApp();

    await user.click(await screen.findByTestId("queue-lock"));
    const notice = await screen.findByTestId("error-notice");
    expect(notice.dataset.kind).toBe("keyring");
    expect(notice.textContent).toContain("the key store did not answer");
    expect(screen.getByTestId("queue-title").closest("main")?.hidden).toBe(false);
  });
});
