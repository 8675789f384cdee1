import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { DepartmentSettingsView } from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { ALERTS, departmentHandlers } from "./fixtures";

/** The department of a supervisor with three alerts; records the settings kept. */
async function department(language: string, handlers: Handlers = {}) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  const kept: DepartmentSettingsView[] = [];
  let loads = 0;
  mockDesk({
    ...departmentHandlers(),
    department_alerts: () => {
      loads++;
      return ALERTS;
    },
    set_department_settings: ({ settings }) => {
      kept.push(settings);
      return settings;
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  await user.click(await screen.findByTestId("queue-department"));
  await screen.findByTestId("department-alerts");
  return { kept, user, loads: () => loads };
}

describe("deadline alerts", () => {
  it("say they are loading until the centre answers, not an empty panel", async () => {
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await department("en", {
      department_alerts: async () => {
        await answered;
        return ALERTS;
      },
    });
    const panel = screen.getByTestId("department-alerts");
    expect(panel.textContent).toContain("Loading");
    answer();
    await waitFor(() => expect(screen.getAllByTestId("alert")).toHaveLength(3));
    expect(panel.textContent).not.toContain("Loading");
  });

  it("raise overdue, unassigned and unopened cases with a badge, in words", async () => {
    await department("en");
    await waitFor(() => expect(screen.getAllByTestId("alert")).toHaveLength(3));
    expect(screen.getByTestId("alerts-badge").textContent).toContain("3 deadline alerts");
    const [late, nobody, unopened] = screen.getAllByTestId("alert") as HTMLElement[];
    expect(late?.textContent).toContain("Overdue");
    expect(late?.textContent).toContain("overdue by 3 working days");
    expect(nobody?.textContent).toContain("No officer");
    expect(nobody?.textContent).toContain("nobody");
    expect(unopened?.textContent).toContain("Not opened by its officer");
    expect(unopened?.textContent).toContain("Aysel Məmmədova");
  });

  it("keeps how far ahead at the centre and asks for the alerts again", async () => {
    const { kept, user, loads } = await department("az");
    const days = await screen.findByTestId<HTMLInputElement>("alert-days");
    await waitFor(() => expect(days.value).toBe("2"));
    const before = loads();
    await user.clear(days);
    await user.type(days, "5");
    await waitFor(() =>
      expect(kept.at(-1)).toEqual({ four_eyes_refusals: true, alert_working_days: 5 }),
    );
    await waitFor(() => expect(loads()).toBeGreaterThan(before));
    expect(within(screen.getByTestId("department-alerts")).getAllByTestId("alert")).toHaveLength(3);
  });

  it("says the alerts need the centre when it cannot be reached", async () => {
    await department("ru", {
      department_alerts: failWith({ kind: "offline", message: "no network" }),
    });
    await waitFor(() =>
      expect(screen.getByTestId("department-alerts").textContent).toContain(
        "Предупреждения приходят из центра",
      ),
    );
    expect(screen.queryByTestId("alerts-badge")).toBeNull();
  });
});
