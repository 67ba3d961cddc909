// `nudge doctor` against real parts: the database on SQLite and PostgreSQL, a real SMTP server
// with logins (smtp-server), a real IMAP server (Dovecot), and DNS answered by a resolver
// function given the records a domain would publish (no internet needed).

import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimTxtRecord, type StoredDkimKey } from "../../src/channels/email/dkimKeys.ts";
import {
  type DoctorCheck,
  doctorFailed,
  formatChecks,
  runDoctor,
  type TxtResolver,
} from "../../src/cli/commands/doctor.ts";
import { ManualClock } from "../../src/engine/clock.ts";
import { openStore } from "../../src/store/openStore.ts";
import { createMailbox, type ImapSettings, type SmtpSettings } from "../../src/store/repos/mailboxes.ts";

import { setWorkspaceMode } from "../../src/store/repos/workspaces.ts";
import { type DovecotServer, startDovecot } from "../support/dovecot.ts";
import { makeWorkspace } from "../support/engineFixtures.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtpSink.ts";
import { describeEachEngine } from "../support/testStores.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const SMTP_USER = "sam@acme.test";
const SMTP_PASS = "right-Pa55word";
const TIMEOUT_MS = 5_000;

function nudge(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "bin", "nudge.js"), ...args],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * DNS as the internet would answer it: these records plus gmail.com's DMARC record (doctor's
 * probe that the resolver sees public DNS); unknown names are NXDOMAIN (ENOTFOUND).
 */
function zone(records: Record<string, string[]>): TxtResolver & { asked: string[] } {
  const asked: string[] = [];
  const all: Record<string, string[]> = { "_dmarc.gmail.com": ["v=DMARC1; p=none"], ...records };
  const resolve = async (name: string) => {
    asked.push(name);
    const txt = all[name];
    if (!txt) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    // Long records come in 255-byte character-strings, as DNS carries them.
    return txt.map((t) => t.match(/.{1,255}/g) ?? [""]);
  };
  return Object.assign(resolve, { asked });
}

function rsaPem(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

function byName(checks: DoctorCheck[], name: string): DoctorCheck {
  const check = checks.find((c) => c.name === name);
  if (!check) throw new Error(`no check ${name} in ${checks.map((c) => c.name).join(", ")}`);
  return check;
}

describeEachEngine("nudge doctor", (store) => {
  const clock = new ManualClock(T0);
  let sink: SmtpSink;
  let dovecot: DovecotServer;
  const pem = rsaPem();

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: SMTP_USER, pass: SMTP_PASS } });
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await sink.close();
    await dovecot.stop();
  });

  async function workspaceWith(mailbox: {
    from: string;
    smtp?: SmtpSettings | null;
    imap?: ImapSettings | null;
    dkim?: StoredDkimKey | null;
    live?: boolean;
    postalAddress?: string;
  }) {
    const { engine } = store();
    const ws = await makeWorkspace(engine, clock.nowUtcMs(), {
      testClock: false,
      ...(mailbox.postalAddress ? { settings: { postalAddress: mailbox.postalAddress } } : {}),
    });
    if (mailbox.live) await setWorkspaceMode(engine.db, ws.id, "live");
    await createMailbox(
      engine.db,
      ws.id,
      {
        name: "Sales",
        fromName: "Sam",
        fromAddress: mailbox.from,
        smtp: mailbox.smtp ?? null,
        imap: mailbox.imap ?? null,
        dkim: mailbox.dkim ?? null,
      },
      clock.nowUtcMs(),
    );
    return ws;
  }

  const smtpOk = (): SmtpSettings => ({
    host: sink.host,
    port: sink.port,
    secure: false,
    user: SMTP_USER,
    pass: SMTP_PASS,
  });
  const goodZone = (domain: string, key: string) =>
    zone({
      [domain]: ["google-site-verification=abc", "v=spf1 include:_spf.mail.example ~all"],
      [`_dmarc.${domain}`]: [`v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`],
      [`nudge1._domainkey.${domain}`]: [dkimTxtRecord(key) ?? ""],
    });

  it("all green: database current, SMTP and IMAP logins work, SPF, DKIM and DMARC published", async () => {
    const ws = await workspaceWith({
      from: "sam@acme.test",
      smtp: smtpOk(),
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, pass: dovecot.pass },
      dkim: { selector: "nudge1", privateKey: pem },
      live: true,
      postalAddress: "Acme Inc.\n1 Main St, Springfield, IL 62701",
    });
    const resolveTxt = goodZone("acme.test", pem);
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "test db",
      workspaceId: ws.id,
      resolveTxt,
      timeoutMs: TIMEOUT_MS,
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["database", "pass"],
      ["smtp sam@acme.test", "pass"],
      ["imap sam@acme.test", "pass"],
      [`postal address ${ws.id}`, "pass"],
      ["spf acme.test", "pass"],
      ["dmarc acme.test", "pass"],
      ["dkim sam@acme.test", "pass"],
    ]);
    expect(doctorFailed(checks)).toBe(false);
    expect(byName(checks, "smtp sam@acme.test").detail).toContain(`as ${SMTP_USER}`);
    expect(sink.logins.at(-1)).toEqual({ user: SMTP_USER, ok: true });
    expect(byName(checks, "spf acme.test").detail).toBe("v=spf1 include:_spf.mail.example ~all");
    expect(resolveTxt.asked).toContain("nudge1._domainkey.acme.test");
    expect(checks.every((c) => c.hint === null)).toBe(true);
    expect(byName(checks, `postal address ${ws.id}`).detail).toBe(
      "Acme Inc., 1 Main St, Springfield, IL 62701",
    );
  });

  it("a live workspace without a postal address gets a CAN-SPAM warning with the fix; a sandbox is not checked", async () => {
    const live = await workspaceWith({ from: "sam@acme.test", smtp: smtpOk(), live: true });
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "test db",
      workspaceId: live.id,
      resolveTxt: null,
      timeoutMs: TIMEOUT_MS,
    });
    const postal = byName(checks, `postal address ${live.id}`);
    expect(postal.status).toBe("warn");
    expect(postal.detail).toContain("CAN-SPAM");
    expect(postal.hint).toContain("postal_address");
    const sandbox = await workspaceWith({ from: "sam@acme.test", smtp: smtpOk() });
    const sandboxChecks = await runDoctor({
      engine: store().engine,
      databaseLabel: "test db",
      workspaceId: sandbox.id,
      resolveTxt: null,
      timeoutMs: TIMEOUT_MS,
    });
    expect(sandboxChecks.some((c) => c.name.startsWith("postal address"))).toBe(false);
  });

  it("a wrong SMTP or IMAP password fails with a fix hint and never prints the password", async () => {
    const wrong = "wrong-Pa55word";
    const ws = await workspaceWith({
      from: "sam@acme.test",
      smtp: { ...smtpOk(), pass: wrong },
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, pass: wrong },
    });
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "test db",
      workspaceId: ws.id,
      resolveTxt: null,
      timeoutMs: TIMEOUT_MS,
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["database", "pass"],
      ["smtp sam@acme.test", "fail"],
      ["imap sam@acme.test", "fail"],
    ]);
    expect(sink.logins.at(-1)).toEqual({ user: SMTP_USER, ok: false });
    const smtp = byName(checks, "smtp sam@acme.test");
    expect(smtp.detail).toMatch(/refused the login.*535/);
    expect(smtp.hint).toContain("smtp.pass");
    expect(byName(checks, "imap sam@acme.test").hint).toContain("imap.pass");
    expect(doctorFailed(checks)).toBe(true);
    const printed = `${formatChecks(checks)}${JSON.stringify(checks)}`;
    expect(printed).not.toContain(wrong);
    expect(printed).toMatch(/^FAIL {2}smtp sam@acme\.test/m);
    expect(printed).toMatch(/fix: check the mailbox's smtp\.user and smtp\.pass/);
  });

  it("an unreachable SMTP server fails; a mailbox without SMTP fails only once the workspace is live", async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    const down = await workspaceWith({
      from: "a@down.test",
      smtp: { host: "127.0.0.1", port, secure: false },
    });
    const downChecks = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: down.id,
      resolveTxt: null,
      timeoutMs: TIMEOUT_MS,
    });
    expect(byName(downChecks, "smtp a@down.test")).toMatchObject({ status: "fail" });
    expect(byName(downChecks, "smtp a@down.test").detail).toMatch(/cannot talk to 127\.0\.0\.1/);

    for (const [live, status] of [
      [false, "warn"],
      [true, "fail"],
    ] as const) {
      const ws = await workspaceWith({ from: "b@none.test", live });
      const checks = await runDoctor({
        engine: store().engine,
        databaseLabel: "db",
        workspaceId: ws.id,
        resolveTxt: null,
      });
      expect(byName(checks, "smtp b@none.test").status).toBe(status);
    }
  });

  it("missing, duplicated, too-open and mismatched DNS records each fail or warn with the record to publish", async () => {
    const ws = await workspaceWith({
      from: "sam@bad.test",
      smtp: smtpOk(),
      dkim: { selector: "nudge1", privateKey: pem },
    });
    const run = (resolveTxt: TxtResolver) =>
      runDoctor({
        engine: store().engine,
        databaseLabel: "db",
        workspaceId: ws.id,
        resolveTxt,
        timeoutMs: TIMEOUT_MS,
      });

    const empty = await run(zone({}));
    expect(byName(empty, "spf bad.test")).toMatchObject({
      status: "fail",
      detail: "no SPF record at bad.test",
    });
    expect(byName(empty, "dmarc bad.test").status).toBe("fail");
    expect(byName(empty, "dmarc bad.test").hint).toContain(
      'publish a TXT record at _dmarc.bad.test: "v=DMARC1; p=none',
    );
    const dkim = byName(empty, "dkim sam@bad.test");
    expect(dkim.status).toBe("fail");
    // The hint carries the exact record, so it can be pasted into the DNS provider.
    expect(dkim.hint).toContain(`nudge1._domainkey.bad.test: "${dkimTxtRecord(pem)}"`);

    const other = rsaPem();
    const messy = await run(
      zone({
        "bad.test": ["v=spf1 include:a.example ~all", "v=spf1 include:b.example -all"],
        "_dmarc.bad.test": ["v=DMARC1; rua=mailto:x@bad.test"],
        "nudge1._domainkey.bad.test": [dkimTxtRecord(other) ?? ""],
      }),
    );
    expect(byName(messy, "spf bad.test").detail).toMatch(/^2 SPF records/);
    expect(byName(messy, "dmarc bad.test").detail).toMatch(/no p= policy/);
    expect(byName(messy, "dkim sam@bad.test").detail).toMatch(/not the public half/);
    expect(messy.filter((c) => c.status === "fail")).toHaveLength(3);

    const open = await run(
      zone({
        "bad.test": ["v=spf1 +all"],
        "_dmarc.bad.test": ["v=DMARC1; p=none"],
        "nudge1._domainkey.bad.test": [dkimTxtRecord(pem) ?? ""],
      }),
    );
    expect(byName(open, "spf bad.test")).toMatchObject({
      status: "warn",
      hint: "end the record with ~all or -all",
    });
    expect(byName(open, "dmarc bad.test").status).toBe("pass");
    expect(byName(open, "dkim sam@bad.test").status).toBe("pass");
    expect(doctorFailed(open)).toBe(false);
  });

  it("a subdomain inherits DMARC from its parent; a mailbox without DKIM is a warning", async () => {
    const ws = await workspaceWith({ from: "sam@mail.parent.test", smtp: smtpOk() });
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: ws.id,
      resolveTxt: zone({
        "mail.parent.test": ["v=spf1 -all"],
        "_dmarc.parent.test": ["v=DMARC1; p=reject"],
      }),
      timeoutMs: TIMEOUT_MS,
    });
    expect(byName(checks, "dmarc mail.parent.test")).toMatchObject({ status: "pass" });
    expect(byName(checks, "dmarc mail.parent.test").detail).toContain("_dmarc.parent.test");
    expect(byName(checks, "dkim sam@mail.parent.test").status).toBe("warn");
  });

  it("when DNS does not answer, the DNS checks are skipped with a warning, not failed", async () => {
    const ws = await workspaceWith({
      from: "sam@offline.test",
      smtp: smtpOk(),
      dkim: { selector: "s1", privateKey: pem },
    });
    let calls = 0;
    const refused: TxtResolver = async () => {
      calls += 1;
      throw Object.assign(new Error("queryTxt ECONNREFUSED offline.test"), { code: "ECONNREFUSED" });
    };
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: ws.id,
      resolveTxt: refused,
      timeoutMs: TIMEOUT_MS,
    });
    expect(checks.filter((c) => /^(spf|dmarc|dkim) /.test(c.name)).map((c) => c.status)).toEqual([
      "warn",
      "warn",
      "warn",
    ]);
    expect(byName(checks, "spf offline.test").detail).toContain("ECONNREFUSED");
    // After the first silence nothing else waits on DNS.
    expect(calls).toBe(1);
    expect(doctorFailed(checks)).toBe(false);
  });

  it("a resolver that cannot see public DNS (everything NXDOMAIN) gets warnings, not false failures", async () => {
    const ws = await workspaceWith({ from: "sam@walled.test", smtp: smtpOk() });
    const nothing: TxtResolver = async (name) => {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    };
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: ws.id,
      resolveTxt: nothing,
      timeoutMs: TIMEOUT_MS,
    });
    expect(byName(checks, "spf walled.test")).toMatchObject({ status: "warn" });
    expect(byName(checks, "spf walled.test").detail).toContain("_dmarc.gmail.com did not resolve");
    expect(byName(checks, "dmarc walled.test").status).toBe("warn");
    expect(doctorFailed(checks)).toBe(false);
    // Without the probe the same resolver makes the records look missing.
    const unprobed = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: ws.id,
      resolveTxt: nothing,
      dnsProbeName: null,
      timeoutMs: TIMEOUT_MS,
    });
    expect(byName(unprobed, "spf walled.test").status).toBe("fail");
  });

  it("an unknown --workspace fails instead of finding nothing to check", async () => {
    const checks = await runDoctor({
      engine: store().engine,
      databaseLabel: "db",
      workspaceId: "ws_nope",
      resolveTxt: null,
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["database", "pass"],
      ["workspace", "fail"],
    ]);
  });

  it("the binary prints JSON and exits 1 when a check fails", async () => {
    const ws = await workspaceWith({ from: "sam@bin.test", smtp: { ...smtpOk(), pass: "nope-Pa55" } });
    const res = await nudge(["doctor", "--json", "--no-dns", "--workspace", ws.id, "--timeout", "5000"], {
      DATABASE_URL: store().url,
    });
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as { ok: boolean; checks: DoctorCheck[] };
    expect(out.ok).toBe(false);
    expect(out.checks.map((c) => [c.name, c.status])).toEqual([
      ["database", "pass"],
      ["smtp sam@bin.test", "fail"],
    ]);
    expect(res.stdout).not.toContain("nope-Pa55");
  });
});

describe("nudge doctor on a database that is not ready", () => {
  const dir = mkdtempSync(join(tmpdir(), "nudge-doctor-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an unmigrated database fails with `nudge migrate` as the fix", async () => {
    const engine = await openStore(`sqlite:${join(dir, "fresh.db")}`);
    try {
      const checks = await runDoctor({ engine, databaseLabel: "sqlite:fresh.db", resolveTxt: null });
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ name: "database", status: "fail" });
      expect(checks[0]?.detail).toMatch(/migration\(s\) not applied: 0001_initial/);
      expect(checks[0]?.hint).toContain("nudge migrate");
    } finally {
      await engine.close();
    }
  });

  it("the binary says there is no database file rather than creating one", async () => {
    const path = join(dir, "missing.db");
    const res = await nudge(["doctor"], { DATABASE_URL: `sqlite:${path}` });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^FAIL {2}database {2}no database at /m);
    expect(res.stdout).toContain("fix: run `nudge start`");
  });
});
