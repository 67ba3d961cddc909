import type { ReactNode } from "react";
import { Link } from "wouter";
import type { Loaded } from "./hooks.ts";
import { confirmLeave } from "./hooks.ts";

/** Loading, error and empty states for a list; renders `children` when there are rows. */
export function ListState<T>({
  loaded,
  rows,
  empty,
  children,
}: {
  loaded: Loaded<unknown>;
  rows: T[] | undefined;
  empty: string;
  children: (rows: T[]) => ReactNode;
}) {
  if (loaded.error)
    return (
      <div role="alert" className="error">
        <p>Could not load: {loaded.error.message}</p>
        <button type="button" className="secondary" onClick={loaded.reload}>
          Try again
        </button>
      </div>
    );
  if (rows === undefined) return <p aria-busy="true">Loading…</p>;
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return <>{children(rows)}</>;
}

/** A link that asks before leaving unsaved edits. */
export function GuardedLink({
  href,
  children,
  ...rest
}: { href: string; children: ReactNode } & Record<string, unknown>) {
  return (
    <Link
      href={href}
      {...rest}
      onClick={(event: React.MouseEvent) => {
        if (!confirmLeave()) event.preventDefault();
      }}
    >
      {children}
    </Link>
  );
}

export function Badge({ children, tone }: { children: ReactNode; tone?: string }) {
  return <span className={`badge ${tone ?? ""}`}>{children}</span>;
}
