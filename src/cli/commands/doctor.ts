// `nudge doctor`: checks what live sending depends on — the database and its schema, each
// mailbox's SMTP and IMAP login, and the SPF, DKIM and DMARC records of the sending domains —
// and prints one pass/warn/fail line per check with how to fix it. Exit code 1 when any fails.

import { Resolver } from "node:dns/promises";
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { ImapFlow } from "imapflow";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import {
  dkimPublicKeyBase64,
  dkimSigningKeyOf,
  dkimTxtRecord,
  publishedDkimPublicKey,
} from "../../channels/email/dkimKeys.ts";
import { tlsOptionsOf } from "../../channels/email/tlsOptions.ts";
import { parseDatabaseUrl, redact } from "../../store/databaseUrl.ts";
import type { StoreEngine } from "../../store/dialect/storeEngine.ts";
import { pendingMigrations } from "../../store/migrate.ts";
import { openStore } from "../../store/openStore.ts";
import {
  type ImapSettings,
  imapSettingsOf,
  type SmtpSettings,
  smtpSettingsOf,
} from "../../store/repos/mailboxes.ts";
import { workspaceSettings } from "../../store/repos/workspaces.ts";
import type { MailboxRow } from "../../store/schema.ts";
import { printJson } from "../support/context.ts";

export type CheckStatus = "pass" | "warn" | "fail";

export interface DoctorCheck {
  /** What was checked, e.g. `smtp sam@acme.test` or `spf acme.test`. */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn or a fail; null on a pass. */
  hint: string | null;
}

/** `dns.resolveTxt`'s shape: each record as its character-strings (joined here). */
export type TxtResolver = (name: string) => Promise<string[][]>;

export interface DoctorOptions {
  engine: StoreEngine;
  /** Only this workspace's mailboxes (default: all). */
  workspaceId?: string;
  /** null skips the DNS checks; default: the system's resolver. */
  resolveTxt?: TxtResolver | null;
  /**
   * A name that always has TXT records on the public internet, looked up first: a resolver
   * that says it does not exist cannot see public DNS (an offline or filtering resolver would
   * otherwise make every record look missing). Default `_dmarc.gmail.com`; null skips it.
   */
  dnsProbeName?: string | null;
  /** Connect and answer timeout for each SMTP, IMAP and DNS conversation. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DNS_PROBE_NAME = "_dmarc.gmail.com";

const pass = (name: string, detail: string): DoctorCheck => ({ name, status: "pass", detail, hint: null });
const warn = (name: string, detail: string, hint: string): DoctorCheck => ({
  name,
  status: "warn",
  detail,
  hint,
});
const fail = (name: string, detail: string, hint: string): DoctorCheck => ({
  name,
  status: "fail",
  detail,
  hint,
});

function errorText(error: unknown): string {
  const e = error as { code?: string; response?: string; message?: string };
  return (e.response ?? e.message ?? String(error)).replace(/\s+/g, " ").slice(0, 300);
}

export async function checkDatabase(
  engine: StoreEngine,
  label: string,
): Promise<{ checks: DoctorCheck[]; schemaReady: boolean }> {
  try {
    await sql`select 1`.execute(engine.db);
  } catch (error) {
    return {
      checks: [
        fail(
          "database",
          `cannot connect to ${label}: ${errorText(error)}`,
          "check DATABASE_URL and that the database server is running",
        ),
      ],
      schemaReady: false,
    };
  }
  const pending = await pendingMigrations(engine.db);
  if (pending.length === 0)
    return { checks: [pass("database", `connected to ${label}; schema current`)], schemaReady: true };
  return {
    checks: [
      fail(
        "database",
        `connected to ${label}; ${pending.length} migration(s) not applied: ${pending.join(", ")}`,
        "run `nudge migrate` (`nudge start` and `nudge worker` also migrate when they start)",
      ),
    ],
    // Without the first migration there are no tables to read mailboxes from.
    schemaReady: !pending.includes("0001_initial"),
  };
}

export async function checkSmtpLogin(
  name: string,
  settings: SmtpSettings,
  timeoutMs: number,
): Promise<DoctorCheck> {
  // The same connection options as the live transport (smtpTransport.ts), without the pool.
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? settings.port === 465,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? "" } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    tls: tlsOptionsOf(settings),
    logger: false,
  });
  const where = `${settings.host}:${settings.port}`;
  try {
    await transport.verify();
    return pass(
      name,
      settings.user
        ? `logged in to ${where} as ${settings.user}`
        : `connected to ${where} (no login configured)`,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EAUTH") {
      return fail(
        name,
        `${where} refused the login of ${settings.user ?? "(no user)"}: ${errorText(error)}`,
        "check the mailbox's smtp.user and smtp.pass (Gmail and Microsoft 365 need an app password); PATCH /v1/mailboxes/{id}",
      );
    }
    return fail(
      name,
      `cannot talk to ${where}: ${errorText(error)}`,
      "check smtp.host and smtp.port, and smtp.secure (true for port 465, false for 587 with STARTTLS)",
    );
  } finally {
    transport.close();
  }
}

export async function checkImapLogin(
  name: string,
  settings: ImapSettings,
  timeoutMs: number,
): Promise<DoctorCheck> {
  // The same connection options as the inbox poller (imapPoller.ts).
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? settings.port === 993,
    auth: { user: settings.user, pass: settings.pass },
    logger: false,
    tls: tlsOptionsOf(settings),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  // A late socket error after a failed connect must not crash the command.
  client.on("error", () => {});
  const where = `${settings.host}:${settings.port}`;
  try {
    await client.connect();
    const folder = settings.mailbox ?? "INBOX";
    const status = await client.status(folder, { messages: true });
    return pass(
      name,
      `logged in to ${where} as ${settings.user}; ${folder} has ${status ? (status.messages ?? 0) : 0} message(s)`,
    );
  } catch (error) {
    if ((error as { authenticationFailed?: boolean }).authenticationFailed) {
      return fail(
        name,
        `${where} refused the login of ${settings.user}`,
        "check the mailbox's imap.user and imap.pass (often an app password); PATCH /v1/mailboxes/{id}",
      );
    }
    return fail(
      name,
      `cannot read ${where}: ${errorText(error)}`,
      "check imap.host, imap.port (993 with TLS) and imap.mailbox",
    );
  } finally {
    await client.logout().catch(() => {});
    client.close();
  }
}

type TxtLookup =
  | { kind: "records"; records: string[] }
  | { kind: "none" }
  | { kind: "unreachable"; reason: string };

/** ENODATA and ENOTFOUND mean the record does not exist; anything else means DNS did not answer. */
async function lookupTxt(resolveTxt: TxtResolver, name: string): Promise<TxtLookup> {
  try {
    const records = (await resolveTxt(name)).map((chunks) => chunks.join(""));
    return records.length > 0 ? { kind: "records", records } : { kind: "none" };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENODATA" || code === "ENOTFOUND") return { kind: "none" };
    return { kind: "unreachable", reason: code ?? errorText(error) };
  }
}

function spfCheck(domain: string, lookup: TxtLookup & { kind: "records" | "none" }): DoctorCheck {
  const name = `spf ${domain}`;
  const records =
    lookup.kind === "records" ? lookup.records.filter((r) => /^v=spf1(\s|$)/i.test(r.trim())) : [];
  const example = `publish a TXT record at ${domain}: "v=spf1 include:<your SMTP provider's SPF domain> ~all"`;
  if (records.length === 0) return fail(name, `no SPF record at ${domain}`, example);
  if (records.length > 1) {
    return fail(
      name,
      `${records.length} SPF records at ${domain}: receivers treat that as an error (RFC 7208)`,
      "merge them into one `v=spf1 …` record",
    );
  }
  const record = records[0] ?? "";
  if (/(^|\s)\+?all(\s|$)/i.test(record)) {
    return warn(name, `${record} lets any server send as ${domain}`, "end the record with ~all or -all");
  }
  return pass(name, record);
}

function dmarcRecords(lookup: TxtLookup): string[] {
  return lookup.kind === "records" ? lookup.records.filter((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim())) : [];
}

async function dmarcCheck(resolveTxt: TxtResolver, domain: string): Promise<DoctorCheck | "unreachable"> {
  const name = `dmarc ${domain}`;
  const own = await lookupTxt(resolveTxt, `_dmarc.${domain}`);
  if (own.kind === "unreachable") return "unreachable";
  let records = dmarcRecords(own);
  let where = `_dmarc.${domain}`;
  // Receivers fall back to the organizational domain; the last two labels are a close enough
  // guess here (a public-suffix list would be exact for co.uk-style domains).
  const labels = domain.split(".");
  if (records.length === 0 && labels.length > 2) {
    const parent = labels.slice(-2).join(".");
    const inherited = await lookupTxt(resolveTxt, `_dmarc.${parent}`);
    if (inherited.kind === "unreachable") return "unreachable";
    records = dmarcRecords(inherited);
    where = `_dmarc.${parent}`;
  }
  if (records.length === 0) {
    return fail(
      name,
      `no DMARC record at _dmarc.${domain}`,
      `publish a TXT record at _dmarc.${domain}: "v=DMARC1; p=none; rua=mailto:dmarc@${domain}" (Gmail and Yahoo require one of bulk senders)`,
    );
  }
  if (records.length > 1)
    return fail(name, `${records.length} DMARC records at ${where}`, "keep exactly one `v=DMARC1` record");
  const record = records[0] ?? "";
  const policy = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(record)?.[1]?.toLowerCase();
  if (!policy)
    return fail(
      name,
      `${where}: ${record} has no p= policy`,
      "add a policy, e.g. p=none to start, later quarantine or reject",
    );
  return pass(name, `${where}: ${record}`);
}

function dkimCheck(
  name: string,
  recordName: string,
  privateKeyPem: string,
  lookup: TxtLookup & { kind: "records" | "none" },
): DoctorCheck {
  const expected = dkimTxtRecord(privateKeyPem) ?? "v=DKIM1; k=rsa; p=<public key>";
  const publish = `publish a TXT record at ${recordName}: "${expected}"`;
  const published =
    lookup.kind === "records"
      ? lookup.records.map(publishedDkimPublicKey).filter((p): p is string => p !== null)
      : [];
  if (published.length === 0) return fail(name, `no DKIM key published at ${recordName}`, publish);
  const ours = dkimPublicKeyBase64(privateKeyPem);
  if (published.some((p) => p === ours)) return pass(name, `${recordName} publishes this mailbox's key`);
  if (published.every((p) => p === ""))
    return fail(name, `the key at ${recordName} is revoked (empty p=)`, publish);
  return fail(name, `the key at ${recordName} is not the public half of this mailbox's private key`, publish);
}

function mailboxLabel(m: MailboxRow): string {
  return m.from_address;
}

function domainOf(address: string): string {
  return (address.split("@").pop() ?? "").toLowerCase();
}

async function checkMailboxes(
  engine: StoreEngine,
  opts: { workspaceId?: string; timeoutMs: number },
): Promise<{ checks: DoctorCheck[]; mailboxes: MailboxRow[] }> {
  let query = engine.db.selectFrom("mailboxes").selectAll().orderBy("created_at").orderBy("id");
  if (opts.workspaceId) query = query.where("workspace_id", "=", opts.workspaceId);
  const mailboxes = await query.execute();
  const workspaces = await engine.db.selectFrom("workspaces").select(["id", "mode"]).execute();
  if (opts.workspaceId && !workspaces.some((w) => w.id === opts.workspaceId)) {
    return {
      checks: [
        fail(
          "workspace",
          `no workspace ${opts.workspaceId}`,
          "leave out --workspace, or use an id from GET /v1/workspace",
        ),
      ],
      mailboxes: [],
    };
  }
  const live = new Set(workspaces.filter((w) => w.mode === "live").map((w) => w.id));
  if (mailboxes.length === 0) {
    return {
      checks: [
        warn(
          "mailboxes",
          "no mailbox yet: nothing can be sent live",
          "add one: POST /v1/mailboxes with smtp settings (see docs/email.md)",
        ),
      ],
      mailboxes,
    };
  }
  const checks: DoctorCheck[] = [];
  for (const m of mailboxes) {
    const smtp = smtpSettingsOf(m);
    if (smtp) checks.push(await checkSmtpLogin(`smtp ${mailboxLabel(m)}`, smtp, opts.timeoutMs));
    else {
      const detail = "no SMTP settings: this mailbox cannot send live";
      const hint = "PATCH /v1/mailboxes/{id} with smtp {host, port, user, pass}";
      // In sandbox nothing is delivered, so missing settings only matter once the workspace is live.
      checks.push(
        live.has(m.workspace_id)
          ? fail(`smtp ${mailboxLabel(m)}`, detail, hint)
          : warn(`smtp ${mailboxLabel(m)}`, detail, hint),
      );
    }
    const imap = imapSettingsOf(m);
    if (imap) checks.push(await checkImapLogin(`imap ${mailboxLabel(m)}`, imap, opts.timeoutMs));
  }
  return { checks, mailboxes };
}

async function checkDns(
  resolveTxt: TxtResolver,
  mailboxes: MailboxRow[],
  probeName: string | null,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let unreachable: string | null = null;
  if (probeName) {
    const probe = await lookupTxt(resolveTxt, probeName);
    if (probe.kind === "unreachable") unreachable = probe.reason;
    else if (probe.kind === "none") unreachable = `${probeName} did not resolve`;
  }
  const skipped = (name: string) =>
    warn(
      name,
      `not checked: DNS did not answer (${unreachable})`,
      "run `nudge doctor` where DNS is reachable, or pass --no-dns",
    );

  for (const domain of [...new Set(mailboxes.map((m) => domainOf(m.from_address)))].filter(Boolean)) {
    if (unreachable) {
      checks.push(skipped(`spf ${domain}`), skipped(`dmarc ${domain}`));
      continue;
    }
    const spf = await lookupTxt(resolveTxt, domain);
    if (spf.kind === "unreachable") {
      unreachable = spf.reason;
      checks.push(skipped(`spf ${domain}`), skipped(`dmarc ${domain}`));
      continue;
    }
    checks.push(spfCheck(domain, spf));
    const dmarc = await dmarcCheck(resolveTxt, domain);
    if (dmarc === "unreachable") {
      unreachable = "no answer";
      checks.push(skipped(`dmarc ${domain}`));
    } else checks.push(dmarc);
  }

  for (const m of mailboxes) {
    const name = `dkim ${mailboxLabel(m)}`;
    const key = dkimSigningKeyOf(m);
    if (!key) {
      checks.push(
        warn(
          name,
          "Nudge does not sign this mailbox's mail",
          "add a DKIM key (PATCH /v1/mailboxes/{id} with dkim), unless your SMTP provider signs for you",
        ),
      );
      continue;
    }
    const recordName = `${key.keySelector}._domainkey.${key.domainName}`;
    if (unreachable) {
      checks.push(skipped(name));
      continue;
    }
    const lookup = await lookupTxt(resolveTxt, recordName);
    if (lookup.kind === "unreachable") {
      unreachable = lookup.reason;
      checks.push(skipped(name));
      continue;
    }
    checks.push(dkimCheck(name, recordName, key.privateKey, lookup));
  }
  return checks;
}

/** Runs every check; never throws for what it checks (a failure is a `fail` line). */
export async function runDoctor(opts: DoctorOptions & { databaseLabel: string }): Promise<DoctorCheck[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const database = await checkDatabase(opts.engine, opts.databaseLabel);
  if (!database.schemaReady) return database.checks;
  const { checks: mailboxChecks, mailboxes } = await checkMailboxes(opts.engine, {
    ...(opts.workspaceId ? { workspaceId: opts.workspaceId } : {}),
    timeoutMs,
  });
  const postalChecks = await checkPostalAddresses(opts.engine, opts.workspaceId);
  const resolveTxt = opts.resolveTxt === undefined ? systemTxtResolver(timeoutMs) : opts.resolveTxt;
  const probeName = opts.dnsProbeName === undefined ? DNS_PROBE_NAME : opts.dnsProbeName;
  const dnsChecks = resolveTxt ? await checkDns(resolveTxt, mailboxes, probeName) : [];
  return [...database.checks, ...mailboxChecks, ...postalChecks, ...dnsChecks];
}

/** CAN-SPAM: commercial email carries the sender's valid postal address. Live workspaces only. */
async function checkPostalAddresses(
  engine: StoreEngine,
  workspaceId: string | undefined,
): Promise<DoctorCheck[]> {
  let query = engine.db.selectFrom("workspaces").selectAll().where("mode", "=", "live").orderBy("id");
  if (workspaceId) query = query.where("id", "=", workspaceId);
  const checks: DoctorCheck[] = [];
  for (const ws of await query.execute()) {
    const address = workspaceSettings(ws).postalAddress;
    const name = `postal address ${ws.id}`;
    checks.push(
      address
        ? pass(name, address.replace(/\s*\n\s*/g, ", "))
        : warn(
            name,
            "no postal address: CAN-SPAM asks every commercial email to carry the sender's",
            'PATCH /v1/workspace {"settings": {"postal_address": "Acme Inc., 1 Main St, Springfield, IL 62701"}} or Settings in the web app',
          ),
    );
  }
  return checks;
}

export function systemTxtResolver(timeoutMs: number): TxtResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  return (name) => resolver.resolveTxt(name);
}

export function doctorFailed(checks: DoctorCheck[]): boolean {
  return checks.some((c) => c.status === "fail");
}

const MARK: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export function formatChecks(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.hint ? [`      ${" ".repeat(width)}  fix: ${c.hint}`] : []),
  ]);
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  return `${lines.join("\n")}\n\n${count("pass")} passed, ${count("warn")} warning(s), ${count("fail")} failed\n`;
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check the database, mailbox SMTP/IMAP logins and the SPF, DKIM and DMARC records of the sending domains",
    )
    .option("--workspace <id>", "only this workspace's mailboxes (default: all)")
    .option("--no-dns", "skip the SPF, DKIM and DMARC lookups")
    .option("--timeout <ms>", "timeout of each connection and lookup in ms", String(DEFAULT_TIMEOUT_MS))
    .option("--json", "print the checks as JSON")
    .action(async (opts: { workspace?: string; dns: boolean; timeout: string; json?: boolean }) => {
      const timeoutMs = Number.parseInt(opts.timeout, 10) || DEFAULT_TIMEOUT_MS;
      const config = parseDatabaseUrl(process.env.DATABASE_URL);
      const label = config.engine === "sqlite" ? `sqlite:${config.path}` : redact(config.url);
      let checks: DoctorCheck[] = [];
      if (config.engine === "sqlite" && !existsSync(config.path)) {
        // Opening would create an empty file: say what is missing instead.
        checks = [
          fail(
            "database",
            `no database at ${config.path}`,
            "run `nudge start` (or `nudge migrate`), or set DATABASE_URL",
          ),
        ];
      } else {
        const engine = await openStore(config).catch((error: unknown) => {
          checks = [fail("database", `cannot open ${label}: ${errorText(error)}`, "check DATABASE_URL")];
          return null;
        });
        if (engine)
          try {
            checks = await runDoctor({
              engine,
              databaseLabel: label,
              ...(opts.workspace ? { workspaceId: opts.workspace } : {}),
              resolveTxt: opts.dns ? systemTxtResolver(timeoutMs) : null,
              timeoutMs,
            });
          } finally {
            await engine.close();
          }
      }
      if (opts.json) printJson({ ok: !doctorFailed(checks), checks });
      else process.stdout.write(formatChecks(checks));
      if (doctorFailed(checks)) process.exitCode = 1;
    });
}
