// Child processes a benchmark starts: real `nudge worker` / `nudge start` processes, bench
// scripts run through tsx, and the numbers the kernel keeps about them (peak RSS).

import { type ChildProcess, fork, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NUDGE_BIN = join(REPO_ROOT, "bin", "nudge.js");

export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`${what}: no "${pattern}" within ${timeoutMs} ms\n${seen}`)),
      timeoutMs,
    );
    const onData = (data: Buffer) => {
      seen = (seen + data.toString("utf8")).slice(-4_000);
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready\n${seen}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const hard = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(hard);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/** `nudge worker` (or `nudge start`), resolved once it logs that it is up. */
export async function startNudge(args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  const child = spawn(process.execPath, [NUDGE_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForOutput(child, ready, `nudge ${args.join(" ")}`);
  // Keep draining the pipes so a chatty child never blocks on a full buffer.
  child.stdout?.resume();
  child.stderr?.resume();
  return { process: child, stop: stopper(child) };
}

/** `count` engine worker processes on one store (bench/lib/workerProcess.ts). */
export function startWorkers(count: number, databaseUrl: string): Promise<Child[]> {
  return Promise.all(
    Array.from({ length: count }, () => forkScript<number>("bench/lib/workerProcess.ts", [databaseUrl])),
  );
}

/** A bench script (TypeScript, through tsx) with an IPC channel; ready when it sends `{ready}`. */
export async function forkScript<Ready>(script: string, args: string[]): Promise<Child & { ready: Ready }> {
  const child = fork(join(REPO_ROOT, script), args, {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { ready: Ready }).ready));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return { process: child, ready, stop: stopper(child) };
}

/** Sends `request` to a forked script and waits for its next message. */
export function ask<T>(child: ChildProcess, request: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(request as object);
  });
}

/** Peak and current resident set size of a process, from /proc (Linux), in MiB. */
export function rssOf(pid: number): { peakMiB: number; currentMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { peakMiB: kib("VmHWM") / 1024, currentMiB: kib("VmRSS") / 1024 };
  } catch {
    return null;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
