// Test-only data for the department view: a supervisor, their officers, cases and conflicts;
// and the department's pool.
import type {
  AlertsView,
  ApprovalView,
  CatalogueInfo,
  ConflictView,
  DistributionView,
  OfficerCases,
  PoolCaseView,
  SessionInfo,
  StatisticsView,
  SupervisedCase,
  Workload,
} from "../ipc/client";
import type { Handlers } from "../ipc/testing";

export const SUPERVISOR: SessionInfo = {
  signed_in: true,
  locked: false,
  server: "http://127.0.0.1:8470",
  user_name: "Rəşad Əliyev",
  role: "supervisor",
  clock_off_by_seconds: null,
  server_locked: false,
  default_language: null,
};

export const WORKLOAD: Workload = {
  department_id: "baku-1",
  today: "2026-11-20",
  officers: [
    {
      officer_id: "off-aysel",
      full_name: "Aysel Məmmədova",
      open: 12,
      overdue: 2,
      due_this_week: 4,
      last_sync_at: "2026-11-20T08:15:00Z",
    },
    {
      officer_id: "off-elvin",
      full_name: "Elvin Quliyev",
      open: 3,
      overdue: 0,
      due_this_week: 1,
      last_sync_at: "2026-11-19T16:00:00Z",
    },
    {
      officer_id: "off-leyla",
      full_name: "Leyla Həsənova",
      open: 0,
      overdue: 0,
      due_this_week: 0,
      last_sync_at: null,
    },
  ],
};

export function supervised(n: number, over: Partial<SupervisedCase> = {}): SupervisedCase {
  return {
    id: `c${n}`,
    number: `MX-2026-0000${n}`,
    service: "trp-issue",
    applicant: `APPLICANT ${n}`,
    status: "pending",
    due_date: "2026-11-27",
    version: n + 2,
    changed_at: "2026-11-18T10:00:00Z",
    may_hold_unsent_work: false,
    ...over,
  };
}

/** Elvin's cases: his desk last synced before the first one changed. */
export const ELVIN: OfficerCases = {
  officer_id: "off-elvin",
  full_name: "Elvin Quliyev",
  last_sync_at: "2026-11-19T16:00:00Z",
  cases: [
    supervised(17, { may_hold_unsent_work: true, changed_at: "2026-11-20T09:00:00Z" }),
    supervised(18),
    supervised(19, { status: "missing_documents" }),
  ],
};

export const CASES: Record<string, OfficerCases> = {
  "off-elvin": ELVIN,
  "off-aysel": {
    officer_id: "off-aysel",
    full_name: "Aysel Məmmədova",
    last_sync_at: "2026-11-20T08:15:00Z",
    cases: [supervised(21)],
  },
};

export function departmentConflict(over: Partial<ConflictView> = {}): ConflictView {
  return {
    id: "dec-1",
    case_id: "c17",
    number: "MX-2026-000017",
    applicant: "CHINGIZ ISMAYILLI",
    service: "trp-issue",
    kind: "accept",
    decided_at: "2026-11-20T09:05:00Z",
    cause: "reassigned",
    now_with: "Aysel Məmmədova",
    changed_at: "2026-11-20T10:20:00Z",
    status_now: "pending",
    message: "the case was moved to another officer",
    seen: false,
    decided_by: "Elvin Quliyev",
    on_this_desk: false,
    resolution: null,
    answer: null,
    ...over,
  };
}

/** A refusal waiting for the supervisor's approval. */
export function approval(over: Partial<ApprovalView["proposal"]> = {}): ApprovalView {
  return {
    case_id: "c9",
    number: "MX-2026-000009",
    service: "trp-issue",
    applicant: "LEYLA HASANOVA",
    proposal: {
      decision_id: "dec-9",
      proposed_by: "Elvin Quliyev",
      decided_at: "2026-11-30T09:00:00Z",
      reasons: [{ code: "form_incorrect", fields: ["passport_number"], documents: [] }],
      note: "The passport number differs.",
      email_subject: "Application MX-2026-000009: refused",
      email_body: "Dear applicant,\nyour application was refused: passport_number.",
      can_approve: true,
      can_answer: true,
      answer: null,
      ...over,
    },
  };
}

/** The department's deadline alerts: one overdue, one due soon with nobody, one not opened. */
export const ALERTS: AlertsView = {
  today: "2026-12-01",
  within_working_days: 2,
  alerts: [
    {
      case_id: "c3",
      number: "MX-2026-000003",
      service: "trp-issue",
      applicant: "ORXAN VELIYEV",
      officer: "Elvin Quliyev",
      due_date: "2026-11-26",
      working_days_left: -3,
      kind: "overdue",
    },
    {
      case_id: "c4",
      number: "MX-2026-000004",
      service: "trp-issue",
      applicant: "NIGAR RZAYEVA",
      officer: null,
      due_date: "2026-12-02",
      working_days_left: 1,
      kind: "unassigned",
    },
    {
      case_id: "c5",
      number: "MX-2026-000005",
      service: "trp-issue",
      applicant: "IVAN PETROV",
      officer: "Aysel Məmmədova",
      due_date: "2026-12-03",
      working_days_left: 2,
      kind: "unopened",
    },
  ],
};

/** The department's distribution: the fewest open cases; Aysel handles two services, Leyla is
 * away today. */
export const DISTRIBUTION: DistributionView = {
  rule: "least_open_work",
  officers: [
    {
      officer_id: "off-aysel",
      full_name: "Aysel Məmmədova",
      services: ["trp-issue", "trp-extend"],
      absences: [],
      away_today: false,
      open_cases: 12,
    },
    {
      officer_id: "off-elvin",
      full_name: "Elvin Quliyev",
      services: [],
      absences: [{ from: "2026-12-20", to: "2026-12-24" }],
      away_today: false,
      open_cases: 3,
    },
    {
      officer_id: "off-leyla",
      full_name: "Leyla Həsənova",
      services: [],
      absences: [{ from: "2026-11-30", to: "2026-12-02" }],
      away_today: true,
      open_cases: 0,
    },
  ],
};

/** A catalogue with the two services the distribution names. */
export const CATALOGUE: CatalogueInfo = {
  services: [
    {
      code: "trp-issue",
      name: {
        az: "Müvəqqəti yaşamaq icazəsi",
        en: "Temporary residence permit",
        ru: "Разрешение на временное проживание",
      },
      required_documents: [],
    },
    {
      code: "trp-extend",
      name: {
        az: "Müvəqqəti yaşamaq icazəsinin uzadılması",
        en: "Extension of a temporary residence permit",
        ru: "Продление разрешения на временное проживание",
      },
      required_documents: [],
    },
  ],
  document_types: [],
};

const counts = (accepted: number, missing_documents: number, refused: number) => ({
  accepted,
  missing_documents,
  refused,
});

/** A quarter's figures: three weeks, two officers (one decision of no recorded officer), two
 * services, a backlog, and the reasons and documents named. */
export const STATISTICS: StatisticsView = {
  fetched_at: "2026-12-01T09:30:00Z",
  offline: false,
  figures: {
    department_id: "baku",
    from: "2026-11-10",
    to: "2026-11-30",
    service: null,
    today: "2026-12-01",
    decided: counts(9, 3, 2),
    weeks: [
      { week_start: "2026-11-09", decided: counts(2, 1, 0) },
      { week_start: "2026-11-16", decided: counts(4, 0, 1) },
      { week_start: "2026-11-23", decided: counts(3, 2, 1) },
    ],
    by_officer: [
      { officer: { id: "u-baku-aysel", full_name: "Aysel Məmmədova" }, decided: counts(6, 2, 1) },
      { officer: { id: "u-baku-elvin", full_name: "Elvin Quliyev" }, decided: counts(2, 1, 1) },
      { officer: null, decided: counts(1, 0, 0) },
    ],
    by_service: [
      { service: "trp-issue", decided: counts(6, 2, 2) },
      { service: "trp-extend", decided: counts(3, 1, 0) },
    ],
    working_days: { decisions: 14, median: 6, p90: 13 },
    on_time: 11,
    backlog: [
      { min_working_days: 0, max_working_days: 5, cases: 7 },
      { min_working_days: 6, max_working_days: 10, cases: 4 },
      { min_working_days: 11, max_working_days: 15, cases: 2 },
      { min_working_days: 16, max_working_days: 20, cases: 0 },
      { min_working_days: 21, max_working_days: null, cases: 1 },
    ],
    refusal_reasons: [
      { code: "contradictory", count: 2 },
      { code: "form_incorrect", count: 1 },
    ],
    refused_fields: [{ code: "passport_number", count: 2 }],
    missing_documents: [{ code: "passport-copy", count: 3 }],
  },
};

/** Two cases waiting in the department's pool, the sooner due first. */
export const POOL: PoolCaseView[] = [
  {
    case_id: "c-1",
    number: "MX-2026-000101",
    service: "trp-issue",
    applicant: "Leyla Məmmədova",
    submitted_at: "2026-11-20T09:00:00Z",
    due_date: "2026-12-03",
    working_days_left: 2,
  },
  {
    case_id: "c-2",
    number: "MX-2026-000102",
    service: "trp-extend",
    applicant: "Ivan Petrov",
    submitted_at: "2026-11-21T09:00:00Z",
    due_date: "2026-12-10",
    working_days_left: 7,
  },
];

/** What the department screen asks the desk for, answered from these fixtures (nothing waiting,
 * no alerts): the base each test spreads its own answers over. */
export function departmentHandlers(): Handlers {
  return {
    session: () => SUPERVISOR,
    catalogue: () => ({ services: [], document_types: [] }),
    queue_page: () => ({ rows: [], total: 0, due_soon: 0, last_sync: "2026-11-20T08:15:00Z" }),
    conflicts: () => [],
    workload: () => WORKLOAD,
    undelivered_emails: () => [],
    approvals: () => [],
    department_settings: () => ({ four_eyes_refusals: true, alert_working_days: 2 }),
    department_alerts: () => ({ today: "2026-12-01", within_working_days: 2, alerts: [] }),
    department_distribution: () => DISTRIBUTION,
    department_statistics: () => STATISTICS,
  };
}
