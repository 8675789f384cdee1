// The one module that talks to the desk's Rust core. Nothing else in the UI imports
// @tauri-apps/api, so screens can be tested with mocked IPC and served by another backend.
import { invoke } from "@tauri-apps/api/core";
import {
  type AppInfo,
  type CatalogueInfo,
  type CommandName,
  type Commands,
  type DeskError,
  ERROR_KINDS,
  type ErrorKind,
  type QueuePage,
  type QueueQuery,
  type SessionInfo,
  type SignInRequest,
  type SyncReport,
} from "./bindings";

export type {
  AppInfo,
  BuildInfo,
  CatalogueInfo,
  DeskError,
  ErrorKind,
  LocalizedText,
  QueuePage,
  QueueQuery,
  QueueRow,
  SessionInfo,
  SignInRequest,
  Sort,
  SyncReport,
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
  try {
    return await invoke<Commands[K]["returns"]>(command, args);
  } catch (thrown) {
    throw toDeskError(thrown);
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
  syncNow: (): Promise<SyncReport> => call("sync_now", {}),
};
