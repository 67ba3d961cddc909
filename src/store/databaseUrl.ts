// Reads DATABASE_URL: unset or `sqlite:PATH` → SQLite (the embedded default, ./nudge.db);
// `postgres://…` → PostgreSQL. Anything else is a configuration error a user can fix.

export type DatabaseConfig = { engine: "sqlite"; path: string } | { engine: "postgres"; url: string };

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const DEFAULT_SQLITE_PATH = "./nudge.db";

export function parseDatabaseUrl(raw: string | undefined): DatabaseConfig {
  const url = raw?.trim() ?? "";
  if (url === "") return { engine: "sqlite", path: DEFAULT_SQLITE_PATH };
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid PostgreSQL URL: ${redact(url)}`);
    }
    return { engine: "postgres", url };
  }
  if (url.startsWith("sqlite:")) {
    // Accept sqlite:PATH, sqlite://PATH and sqlite::memory:
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw new ConfigError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./nudge.db");
    return { engine: "sqlite", path };
  }
  const scheme = url.includes(":") ? url.slice(0, url.indexOf(":")) : url;
  throw new ConfigError(
    `DATABASE_URL scheme "${scheme}" is not supported: use sqlite:PATH (the default, ${DEFAULT_SQLITE_PATH}) or postgres://USER@HOST:PORT/DB`,
  );
}

/** A URL fit for messages and logs: the password replaced. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  }
}
