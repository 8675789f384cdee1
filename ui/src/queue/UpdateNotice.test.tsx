import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { UpdateOffer } from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { CATALOGUE, departmentHandlers, SUPERVISOR } from "../supervision/fixtures";

const OFFER: UpdateOffer = {
  version: "0.2.0",
  notes: { az: "Yeni: axtarış.", en: "New: search.", ru: "Новое: поиск." },
  published: "2026-12-03T08:00:00Z",
  unsent: 0,
};

/** An officer's queue in `lang`; records the versions asked to be installed. */
async function queue(lang: string, handlers: Handlers) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  const installs: string[] = [];
  mockDesk({
    ...departmentHandlers(),
    session: () => ({ ...SUPERVISOR, user_name: "Aysel Məmmədova", role: "officer" }),
    catalogue: () => CATALOGUE,
    install_update: ({ version }) => {
      installs.push(version);
      throw { kind: "update", message: "not signed with this desk's key" };
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  return { installs, user };
}

function installButton(): HTMLButtonElement {
  return screen.getByTestId("update-install") as HTMLButtonElement;
}

describe("a newer desk", () => {
  it("is told in the officer's language, and the button installs it", async () => {
    const { installs, user } = await queue("ru", { update_offer: () => OFFER });
    const offer = await screen.findByTestId("update-offer");
    expect(offer.dataset.version).toBe("0.2.0");
    expect(screen.getByTestId("update-notes").textContent).toBe("Новое: поиск.");
    await user.click(screen.getByTestId("update-install"));
    await waitFor(() => expect(installs).toEqual(["0.2.0"]));
    // A refused package is said, and the button is offered again.
    const refused = await screen.findByTestId("error-notice");
    expect(refused.dataset.kind).toBe("update");
    await waitFor(() => expect(installButton().disabled).toBe(false));
  });

  it("waits while decisions are unsent, and says so", async () => {
    const { installs } = await queue("en", { update_offer: () => ({ ...OFFER, unsent: 2 }) });
    await screen.findByTestId("update-offer");
    expect(screen.getByTestId("update-waits").textContent).toContain("2 unsent decisions");
    expect(installButton().disabled).toBe(true);
    expect(installs).toEqual([]);
  });

  it("says nothing when the centre cannot be reached or there is none", async () => {
    await queue("en", { update_offer: failWith({ kind: "offline", message: "refused" }) });
    await screen.findByTestId("queue-pool");
    expect(screen.queryByTestId("update-offer")).toBeNull();
    expect(screen.queryByTestId("error-notice")).toBeNull();
  });
});
