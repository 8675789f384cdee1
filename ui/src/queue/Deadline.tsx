import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { QueueRow } from "../ipc/client";
import { formatDate } from "./format";

type Due = Pick<
  QueueRow,
  "status" | "due_date" | "working_days_left" | "paused_days_left" | "overdue"
>;

/** The due date and the working days left (or overdue), by the calendar table; while the
 * applicant owes documents the deadline is stopped, and it says so with the days it keeps. */
export function Deadline({ row }: { row: Due }) {
  const { t } = useTranslation();
  if (row.status === "missing_documents" && row.paused_days_left !== null) {
    return (
      <span data-testid="deadline-paused" data-days={row.paused_days_left}>
        {t("queue.deadline.paused")}
        <small> · {keptDays(t, row.paused_days_left)}</small>
      </span>
    );
  }
  const days = row.working_days_left;
  let words = "";
  if (row.status === "pending" && days !== null) {
    if (days > 0) words = t("queue.deadline.left", { count: days });
    else if (row.overdue) {
      words =
        days < 0 ? t("queue.deadline.overdue", { count: -days }) : t("queue.deadline.overdueNow");
    } else words = t("queue.deadline.today");
  }
  return (
    <>
      {formatDate(row.due_date)}
      {words && <small> · {words}</small>}
    </>
  );
}

/** The working days a stopped deadline keeps, in words: left, due that day, or already late. */
export function keptDays(t: TFunction, days: number): string {
  if (days > 0) return t("queue.deadline.left", { count: days });
  if (days < 0) return t("queue.deadline.overdue", { count: -days });
  return t("queue.deadline.today");
}
