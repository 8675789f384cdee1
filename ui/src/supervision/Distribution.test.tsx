import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { DistributionChange, DistributionView } from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { CATALOGUE, DISTRIBUTION, departmentHandlers } from "./fixtures";

// jsdom has no `CSS.escape`, which user-event uses to find a radio group's other buttons by
// name when an arrow key moves the choice (the real window has it).
globalThis.CSS ??= {
  escape: (value: string) => value.replace(/[^\w-]/g, (c) => `\\${c}`),
} as unknown as typeof CSS;

/** The department of a supervisor, opened with `d` from the queue; records what is kept. */
async function department(language: string, handlers: Handlers = {}, rows = 3) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  const kept: DistributionChange[] = [];
  mockDesk({
    ...departmentHandlers(),
    catalogue: () => CATALOGUE,
    set_department_distribution: ({ change }): DistributionView => {
      kept.push(change);
      const officers = DISTRIBUTION.officers.map((o) => {
        const changed = change.officers.find((c) => c.officer_id === o.officer_id);
        return changed ? { ...o, ...changed } : o;
      });
      return { rule: change.rule, officers };
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  await user.click(await screen.findByTestId("queue-department"));
  await screen.findByTestId("department-distribution");
  await waitFor(() => expect(screen.queryAllByTestId("distribution-officer")).toHaveLength(rows));
  return { kept, user };
}

describe("the distribution of new applications", () => {
  it("shows each officer's services and absences, in words", async () => {
    await department("en");
    const [aysel, elvin, leyla] = screen.getAllByTestId("distribution-officer") as HTMLElement[];
    expect(aysel?.textContent).toContain(
      "Temporary residence permit, Extension of a temporary residence permit",
    );
    expect(elvin?.textContent).toContain("every service");
    expect(elvin?.textContent).toContain("20.12.2026 – 24.12.2026");
    expect(leyla?.dataset.away).toBe("true");
    expect(leyla?.textContent).toContain("away today");
    expect(screen.getByTestId<HTMLInputElement>("distribution-rule-least_open_work").checked).toBe(
      true,
    );
  });

  it("b goes to the rule, and the arrow keys change it at the centre", async () => {
    const { kept, user } = await department("az");
    await user.keyboard("b");
    const least = screen.getByTestId("distribution-rule-least_open_work");
    expect(document.activeElement).toBe(least);
    await user.keyboard("{ArrowDown}");
    await waitFor(() => expect(kept).toEqual([{ rule: "round_robin", officers: [] }]));
    expect(screen.getByTestId<HTMLInputElement>("distribution-rule-round_robin").checked).toBe(
      true,
    );
  });

  it("keeps an officer's services and a new absence together, and refuses a range backwards", async () => {
    const { kept, user } = await department("en");
    const elvin = screen.getAllByTestId("distribution-officer")[1] as HTMLElement;
    await user.click(within(elvin).getByTestId("distribution-edit"));
    const editor = await screen.findByTestId("distribution-editor");
    await user.click(within(editor).getByTestId("distribution-service-trp-issue"));
    await user.type(within(editor).getByTestId("distribution-from"), "31.02.2026");
    expect(within(editor).getByRole("alert").textContent).toContain("dd.mm.yyyy");
    await user.clear(within(editor).getByTestId("distribution-from"));
    await user.type(within(editor).getByTestId("distribution-from"), "10.12.2026");
    await user.type(within(editor).getByTestId("distribution-to"), "09.12.2026");
    expect(within(editor).getByRole("alert").textContent).toContain("cannot end before it starts");
    expect(within(editor).getByTestId<HTMLButtonElement>("distribution-add-absence").disabled).toBe(
      true,
    );
    await user.clear(within(editor).getByTestId("distribution-to"));
    await user.type(within(editor).getByTestId("distribution-to"), "11.12.2026");
    await user.click(within(editor).getByTestId("distribution-add-absence"));
    expect(within(editor).getAllByTestId("distribution-absence")).toHaveLength(2);
    await user.click(within(editor).getByTestId("distribution-service-trp-issue"));
    await user.click(within(editor).getByTestId("distribution-service-trp-extend"));
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(screen.queryByTestId("distribution-editor")).toBeNull());
    expect(kept).toEqual([
      {
        rule: "least_open_work",
        officers: [
          {
            officer_id: "off-elvin",
            services: ["trp-extend"],
            absences: [
              { from: "2026-12-20", to: "2026-12-24" },
              { from: "2026-12-10", to: "2026-12-11" },
            ],
          },
        ],
      },
    ]);
    const after = screen.getAllByTestId("distribution-officer")[1] as HTMLElement;
    expect(after.textContent).toContain("Extension of a temporary residence permit");
  });

  it("offline, says the distribution is the centre's and what to do", async () => {
    await department(
      "ru",
      {
        department_distribution: failWith({
          kind: "offline",
          message: "the centre cannot be reached",
        }),
      },
      0,
    );
    const section = await screen.findByTestId("department-distribution");
    await waitFor(() =>
      expect(section.textContent).toContain("Распределение хранится в центре: подключитесь"),
    );
    expect(screen.queryAllByTestId("distribution-officer")).toHaveLength(0);
  });
});
