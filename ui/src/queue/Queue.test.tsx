import { render, screen, waitFor } from "@testing-library/react";
import type { i18n as I18n } from "i18next";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { CatalogueProvider } from "../data/catalogue";
import { createI18n, resources } from "../i18n";
import type { QueueQuery } from "../ipc/client";
import { clearMocks, mockDesk } from "../ipc/testing";
import { aysel, besideQueue, queue } from "./fixtures";
import { Queue } from "./Queue";

const az = resources.az.translation;

afterEach(() => clearMocks());

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
    mockDesk({
      session: () => aysel,
      ...besideQueue,
      queue_page: (args) => {
        const page = pages(args);
        // Once the officer decided the first case (on the case screen), it waits to be sent.
        const rows = page.rows.map((r) =>
          decided && r.id === "app-0" ? { ...r, sync_state: "pending" as const } : r,
        );
        return { ...page, rows };
      },
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
