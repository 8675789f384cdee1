// The work the desk does after a sync (the documents' text read for search, then the scans
// recognised), as last heard. It is kept here, outside any screen, because the work outlives
// the queue that started it: a queue shown again (after an unlock, which resumes the work)
// shows how far it got, and the next message reaches whichever queue is shown.
import { useSyncExternalStore } from "react";
import type { Progress } from "../ipc/client";

let current: Progress | null = null;
const listeners = new Set<() => void>();

/** Keeps how far the work after a sync got; nothing once no file is left to read. */
export function heardAfterSync(progress: Progress | null): void {
  current = progress && progress.documents_done < progress.documents_total ? progress : null;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** How far the work after a sync got, or `null` while there is none. */
export function useAfterSync(): Progress | null {
  return useSyncExternalStore(subscribe, () => current);
}
