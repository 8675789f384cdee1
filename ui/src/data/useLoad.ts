import { useCallback, useEffect, useState } from "react";
import { type DeskError, toDeskError } from "../ipc/client";

/** What the desk last answered for `key`, whether a load is running, and why one failed. */
export type Loaded<T> = {
  key: string | null;
  data: T | null;
  loading: boolean;
  error: DeskError | null;
};

/** A load and the ways to renew it. */
export type Load<T> = Loaded<T> & {
  /** Loads the same key again; the data stays shown until the answer comes. */
  reload: () => void;
  /** Replaces the data with a newer answer the desk gave to another command. */
  replace: (data: T) => void;
};

/**
 * The one way a screen loads what it shows from the desk: `fetch(key)`, again for a new `key`
 * and on `reload`. A null key loads nothing. A reload keeps the data shown until the answer
 * comes; a failure keeps it too and says why. Data loaded for another key is never returned,
 * and an answer that arrives after the key changed is dropped. `fetch` must be a stable
 * function (a module-level one, or a method of `desk`).
 */
export function useLoad<T>(key: string | null, fetch: (key: string) => Promise<T>): Load<T> {
  const [state, setState] = useState<Loaded<T>>({
    key: null,
    data: null,
    loading: false,
    error: null,
  });
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the reload trigger.
  useEffect(() => {
    if (key === null) {
      setState({ key: null, data: null, loading: false, error: null });
      return;
    }
    let current = true;
    setState((s) =>
      s.key === key
        ? { ...s, loading: true }
        : { ...s, key, data: null, loading: true, error: null },
    );
    fetch(key).then(
      (data) => {
        if (current) setState({ key, data, loading: false, error: null });
      },
      (thrown: unknown) => {
        if (current) setState((s) => ({ ...s, loading: false, error: toDeskError(thrown) }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, fetch, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((data: T) => setState((s) => ({ ...s, data, error: null })), []);
  const shown: Loaded<T> =
    state.key === key ? state : { key, data: null, loading: key !== null, error: null };
  return { ...shown, reload, replace };
}
