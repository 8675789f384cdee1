import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { StatisticsExport, StatisticsQuery, StatisticsView } from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { CATALOGUE, departmentHandlers, STATISTICS } from "./fixtures";

/** The department of a supervisor, opened from the queue; records what the desk was asked. */
async function department(language: string, handlers: Handlers = {}) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  const asked: StatisticsQuery[] = [];
  const exported: StatisticsExport[] = [];
  mockDesk({
    ...departmentHandlers(),
    catalogue: () => CATALOGUE,
    department_statistics: ({ query }): StatisticsView => {
      asked.push(query);
      return STATISTICS;
    },
    export_statistics: ({ export: table }) => {
      exported.push(table);
      return "/home/officer/Documents/migdesk/statistics-weeks-20261201-101500.csv";
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  await user.click(await screen.findByTestId("queue-department"));
  // Each chart is drawn by an effect after its box is on the page: wait for the drawings.
  await waitFor(() => expect(document.querySelectorAll(".stat-chart > svg")).toHaveLength(7));
  return { asked, exported, user };
}

function figure(name: string): HTMLElement {
  return screen.getByTestId(`stat-${name}`);
}

describe("the department's statistics", () => {
  it("draws each chart as labelled SVG with its table, and sums the figures up", async () => {
    const { asked } = await department("en");
    expect(asked).toEqual([{}]);
    expect(screen.getByTestId("stat-decided").textContent).toBe("14");
    // 11 of 14 in time.
    expect(screen.getByTestId("stat-on-time").textContent).toBe("79%");
    expect(screen.getByTestId("stat-period").textContent).toBe(
      "10.11.2026 – 30.11.2026, every service",
    );

    const weeks = figure("weeks");
    const chart = within(weeks).getByRole("img");
    expect(chart.tagName.toLowerCase()).toBe("svg");
    expect(chart.getAttribute("aria-label")).toBe(
      "Decisions per week. 14 decisions over 3 weeks, by outcome.",
    );
    // A bar for each outcome of each week, titled with its figure.
    const titles = [...chart.querySelectorAll("rect title")].map((t) => t.textContent);
    expect(titles).toContain("16.11.2026 · Accept: 4");
    expect(titles).toContain("23.11.2026 · Refuse: 1");
    // Plot's inline <style> never reaches the page (the window's policy refuses it).
    expect(document.querySelector(".stat-chart style")).toBeNull();

    const rows = [...within(weeks).getByTestId("stat-table").querySelectorAll("tbody tr")].map(
      (r) => [...r.children].map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ["09.11.2026", "2", "1", "0", "3"],
      ["16.11.2026", "4", "0", "1", "5"],
      ["23.11.2026", "3", "2", "1", "6"],
    ]);
    const officers = within(figure("officers")).getByTestId("stat-table").textContent;
    expect(officers).toContain("Aysel Məmmədova");
    expect(officers).toContain("Not recorded");
    expect(within(figure("services")).getByTestId("stat-table").textContent).toContain(
      "Temporary residence permit",
    );
    expect(within(figure("backlog")).getByTestId("stat-table").textContent).toContain(
      "21 and more",
    );
    expect(within(figure("reasons")).getByTestId("stat-table").textContent).toContain(
      "The information is contradictory",
    );
    expect(within(figure("fields")).getByTestId("stat-table").textContent).toContain(
      "Passport number",
    );
  });

  it.each([
    ["az", "Həftəlik qərarlar", "Qəbul et"],
    ["ru", "Решения по неделям", "Принять"],
  ])("speaks %s", async (language, weeks, accept) => {
    await department(language);
    expect(within(figure("weeks")).getByRole("heading").textContent).toBe(weeks);
    expect(screen.getByRole("list", { name: /./ }).textContent).toContain(accept);
  });

  it("s goes to the period; a period and a service are asked for with Enter", async () => {
    const { asked, user } = await department("az");
    await user.click(screen.getByTestId("department-refresh"));
    await user.keyboard("s");
    expect(document.activeElement).toBe(screen.getByTestId("stat-from"));
    await user.keyboard("1.1.2026");
    await user.tab();
    await user.keyboard("30.06.2026");
    await user.selectOptions(screen.getByTestId("stat-service"), "trp-issue");
    screen.getByTestId("stat-to").focus();
    await user.keyboard("{Enter}");
    await waitFor(() =>
      expect(asked.at(-1)).toEqual({ from: "2026-01-01", to: "2026-06-30", service: "trp-issue" }),
    );
  });

  it("refuses a day it cannot read, without asking the desk", async () => {
    const { asked, user } = await department("en");
    await user.type(screen.getByTestId("stat-from"), "31.02.2026{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("dd.mm.yyyy");
    expect(screen.getByTestId("stat-from").getAttribute("aria-invalid")).toBe("true");
    expect(asked).toHaveLength(1);
  });

  it("writes a chart's table as a CSV file and says where", async () => {
    const { exported, user } = await department("en");
    await user.click(within(figure("weeks")).getByTestId("stat-csv"));
    expect((await screen.findByTestId("stat-exported")).textContent).toContain(
      "statistics-weeks-20261201-101500.csv",
    );
    expect(exported).toEqual([
      {
        table: "weeks",
        header: ["Week of", "Accept", "Missing documents", "Refuse", "Total"],
        rows: [
          ["09.11.2026", "2", "1", "0", "3"],
          ["16.11.2026", "4", "0", "1", "5"],
          ["23.11.2026", "3", "2", "1", "6"],
        ],
      },
    ]);
  });

  it("says when the figures are the ones kept from before, and why nothing shows", async () => {
    await department("en", {
      department_statistics: () => ({ ...STATISTICS, offline: true }),
    });
    expect(screen.getByTestId("stat-offline").textContent).toContain(
      "The centre cannot be reached",
    );
  });

  it("names the error when the centre cannot be reached and nothing was kept", async () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
    mockDesk({
      ...departmentHandlers(),
      department_statistics: failWith({ kind: "offline", message: "connection refused" }),
    });
    render(<App i18n={createI18n()} />);
    await userEvent.setup().click(await screen.findByTestId("queue-department"));
    const section = await screen.findByTestId("department-statistics");
    await waitFor(() => expect(within(section).getByRole("alert")).toBeTruthy());
    expect(within(section).queryAllByTestId("stat-chart")).toHaveLength(0);
  });
});
