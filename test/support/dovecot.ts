// A private Dovecot IMAP server for one test file: its own config, users, maildirs and port
// under a temp dir, started in the foreground and stopped after the tests. `.ci/run` installs
// the dovecot-imapd package; nothing here touches the system's Dovecot configuration.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DovecotServer {
  host: string;
  port: number;
  user: string;
  pass: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function dovecotBinary(): string {
  try {
    return execFileSync("sh", ["-c", "command -v dovecot"]).toString().trim() || "/usr/sbin/dovecot";
  } catch {
    throw new Error(
      "Dovecot is required by the IMAP tests: apt-get install -y dovecot-imapd (.ci/run does this)",
    );
  }
}

function idOf(name: string, flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, name]).toString().trim());
}

export async function startDovecot(): Promise<DovecotServer> {
  const bin = dovecotBinary();
  const dir = mkdtempSync(join(tmpdir(), "nudge-dovecot-"));
  const port = await freePort();
  const user = "nudge";
  const pass = "imap-test-secret";
  // The temp dir is private to root by default; the mail processes (as nobody) must traverse it.
  chmodSync(dir, 0o755);
  for (const sub of ["run", "state", "home"]) mkdirSync(join(dir, sub));
  // Mail processes run as `nobody`; they must own the mail home.
  chownSync(join(dir, "home"), idOf("nobody", "-u"), idOf("nobody", "-g"));
  writeFileSync(join(dir, "users"), `${user}:{PLAIN}${pass}\n`);
  writeFileSync(
    join(dir, "dovecot.conf"),
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      "protocols = imap",
      "listen = 127.0.0.1",
      "ssl = no",
      "disable_plaintext_auth = no",
      "auth_mechanisms = plain login",
      "first_valid_uid = 1",
      "passdb {",
      "  driver = passwd-file",
      `  args = scheme=PLAIN username_format=%u ${dir}/users`,
      "}",
      "userdb {",
      "  driver = static",
      `  args = uid=nobody gid=${idOf("nobody", "-g")} home=${dir}/home/%u`,
      "}",
      "mail_location = maildir:~/Maildir",
      "service imap-login {",
      "  inet_listener imap {",
      `    port = ${port}`,
      "  }",
      "  inet_listener imaps {",
      "    port = 0",
      "  }",
      "  chroot =",
      "}",
      "service anvil {",
      "  chroot =",
      "}",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(bin, ["-c", join(dir, "dovecot.conf"), "-F"], { stdio: "ignore" });
  await waitForPort(port, 10_000);
  return {
    host: "127.0.0.1",
    port,
    user,
    pass,
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Dovecot did not start listening on ${port}`);
}
