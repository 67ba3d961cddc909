import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet), and again on `reload()`. */
export function useLoad<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    api<T>("GET", path)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: Error) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Unsaved edits: the editor sets this; in-app links and the tab close ask before losing them. */
export const unsavedGuard = { dirty: false };

export function confirmLeave(): boolean {
  return !unsavedGuard.dirty || window.confirm("You have unsaved changes. Leave without saving?");
}

if (typeof window !== "undefined") {
  window.addEventListener("beforeunload", (event) => {
    if (unsavedGuard.dirty) event.preventDefault();
  });
}
