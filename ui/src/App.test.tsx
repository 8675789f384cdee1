import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { createI18n, LANGUAGE_STORAGE_KEY, resources } from "./i18n";
import type { AppInfo, SessionInfo } from "./ipc/client";
import { failWith, mockDesk } from "./ipc/testing";

const info: AppInfo = {
  name: "migdesk",
  version: "0.1.0",
  build: { commit: "abc1234567", profile: "debug", target: "x86_64-unknown-linux-gnu" },
  data_dir: "/home/officer/.local/share/az.migration.migdesk",
};

const nobody: SessionInfo = {
  signed_in: false,
  locked: false,
  server: null,
  user_name: null,
  role: null,
  clock_off_by_seconds: null,
  server_locked: false,
  default_language: null,
};

function renderApp() {
  return render(<App i18n={createI18n()} />);
}

describe("the first screen", () => {
  it("greets in Azerbaijani and shows what the core says about the workstation", async () => {
    mockDesk({ app_info: () => info, session: () => nobody });
    renderApp();

    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe(
      resources.az.translation.signIn.title,
    );
    expect(await screen.findByTestId("app-version")).toHaveProperty("textContent", "0.1.0");
    expect(screen.getByTestId("app-data-dir").textContent).toBe(info.data_dir);
    expect(screen.getByTestId("app-build").textContent).toContain("abc1234567");
  });

  it("switches to English and Russian and remembers the choice", async () => {
    mockDesk({ app_info: () => info, session: () => nobody });
    const user = userEvent.setup();
    renderApp();

    await user.click(await screen.findByTestId("language-en"));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Sign in");
    expect(screen.getByTestId("language-en").getAttribute("aria-pressed")).toBe("true");
    expect(document.documentElement.lang).toBe("en");

    await user.click(screen.getByTestId("language-ru"));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Вход в систему");
    expect(screen.getByRole("button", { name: "Войти" })).toBe(
      screen.getByTestId("sign-in-submit"),
    );
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("ru");
  });

  it("names each language in that language, whatever the current one", async () => {
    mockDesk({ app_info: () => info, session: () => nobody });
    renderApp();
    expect((await screen.findByTestId("language-az")).textContent).toBe("Azərbaycanca");
    expect(screen.getByTestId("language-en").textContent).toBe("English");
    expect(screen.getByTestId("language-ru").textContent).toBe("Русский");
  });

  it("labels every field", async () => {
    mockDesk({ app_info: () => info, session: () => nobody });
    renderApp();
    await screen.findByTestId("sign-in-title");
    const t = resources.az.translation.signIn;
    const fields = [
      [t.server, "sign-in-server"],
      [t.username, "sign-in-username"],
      [t.password, "sign-in-password"],
    ] as const;
    for (const [label, field] of fields) {
      expect(screen.getByLabelText(label)).toBe(screen.getByTestId(field));
    }
  });

  it("shows a storage failure in the officer's language with the detail for support", async () => {
    mockDesk({
      app_info: failWith({ kind: "storage", message: "cannot create /ro/data: read-only" }),
      session: () => nobody,
    });
    renderApp();

    const alert = await screen.findByRole("alert");
    expect(alert.querySelector("p")?.textContent).toBe(resources.az.translation.errors.storage);
    // The detail for support sits in the folded part, as code.
    expect(within(alert).getByText("cannot create /ro/data: read-only").closest("details")).toBe(
      alert.querySelector("details"),
    );
  });
});
