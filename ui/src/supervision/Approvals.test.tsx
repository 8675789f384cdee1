import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { createI18n, LANGUAGE_STORAGE_KEY } from "../i18n";
import type { ApprovalView, DepartmentSettingsView, ProposalAnswer } from "../ipc/client";
import { failWith, type Handlers, mockDesk } from "../ipc/testing";
import { approval, departmentHandlers } from "./fixtures";

/** The department of a supervisor with one refusal waiting; records the answers given. */
async function approvals(handlers: Handlers = {}, list: ApprovalView[] = [approval()]) {
  localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
  const answers: { id: string; answer: ProposalAnswer }[] = [];
  const settings: DepartmentSettingsView[] = [];
  mockDesk({
    ...departmentHandlers(),
    approvals: () => list,
    answer_proposal: ({ id, answer }) => {
      answers.push({ id, answer });
      return list.map((item) =>
        item.case_id === id
          ? {
              ...item,
              proposal: {
                ...item.proposal,
                can_answer: false,
                answer: {
                  action: answer.action,
                  note: answer.note,
                  answered_at: "2026-12-01T10:00:00Z",
                  delivery: "pending",
                  problem: null,
                },
              },
            }
          : item,
      );
    },
    set_department_settings: ({ settings: s }) => {
      settings.push(s);
      return s;
    },
    ...handlers,
  });
  const user = userEvent.setup();
  render(<App i18n={createI18n()} />);
  await user.click(await screen.findByTestId("queue-department"));
  await screen.findByTestId("department-approvals");
  return { answers, settings, user };
}

describe("refusals waiting for approval", () => {
  it("shows the reasons and the e-mail, and p then Enter approves the refusal", async () => {
    const { answers, user } = await approvals();
    const item = await screen.findByTestId("approval");
    expect(item.textContent).toContain("Elvin Quliyev");
    expect(item.textContent).toContain("The form was filled in incorrectly — Passport number");
    expect(within(item).getByTestId("approval-email").textContent).toContain(
      "your application was refused",
    );
    await user.keyboard("p");
    expect(document.activeElement).toBe(within(item).getByTestId("approval-approve"));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(answers).toHaveLength(1));
    expect(answers[0]).toEqual({
      id: "c9",
      answer: { decision_id: "dec-9", action: "approve", note: "" },
    });
    const answered = await screen.findByTestId("approval-answer");
    expect(answered.textContent).toContain("You approved it");
    expect(answered.textContent).toContain("waiting to be sent");
    expect(screen.queryByTestId("approval-approve")).toBeNull();
    // The keys stay with the list: Escape still closes the department.
    expect(document.activeElement).toBe(screen.getByTestId("department-approvals"));
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("department")).toBeNull());
  });

  it("returns a refusal with a note; Escape in the note closes it, not the screen", async () => {
    const { answers, user } = await approvals();
    await user.click(await screen.findByTestId("approval-return"));
    const note = screen.getByTestId("approval-note");
    expect(document.activeElement).toBe(note);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("approval-note")).toBeNull();
    expect(screen.getByTestId("department")).toBeTruthy();
    expect(answers).toHaveLength(0);

    await user.click(screen.getByTestId("approval-return"));
    await user.keyboard("Pasportun ikinci səhifəsinə baxın.");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(answers).toHaveLength(1));
    expect(answers[0]?.answer).toEqual({
      decision_id: "dec-9",
      action: "return",
      note: "Pasportun ikinci səhifəsinə baxın.",
    });
    expect((await screen.findByTestId("approval-answer")).textContent).toContain("You returned it");
  });

  it("offers no approval of one's own refusal", async () => {
    await approvals({}, [approval({ can_approve: false })]);
    const item = await screen.findByTestId("approval");
    expect(within(item).queryByTestId("approval-approve")).toBeNull();
    expect(within(item).getByTestId("approval-return")).toBeTruthy();
    expect(item.textContent).toContain("another supervisor approves it");
  });

  it("sets four eyes at the centre, and says so when the centre cannot be reached", async () => {
    const { settings, user } = await approvals();
    const box = await screen.findByTestId<HTMLInputElement>("four-eyes");
    await waitFor(() => expect(box.checked).toBe(true));
    await user.click(box);
    await waitFor(() =>
      expect(settings).toEqual([{ four_eyes_refusals: false, alert_working_days: 2 }]),
    );
    await waitFor(() => expect(box.checked).toBe(false));
  });

  it("keeps the list offline while the setting waits for the network", async () => {
    await approvals({
      department_settings: failWith({ kind: "offline", message: "no network" }),
    });
    expect(await screen.findByTestId("approval")).toBeTruthy();
    const box = screen.getByTestId<HTMLInputElement>("four-eyes");
    expect(box.disabled).toBe(true);
    expect(screen.getByTestId("department-approvals").textContent).toContain(
      "connect to see or change it",
    );
  });
});
