import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "./i18n";
import type { AppInfo, QueuePage, QueueQuery, QueueRow } from "./ipc/client";
import { mockDesk } from "./ipc/testing";
import { aysel } from "./queue/fixtures";
import {
  ALERTS,
  approval,
  CATALOGUE,
  DISTRIBUTION,
  departmentConflict,
  ELVIN,
  POOL,
  STATISTICS,
  SUPERVISOR,
  WORKLOAD,
} from "./supervision/fixtures";

// An automated accessibility audit (axe-core) of each screen as it renders. jsdom lays nothing
// out, so rules that need rendering (colour contrast) cannot run here.
async function audit(container: HTMLElement) {
  const result = await axe.run(container, {
    rules: { "color-contrast": { enabled: false } },
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`);
}

const info: AppInfo = {
  name: "migdesk",
  version: "0.1.0",
  build: { commit: "abc1234", profile: "debug", target: "x86_64-unknown-linux-gnu" },
  data_dir: "/tmp/desk",
};

function queuePage({ query }: { query: QueueQuery }): QueuePage {
  const rows: QueueRow[] = Array.from({ length: Math.min(query.limit, 30) }, (_, n) => ({
    id: `app-${n}`,
    number: `MX-2026-${String(n).padStart(6, "0")}`,
    applicant: "Çingiz İSMAYILLI",
    service: "trp-issue",
    status: "pending",
    submitted_at: "2026-11-02T10:00:00Z",
    due_date: "2026-11-30",
    sync_state: n === 2 ? "conflict" : "none",
    working_days_left: 6 - n,
    paused_days_left: null,
    overdue: n > 6,
  }));
  return { rows, total: 30, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" };
}

describe("accessibility (axe-core)", () => {
  it("the audit itself finds a real violation", async () => {
    const { container } = render(
      <main>
        <input type="text" />
      </main>,
    );
    expect((await audit(container)).join()).toContain("label");
  });

  it.each(["az", "en", "ru"])("the sign-in screen in %s has no violations", async (lang) => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
    mockDesk({
      app_info: () => info,
      session: () => ({ ...aysel, signed_in: false, user_name: null, role: null }),
    });
    const { container } = render(<App i18n={createI18n()} />);
    await screen.findByTestId("app-version");
    expect(await audit(container)).toEqual([]);
  });

  it("the lock screen has no violations", async () => {
    mockDesk({ session: () => ({ ...aysel, locked: true }) });
    const { container } = render(<App i18n={createI18n()} />);
    await screen.findByTestId("unlock-title");
    expect(await audit(container)).toEqual([]);
  });

  it("the queue has no violations", async () => {
    mockDesk({
      session: () => aysel,
      queue_page: queuePage,
      catalogue: () => ({ services: [], document_types: [] }),
      conflicts: () => [],
      pool_cases: () => POOL,
    });
    const user = userEvent.setup();
    const { container } = render(<App i18n={createI18n()} />);
    await waitFor(() => expect(screen.getAllByTestId("queue-row").length).toBeGreaterThan(5));
    expect(await audit(container)).toEqual([]);
    // The pool's dialog over it.
    await user.click(screen.getByTestId("queue-pool"));
    await waitFor(() => expect(screen.getAllByTestId("pool-case")).toHaveLength(2));
    expect(await audit(container)).toEqual([]);
  });

  it.each(["az", "en", "ru"])(
    "the department, an officer's cases and the unsent-work warning in %s have no violations",
    async (lang) => {
      localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
      mockDesk({
        session: () => SUPERVISOR,
        queue_page: queuePage,
        catalogue: () => CATALOGUE,
        conflicts: () => [
          departmentConflict(),
          departmentConflict({
            id: "dec-0",
            case_id: "c9",
            resolution: {
              action: "discard",
              reason: "duplicate",
              by: "Rəşad",
              at: "2026-11-19T12:00:00Z",
            },
          }),
        ],
        workload: () => WORKLOAD,
        officer_cases: () => ELVIN,
        approvals: () => [
          approval(),
          approval({
            decision_id: "dec-10",
            can_answer: false,
            answer: {
              action: "return",
              note: "page 2",
              answered_at: "2026-12-01T10:00:00Z",
              delivery: "pending",
              problem: null,
            },
          }),
        ],
        department_settings: () => ({ four_eyes_refusals: true, alert_working_days: 2 }),
        department_alerts: () => ALERTS,
        department_distribution: () => DISTRIBUTION,
        department_statistics: () => STATISTICS,
      });
      const user = userEvent.setup();
      const { container } = render(<App i18n={createI18n()} />);
      await user.click(await screen.findByTestId("queue-department"));
      // The statistics' charts, one of them also as its table.
      await waitFor(() => expect(screen.getAllByTestId("stat-chart")).toHaveLength(7));
      await user.click(screen.getByTestId("stat-weeks").querySelector("summary") as HTMLElement);
      const row = (await screen.findAllByTestId("officer-row"))[1] as HTMLElement;
      await user.click(within(row).getByTestId("officer-open"));
      await waitFor(() => expect(screen.getAllByTestId("supervised-case")).toHaveLength(3));
      await waitFor(() => expect(screen.getAllByTestId("supervisor-conflict")).toHaveLength(2));
      await waitFor(() => expect(screen.getAllByTestId("approval")).toHaveLength(2));
      await user.click(screen.getByTestId("approval-return"));
      // The distribution, with one officer's services and absences open for editing.
      await waitFor(() => expect(screen.getAllByTestId("distribution-officer")).toHaveLength(3));
      await user.click(screen.getAllByTestId("distribution-edit")[0] as HTMLElement);
      await screen.findByTestId("distribution-editor");
      expect(await audit(container)).toEqual([]);

      await user.click(screen.getByTestId("select-all-cases"));
      await user.selectOptions(screen.getByTestId("reassign-officer"), "off-aysel");
      await user.type(screen.getByTestId("reassign-reason"), "load");
      await user.click(screen.getByTestId("reassign-submit"));
      await screen.findByTestId("unsent-warning");
      expect(await audit(container)).toEqual([]);
    },
    // The whole department, audited twice: longer than one screen, on a busy machine.
    20_000,
  );
});
