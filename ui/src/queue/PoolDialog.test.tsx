import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { CATALOGUE, departmentHandlers, POOL, SUPERVISOR } from "../supervision/fixtures";

/** An officer's queue; records what was claimed and how often the pool was asked for. */
async function queue(handlers: Handlers = {}) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const claimed: string[] = [];
  let asked = 0;
  mockDesk({
    ...departmentHandlers(),
    session: () => ({ ...SUPERVISOR, user_name: "Aysel Məmmədova", role: "officer" }),
    catalogue: () => CATALOGUE,
    pool_cases: () => {
      asked += 1;
      return POOL;
    },
    claim_case: ({ id }) => {
      claimed.push(id);
      throw { kind: "offline", message: "stop before the case screen" };
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  await screen.findByTestId("queue-pool");
  return { claimed, asked: () => asked, user };
}

describe("the department's pool", () => {
  it("p opens it from the list, soonest due first, the first claim under the keys", async () => {
    const { user } = await queue();
    screen.getByTestId("queue-list").focus();
    await user.keyboard("p");
    const dialog = await screen.findByTestId("pool");
    await waitFor(() => expect(within(dialog).getAllByTestId("pool-case")).toHaveLength(2));
    const [first, second] = within(dialog).getAllByTestId("pool-case") as HTMLElement[];
    expect(first?.textContent).toContain("Leyla Məmmədova");
    expect(first?.textContent).toContain("Temporary residence permit");
    expect(second?.textContent).toContain("Ivan Petrov");
    expect(document.activeElement).toBe(within(first as HTMLElement).getByTestId("pool-claim"));
    // Escape closes it and gives the keys back to the list.
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("pool")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("queue-list"));
  });

  it("Enter claims the case under the keys", async () => {
    const { claimed, user } = await queue();
    await user.click(screen.getByTestId("queue-pool"));
    await waitFor(() => expect(screen.getAllByTestId("pool-claim")).toHaveLength(2));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(claimed).toEqual(["c-1"]));
  });

  it("says so when another officer was first, and shows the pool as it is now", async () => {
    const { asked, user } = await queue({
      claim_case: failWith({
        kind: "invalid",
        message: "the case is no longer in the pool: another officer claimed it",
      }),
    });
    await user.click(screen.getByTestId("queue-pool"));
    await waitFor(() => expect(screen.getAllByTestId("pool-claim")).toHaveLength(2));
    await user.keyboard("{Enter}");
    expect((await screen.findByTestId("pool-error")).textContent).toContain(
      "Another officer claimed that case first",
    );
    await waitFor(() => expect(asked()).toBe(2));
  });

  it("says when nothing waits, and why when the centre cannot be reached", async () => {
    const { user } = await queue({ pool_cases: () => [] });
    await user.click(screen.getByTestId("queue-pool"));
    expect((await screen.findByTestId("pool-empty")).textContent).toBe(
      "No case is waiting in the pool.",
    );
    await user.click(screen.getByTestId("pool-close"));
    mockDesk({
      ...departmentHandlers(),
      catalogue: () => CATALOGUE,
      pool_cases: failWith({ kind: "offline", message: "connection refused" }),
    });
    await user.click(screen.getByTestId("queue-pool"));
    await waitFor(() => expect(within(screen.getByTestId("pool")).getByRole("alert")).toBeTruthy());
  });
});
