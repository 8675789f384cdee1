import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES } from "./bindings";
import { call, desk, type Progress, type SyncReport, toDeskError } from "./client";
import { failWith, mockDesk, progressOf } from "./testing";

describe("toDeskError", () => {
  it("keeps a desk error as it is", () => {
    expect(toDeskError({ kind: "storage", message: "disk full", extra: 1 })).toEqual({
      kind: "storage",
      message: "disk full",
    });
  });

  it("turns an unknown kind into an internal error", () => {
    expect(toDeskError({ kind: "nope", message: "x" }).kind).toBe("internal");
  });

  it("turns a thrown Error or string into an internal error with its text", () => {
    expect(toDeskError(new Error("boom"))).toEqual({ kind: "internal", message: "boom" });
    expect(toDeskError("command app_info not allowed")).toEqual({
      kind: "internal",
      message: "command app_info not allowed",
    });
  });
});

describe("call", () => {
  it("returns the command's answer", async () => {
    const info = {
      name: "migdesk",
      version: "9.9.9",
      build: { commit: "c", profile: "debug", target: "t" },
      data_dir: "/d",
    };
    mockDesk({ app_info: () => info });
    await expect(desk.appInfo()).resolves.toEqual(info);
  });

  it("rejects with a DeskError", async () => {
    mockDesk({ app_info: failWith({ kind: "storage", message: "read-only" }) });
    await expect(call("app_info", {})).rejects.toEqual({ kind: "storage", message: "read-only" });
  });
});

describe("desk", () => {
  it("has a method for every command the desk exposes, sending the arguments the shell reads", async () => {
    const called = new Map<string, string[]>();
    mockIPC((command, payload) => {
      called.set(command, Object.keys((payload ?? {}) as Record<string, unknown>).sort());
      return null;
    });
    // Every method, with placeholder arguments: the names the facade sends are what counts.
    const methods = Object.values(desk) as ((...args: unknown[]) => Promise<unknown>)[];
    await Promise.all(methods.map((method) => method("x", "y").catch(() => undefined)));
    expect([...called.keys()].sort()).toEqual([...COMMAND_NAMES].sort());
    expect(called.get("decide")).toEqual(["decision", "id"]);
    expect(called.get("add_note")).toEqual(["id", "text"]);
    expect(called.get("sync_now")).toEqual(["onProgress"]);
  });
});

describe("syncNow", () => {
  const progress = (phase: Progress["phase"]) => progressOf(phase);
  const report = { changes: 2 } as SyncReport;
  /** The sync's channel, kept as the command receives it; the command answers `answer()`. */
  function syncKeepingChannel(answer: () => SyncReport): () => Channel<Progress> | undefined {
    let channel: Channel<Progress> | undefined;
    mockDesk({
      sync_now: ({ onProgress }) => {
        channel = onProgress;
        onProgress.onmessage(progress("documents"));
        return answer();
      },
    });
    return () => channel;
  }

  it("passes on the progress heard before the answer and drops what comes after it", async () => {
    const channel = syncKeepingChannel(() => report);
    const heard: string[] = [];
    await expect(desk.syncNow((p) => heard.push(p.phase))).resolves.toEqual(report);
    // The audit phase's message, delivered after the sync's answer.
    channel()?.onmessage(progress("audit"));
    expect(channel()).toBeDefined();
    expect(heard).toEqual(["documents"]);
  });

  it("passes on the work after the sync (text read, scans recognised), after the answer too", async () => {
    const channel = syncKeepingChannel(() => report);
    const heard: string[] = [];
    const reading: string[] = [];
    await desk.syncNow(
      (p) => heard.push(p.phase),
      (p) => reading.push(p.phase),
    );
    channel()?.onmessage(progress("reading"));
    channel()?.onmessage(progress("audit"));
    channel()?.onmessage(progress("recognising"));
    expect(heard).toEqual(["documents"]);
    expect(reading).toEqual(["reading", "recognising"]);
  });

  it("drops late progress after a failed sync too", async () => {
    const channel = syncKeepingChannel(() => {
      throw { kind: "offline", message: "connection refused" };
    });
    const heard: string[] = [];
    await expect(desk.syncNow((p) => heard.push(p.phase))).rejects.toMatchObject({
      kind: "offline",
    });
    channel()?.onmessage(progress("audit"));
    expect(channel()).toBeDefined();
    expect(heard).toEqual(["documents"]);
  });
});
