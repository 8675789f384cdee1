// Test-only helpers that answer desk commands without the Rust core.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CommandName, Commands, DeskError, Progress } from "./bindings";

export type Handlers = {
  [K in CommandName]?: (
    args: Commands[K]["args"],
  ) => Commands[K]["returns"] | Promise<Commands[K]["returns"]>;
};

/** A handler that fails the way the core fails: by rejecting with a `DeskError`. */
export function failWith(error: DeskError): () => never {
  return () => {
    throw error;
  };
}

/** Answers commands with the given handlers; any other command is an internal error. */
export function mockDesk(handlers: Handlers): void {
  mockIPC((command, payload) => {
    const handler = handlers[command as CommandName] as ((args: unknown) => unknown) | undefined;
    if (!handler) {
      throw { kind: "internal", message: `unexpected command ${command}` } satisfies DeskError;
    }
    return handler(payload ?? {});
  });
}

/** A sync's progress message: `phase`, with `done` of `total` documents and nothing else. */
export function progressOf(phase: Progress["phase"], done = 0, total = 0): Progress {
  return {
    phase,
    changes: 0,
    documents_done: done,
    documents_total: total,
    bytes: 0,
    bytes_total: 0,
    bytes_per_second: 0,
    seconds_remaining: null,
  };
}

/** The channel a command streams progress on, to send it messages from a test. */
export type { Channel } from "@tauri-apps/api/core";
export { clearMocks };
