// The one module that talks to the desk's Rust core. Nothing else in the UI imports
// @tauri-apps/api, so screens can be tested with mocked IPC and served by another backend.
import { Channel, invoke } from "@tauri-apps/api/core";
import { trace } from "../data/trace";
import {
  type AlertsView,
  type AppInfo,
  type ApprovalView,
  type CaseView,
  type CatalogueInfo,
  type CommandName,
  type Commands,
  type ConflictView,
  type CounterDocument,
  type Decision,
  type DepartmentSettingsView,
  type DeskError,
  type DistributionChange,
  type DistributionView,
  type DocumentLayout,
  type DocumentText,
  type Email,
  type EmailId,
  ERROR_KINDS,
  type ErrorKind,
  type Issued,
  type Letter,
  type OfficerCases,
  type PoolCaseView,
  type Prefetched,
  type Progress,
  type ProposalAnswer,
  type QueuePage,
  type QueueQuery,
  type Reassignment,
  type ReassignOutcome,
  type Reopening,
  type Resolution,
  type SessionInfo,
  type SignInRequest,
  type StatisticsExport,
  type StatisticsQuery,
  type StatisticsView,
  type SyncReport,
  type UndeliveredView,
  type UpdateOffer,
  type Workload,
} from "./bindings";

export type {
  Absence,
  AlertKind,
  AlertsView,
  AlertView,
  AnswerView,
  AppInfo,
  ApprovalAction,
  ApprovalView,
  BacklogBucket,
  BuildInfo,
  CaseRef,
  CaseView,
  CatalogueInfo,
  ChecklistItem,
  ChecklistZone,
  ConflictResolution,
  ConflictView,
  Decision,
  DecisionKind,
  DepartmentSettingsView,
  DeskError,
  DistributionChange,
  DistributionRule,
  DistributionView,
  DocumentLayout,
  DocumentText,
  DocumentView,
  Email,
  ErrorKind,
  ExecutionView,
  FormGroupView,
  HistoryItem,
  Issued,
  Letter,
  LocalizedText,
  NamedCount,
  OfficerCases,
  OfficerFigures,
  OfficerIntakeView,
  OfficerLoad,
  OfficerRef,
  OutcomeCounts,
  PoolCaseView,
  Prefetched,
  Progress,
  ProposalAnswer,
  ProposalView,
  QueuePage,
  QueueQuery,
  QueueRow,
  ReasonCode,
  ReasonCount,
  Reassignment,
  ReassignOutcome,
  RefusalReason,
  ReopenGround,
  Reopening,
  Resolution,
  ResolutionAction,
  Role,
  ServiceFigures,
  SessionInfo,
  SignInRequest,
  Sort,
  Statistics,
  StatisticsExport,
  StatisticsQuery,
  StatisticsTable,
  StatisticsView,
  Status,
  SupervisedCase,
  SyncReport,
  SyncState,
  UndeliveredState,
  UndeliveredView,
  UpdateOffer,
  WeekFigures,
  WordBox,
  WorkingDays,
  Workload,
  ZoneCheck,
  ZoneDifference,
  ZoneField,
} from "./bindings";
export { ERROR_KINDS } from "./bindings";

/** Turns whatever a failed call threw into the desk's one error shape. */
export function toDeskError(thrown: unknown): DeskError {
  if (
    typeof thrown === "object" &&
    thrown !== null &&
    "kind" in thrown &&
    "message" in thrown &&
    ERROR_KINDS.includes((thrown as { kind: ErrorKind }).kind) &&
    typeof (thrown as { message: unknown }).message === "string"
  ) {
    const { kind, message } = thrown as DeskError;
    return { kind, message };
  }
  const message =
    thrown instanceof Error ? thrown.message : typeof thrown === "string" ? thrown : String(thrown);
  return { kind: "internal", message };
}

/** Calls a desk command; rejects with a `DeskError`, never anything else. */
export async function call<K extends CommandName>(
  command: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["returns"]> {
  const start = performance.now();
  try {
    return await invoke<Commands[K]["returns"]>(command, args);
  } catch (thrown) {
    throw toDeskError(thrown);
  } finally {
    trace(command, start);
  }
}

export const desk = {
  appInfo: (): Promise<AppInfo> => call("app_info", {}),
  catalogue: (): Promise<CatalogueInfo> => call("catalogue", {}),
  session: (): Promise<SessionInfo> => call("session", {}),
  signIn: (request: SignInRequest): Promise<SessionInfo> => call("sign_in", { request }),
  unlock: (password: string): Promise<SessionInfo> => call("unlock", { password }),
  lock: (): Promise<SessionInfo> => call("lock", {}),
  signOut: (): Promise<SessionInfo> => call("sign_out", {}),
  queuePage: (query: QueueQuery): Promise<QueuePage> => call("queue_page", { query }),
  /**
   * Syncs with the centre; `onProgress` hears counts and bytes as they change, until the sync
   * answers. A progress message travels apart from the answer and can reach the window after
   * it: one that comes late is dropped, so a finished sync never reads as running again.
   * `onAfter` hears, after the answer too, how far the work the desk does after each sync has
   * got (the documents' text read for search, then the scans recognised), the last message
   * with nothing left.
   */
  syncNow: (
    onProgress: (progress: Progress) => void = () => undefined,
    onAfter: (progress: Progress) => void = () => undefined,
  ): Promise<SyncReport> => {
    let answered = false;
    const channel = new Channel<Progress>();
    channel.onmessage = (progress) => {
      if (progress.phase === "reading" || progress.phase === "recognising") onAfter(progress);
      else if (!answered) onProgress(progress);
    };
    return call("sync_now", { onProgress: channel }).finally(() => {
      answered = true;
    });
  },
  caseView: (id: string): Promise<CaseView> => call("case_view", { id }),
  decisionPreview: (id: string, decision: Decision): Promise<Email> =>
    call("decision_preview", { id, decision }),
  decide: (id: string, decision: Decision): Promise<CaseView> => call("decide", { id, decision }),
  /** Writes an internal note on a case (kept at once, sent at the next sync). */
  addNote: (id: string, text: string): Promise<CaseView> => call("add_note", { id, text }),
  /** Adds a file brought to the counter (checked, kept at once, sent at the next sync). */
  addCounterDocument: (id: string, document: CounterDocument): Promise<CaseView> =>
    call("add_counter_document", { id, document }),
  /** Opens a decided case again (a supervisor; needs the centre). */
  reopenCase: (id: string, reopening: Reopening): Promise<CaseView> =>
    call("reopen_case", { id, reopening }),
  /** A decision's letter to the applicant, from the centre, to preview and print. */
  decisionLetter: (id: string, decisionId: string): Promise<Letter> =>
    call("decision_letter", { id, decisionId }),
  /** Records the permit or document issued on an accepted case (needs the centre). */
  recordExecution: (id: string, issued: Issued): Promise<CaseView> =>
    call("record_execution", { id, issued }),
  documentLayout: (id: string): Promise<DocumentLayout> => call("document_layout", { id }),
  documentText: (id: string): Promise<DocumentText> => call("document_text", { id }),
  recogniseDocument: (id: string): Promise<DocumentText> => call("recognise_document", { id }),
  /** Prepares a case's first documents before it is opened; resolves to how many, and whether
   * pdf.js draws one of them. */
  prefetchCase: (id: string): Promise<Prefetched> => call("prefetch_case", { id }),
  /** The department's refusals waiting for approval (from the cache: works offline). */
  approvals: (): Promise<ApprovalView[]> => call("approvals", {}),
  /** Keeps a supervisor's answer to a proposed refusal (sent at the next sync); resolves to
   * the approvals list as it is now. */
  answerProposal: (id: string, answer: ProposalAnswer): Promise<ApprovalView[]> =>
    call("answer_proposal", { id, answer }),
  /** The department's settings (supervisors; needs the centre). */
  departmentSettings: (): Promise<DepartmentSettingsView> => call("department_settings", {}),
  setDepartmentSettings: (settings: DepartmentSettingsView): Promise<DepartmentSettingsView> =>
    call("set_department_settings", { settings }),
  /** The department's deadline alerts (supervisors; needs the centre). */
  departmentAlerts: (): Promise<AlertsView> => call("department_alerts", {}),
  /** How the department's new applications reach its officers (supervisors; needs the centre). */
  departmentDistribution: (): Promise<DistributionView> => call("department_distribution", {}),
  setDepartmentDistribution: (change: DistributionChange): Promise<DistributionView> =>
    call("set_department_distribution", { change }),
  /** The department's statistics (supervisors): from the centre, or the figures kept last when
   * it cannot be reached (`offline`). */
  departmentStatistics: (query: StatisticsQuery): Promise<StatisticsView> =>
    call("department_statistics", { query }),
  /** The department's pool: the cases no officer has (needs the centre). */
  poolCases: (): Promise<PoolCaseView[]> => call("pool_cases", {}),
  /** Claims a case from the pool; resolves to the case, now the officer's and on this desk. */
  claimCase: (id: string): Promise<CaseView> => call("claim_case", { id }),
  /** Writes one of the statistics' tables as CSV; resolves to the file's path. */
  exportStatistics: (exported: StatisticsExport): Promise<string> =>
    call("export_statistics", { export: exported }),
  conflicts: (): Promise<ConflictView[]> => call("conflicts", {}),
  /** Marks a conflict as seen (it is kept); resolves to the inbox as it is now. */
  conflictSeen: (id: string): Promise<ConflictView[]> => call("conflict_seen", { id }),
  /** The department's officers and their load (supervisors only; needs the centre). */
  workload: (): Promise<Workload> => call("workload", {}),
  /** One officer's open cases, each saying whether their desk may hold unsent work on it. */
  officerCases: (id: string): Promise<OfficerCases> => call("officer_cases", { id }),
  /** Moves cases to another officer, all or none; resolves to how many moved. */
  reassign: (request: Reassignment): Promise<ReassignOutcome> => call("reassign", { request }),
  /** A supervisor's answer to a conflict; resolves to the conflicts as they are now. */
  resolveConflict: (id: string, resolution: Resolution): Promise<ConflictView[]> =>
    call("resolve_conflict", { id, resolution }),
  /** Writes a case's history as CSV; resolves to the file's absolute path. */
  exportHistory: (id: string): Promise<string> => call("export_history", { id }),
  /** The department's e-mails to applicants that failed or were cut off (supervisors only). */
  undeliveredEmails: (): Promise<UndeliveredView[]> => call("undelivered_emails", {}),
  /** Queues an e-mail again; resolves to the undelivered list as it is now. */
  requeueEmail: (id: EmailId): Promise<UndeliveredView[]> => call("requeue_email", { id }),
  /** A newer desk the centre offers, or null (also when this build takes no updates). */
  updateOffer: (): Promise<UpdateOffer | null> => call("update_offer", {}),
  /** Installs the offered desk and restarts as it; refused (`update`) while decisions or notes
   * wait to be sent, or when the package is not signed with the desk's key. */
  installUpdate: (version: string): Promise<null> => call("install_update", { version }),
};

/** Where the viewer reads a document page (or its thumbnail): the desk's own URI scheme,
 * streamed from the encrypted cache; never base64 in JSON. */
/** The address of page `page` of document `id`: whole; `screen`, scaled to fit the screen
 * (pages larger than the layout's `screen_side`); `thumb`, a small picture for the page strip. */
export function documentUrl(id: string, page: number, size?: "screen" | "thumb"): string {
  return documentScheme(`${encodeURIComponent(id)}/${page}${size ? `/${size}` : ""}`);
}

/** The address of bytes `begin` to `end` (not included) of document `id`'s file. */
export function documentBytesUrl(id: string, begin: number, end: number): string {
  return documentScheme(`${encodeURIComponent(id)}/bytes/${begin}-${end}`);
}

function documentScheme(path: string): string {
  // Linux and macOS WebViews address custom schemes as scheme://localhost; Windows as http.
  return navigator.userAgent.includes("Windows")
    ? `http://migdesk-doc.localhost/${path}`
    : `migdesk-doc://localhost/${path}`;
}
