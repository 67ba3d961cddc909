// The web app end to end: a real `nudge start` (SQLite in a temp dir, sandbox mode, demo data)
// and Debian's headless Chromium driven by playwright-core. A rep signs in with the one-time link
// the server prints, writes a sequence in the editor (sees a validation error at its line, fixes
// it), previews its paths, enrolls the test contact, advances the test clock, reads the captured
// email in the sandbox, and after a reply (posted to the inbound API, as a mail relay would) sees
// the exit on the contact timeline and the handoff in the inbox, then completes a call task on
// Today. Screenshots of each page land in test-results/web/.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopGracefully } from "../support/workerProcesses.ts";

/** axe-core, evaluated in each page (through the DevTools protocol, so the app's CSP allows it). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** Runs axe on the page's document: WCAG 2.1 A and AA rules; answers the violations. */
const AXE_RUN = `(async () => {
  const run = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  });
  return run.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
})()`;
interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BIN = join(ROOT, "bin/nudge.js");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(ROOT, "test-results/web");

/** The newest modification time under a directory. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/web when missing or older than web/, so `npm test` always drives the current UI. */
async function ensureWebBuilt(): Promise<void> {
  const index = join(ROOT, "dist/web/index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, "web"))) return;
  const { build } = await import("vite");
  // Vitest sets NODE_ENV=test, and Vite would then bundle React's development build; users get
  // the production build (`npm run build:web`), so that is what the test drives.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: join(ROOT, "web/vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

interface Server {
  child: ChildProcess;
  url: string;
  loginUrl: string;
  adminKey: string;
}

function startNudge(dbPath: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, "start", "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, DATABASE_URL: `sqlite:${dbPath}`, LOG_LEVEL: "error", PORT: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`nudge start did not come up:\n${out}`)), 90_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const login = /Web app: (http:\/\/[^\s]+\/login#token=[\w-]+)/.exec(out);
      const key = /Admin API key \(shown once\): (nk_[\w-]+)/.exec(out);
      const url = /Nudge is running at (http:\/\/\S+)/.exec(out);
      if (login?.[1] && key?.[1] && url?.[1] && out.includes("Try the 60-second tour")) {
        clearTimeout(timer);
        resolvePromise({ child, url: url[1], loginUrl: login[1], adminKey: key[1] });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[nudge start] ${chunk}`));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nudge start exited with ${code}:\n${out}`));
    });
  });
}

const BROKEN = `id: web-e2e
name: Web e2e follow-up
steps:
  - id: hello
    email:
      subject: "Hello {{ contact.first_name }}"
      body: |
        Hi {{ contact.first_name }}, thanks for your interest in Ledgerly.
  - id: bump
    wait: 2 bussiness days
    email:
      thread: true
      body: Bumping this in case it got buried.
  - id: wrap
    wait: 30d
    email:
      subject: "Closing the loop"
      body: Should I close your request?
`;
const FIXED = BROKEN.replace("2 bussiness days", "2 business days");

const CALL_SEQUENCE = `id: call-now
name: Call right away
steps:
  - id: call
    call:
      note: Ask about their invoice volume.
  - id: later
    wait: 30d
    email:
      subject: "Still interested?"
      body: Checking in.
`;

describe("web app, end to end in headless Chromium", () => {
  let dir: string;
  let server: Server;
  let browser: Browser;
  let page: Page;
  /** What the browser reported (page errors, console errors, failed requests), for failure messages. */
  const browserErrors: string[] = [];
  let shot = 0;

  const api = async (method: string, path: string, body?: unknown, contentType = "application/json") => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(body !== undefined ? { "content-type": contentType } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };

  /** Accessibility findings (axe-core, WCAG 2.1 A/AA) of every page the test photographs. */
  const a11yFindings: string[] = [];
  const audit = async (name: string) => {
    if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
    const results = (await page.evaluate(AXE_RUN)) as AxeFinding[];
    for (const v of results) {
      a11yFindings.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(", ")}`);
    }
  };

  const screenshot = async (name: string) => {
    await audit(name);
    shot += 1;
    await page.screenshot({
      path: join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`),
      fullPage: true,
    });
  };

  const nav = async (label: string) => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: label, exact: true })
      .click();
    await page.getByRole("heading", { level: 1, name: label }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    mkdirSync(SHOTS, { recursive: true });
    await ensureWebBuilt();
    dir = mkdtempSync(join(tmpdir(), "nudge-web-"));
    server = await startNudge(join(dir, "nudge.db"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    page.on("pageerror", (error) => browserErrors.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(`console: ${message.text()}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400 || response.url().includes("/v1/session"))
        browserErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) browserErrors.push(`navigated to ${frame.url()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stopGracefully(server.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the first load under 300 KB of gzipped JavaScript", () => {
    const html = readFileSync(join(ROOT, "dist/web/index.html"), "utf8");
    const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (n, file) => n + gzipSync(readFileSync(join(ROOT, "dist/web", file))).length,
      0,
    );
    expect(gzipped).toBeLessThan(300 * 1024);
  });

  it("serves the app at / and answers API 404s as problems", async () => {
    const home = await fetch(`${server.url}/contacts/anything`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="root">');
    const missing = await fetch(`${server.url}/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    // The cookie is the only way in for a browser: no cookie, no data.
    expect((await fetch(`${server.url}/v1/contacts`)).status).toBe(401);
  });

  it("walks the rep's day: editor → preview → enroll → sandbox → reply → timeline → inbox → call", async () => {
    // A call task for another contact, so Today has a call to complete at the end.
    expect((await api("POST", "/v1/sequences", CALL_SEQUENCE, "application/yaml")).status).toBe(201);
    expect((await api("POST", "/v1/sequences/call-now/activate")).status).toBe(200);
    const bo = await api("POST", "/v1/enrollments", {
      sequence_id: "call-now",
      contact: { email: "bo@elsewhere.example", first_name: "Bo", phone: "+12125550199" },
    });
    expect(bo.json.enrolled).toBe(1);

    // Sign in with the one-time link `nudge start` printed.
    await page.goto(server.loginUrl);
    await page
      .getByRole("heading", { level: 1, name: "Today" })
      .waitFor()
      .catch(async (error: Error) => {
        const body = (
          await page
            .locator("body")
            .textContent()
            .catch(() => "?")
        )?.slice(0, 600);
        throw new Error(
          `the sign-in link did not reach Today (${error.message}); at ${page.url()}: ${body}\n${browserErrors.join("\n")}`,
        );
      });
    await screenshot("today-signed-in");
    await page.goto(server.loginUrl);
    await page.getByRole("alert").filter({ hasText: "unknown, used or expired" }).waitFor();
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();

    // The editor: a typo is reported at its line, the fix clears it and draws the steps.
    await nav("Sequences");
    await page.getByRole("cell", { name: "Inbound demo request" }).waitFor();
    await screenshot("sequences");
    await page.getByRole("button", { name: "New sequence" }).click();
    const yaml = page.getByRole("textbox", { name: "Sequence YAML" });
    await yaml.fill(BROKEN);
    const errors = page.getByTestId("validation-errors");
    await errors.getByText("is not a duration").waitFor();
    expect(await errors.textContent()).toContain("Line 10");
    await expect.poll(() => page.locator(".gutter .bad-line").textContent()).toContain("10");
    await screenshot("editor-validation-error");
    await yaml.fill(FIXED);
    await page.getByText("No errors").waitFor();
    const steps = page.getByTestId("step-timeline").getByRole("listitem");
    await expect.poll(() => steps.count()).toBe(3);
    expect(await steps.nth(1).textContent()).toContain("2 business days");
    // Leaving with unsaved edits asks first; saying no keeps the edit.
    let asked = "";
    page.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Today", exact: true })
      .click();
    expect(asked).toContain("unsaved changes");
    expect(page.url()).toMatch(/\/sequences\/new$/);
    expect(await yaml.inputValue()).toBe(FIXED);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved version 1" }).waitFor();
    await page.waitForURL(/\/sequences\/web-e2e$/);
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByRole("heading", { level: 1 }).getByText("active").waitFor();

    // Path preview for the test contact.
    await page.getByLabel("Preview for").selectOption({ label: "ada@example.com" });
    await page.getByRole("button", { name: "Preview paths" }).click();
    const preview = page.getByTestId("path-preview");
    await preview.getByText("Hello Ada").first().waitFor();
    expect(await preview.textContent()).toContain("Closing the loop");
    await screenshot("editor-path-preview");

    // Enroll the test contact.
    await page.getByLabel("Contact email").fill("ada@example.com");
    await page.getByRole("button", { name: "Enroll", exact: true }).click();
    await page.getByText("ada@example.com: enrolled").waitFor();

    // Sandbox: advance the test clock a week and read the captured email.
    await nav("Sandbox");
    await page.getByLabel("Advance by").selectOption("1w");
    await page.getByRole("button", { name: "Advance" }).click();
    await page.getByRole("status").filter({ hasText: "Advanced to" }).waitFor();
    await page.getByRole("button", { name: /^email Hello Ada → ada@example\.com/ }).click();
    const message = page.getByTestId("captured-message");
    await message.getByText("thanks for your interest in Ledgerly").waitFor();
    const html = page.frameLocator("iframe.message-html");
    await html.getByText("thanks for your interest in Ledgerly").waitFor();
    // Tasks the cadence gave reps show beside the messages: Bo's call.
    await page.getByTestId("sandbox-tasks").getByText("Call Bo").waitFor();
    await screenshot("sandbox-captured-email");

    // Ada replies: a mail relay posts the raw message to the inbound API.
    const captured = await api("GET", "/v1/sandbox/messages?to=ada@example.com");
    const hello = captured.json.data.find((m: { subject: string }) => m.subject === "Hello Ada");
    expect(hello).toBeDefined();
    const raw = [
      "From: Ada Lovelace <ada@example.com>",
      `To: ${hello.headers.from}`,
      "Subject: Re: Hello Ada",
      "Message-ID: <reply-1@example.com>",
      `In-Reply-To: ${hello.headers["message-id"]}`,
      "Date: Mon, 30 Nov 2026 15:00:00 +0000",
      "",
      "Yes, Thursday at 2pm works, send an invite.",
      "",
    ].join("\r\n");
    const inbound = await api("POST", "/v1/inbound/messages", raw, "message/rfc822");
    expect(inbound.status).toBe(200);
    expect(inbound.json.duplicate).toBe(false);
    expect(inbound.json.classification.class).toBe("human_reply");

    // The contact timeline shows the exit and its reason.
    await nav("Contacts");
    await page.getByRole("link", { name: "Ada Lovelace" }).click();
    const timeline = page.getByTestId("contact-timeline");
    await timeline.getByText("Exited web-e2e: replied").waitFor();
    await screenshot("contact-timeline");

    // The inbox shows the reply with its intent and the open handoff.
    await nav("Inbox");
    const inbox = page.getByTestId("inbox");
    await inbox.locator(".badge", { hasText: "meeting request" }).waitFor();
    expect(await inbox.textContent()).toContain("Thursday at 2pm works");
    await inbox.getByText("Handoff task:").locator(".badge", { hasText: "open" }).waitFor();
    // The thread and timeline open under the reply, with the exit it caused.
    await inbox.getByText("Thread and timeline").click();
    await inbox
      .getByTestId("contact-timeline")
      .getByText(/Exited web-e2e: replied/)
      .waitFor();
    await screenshot("inbox");
    await inbox.getByLabel("Re-engage after").selectOption("14");
    await inbox.getByRole("button", { name: "Re-engage later" }).click();
    await page.getByRole("status").filter({ hasText: "Re-engagement task due" }).waitFor();

    // Today: complete Bo's call with an outcome.
    await nav("Today");
    const call = page.getByRole("article").filter({ hasText: "Call Bo" });
    await call.getByText("+12125550199").waitFor();
    await screenshot("today-call-task");
    await call.getByLabel("Outcome").selectOption("connected");
    await call.getByRole("button", { name: "Complete" }).click();
    await call.waitFor({ state: "detached" });
    const done = await api("GET", "/v1/tasks?type=call&status=done");
    expect(
      done.json.data.map((t: { title: string; outcome: string }) => [t.title, t.outcome]),
    ).toContainEqual(["Call Bo", "connected"]);

    // Analytics and Settings render for the new sequence.
    await nav("Sequences");
    await page
      .getByRole("row", { name: /Web e2e follow-up/ })
      .getByText("2 sent · 1 replied")
      .waitFor();
    await nav("Analytics");
    await page.getByRole("table").waitFor();
    await page.getByRole("heading", { name: "Outcomes" }).waitFor();
    await page.getByText("Time to first reply").waitFor();
    await screenshot("analytics");
    await nav("Settings");
    await page.getByRole("heading", { name: "Mailboxes" }).waitFor();
    await page.getByLabel("Emails per contact per 7 days").fill("4");
    await page.getByLabel(/Postal address/).fill("Acme Inc.\n1 Main St, Springfield, IL 62701");
    await page.getByRole("button", { name: "Save workspace settings" }).click();
    await page.getByText("Saved.").waitFor();
    const workspace = (await api("GET", "/v1/workspace")).json;
    expect(workspace.settings.caps.emails_per_7_days).toBe(4);
    expect(workspace.settings.postal_address).toBe("Acme Inc.\n1 Main St, Springfield, IL 62701");
    // An admin adds a teammate, a mailbox and a webhook from the same page.
    await page.getByLabel("Name", { exact: true }).last().fill("Sam Rep");
    await page.getByLabel("Email", { exact: true }).last().fill("sam@acme.test");
    await page.getByRole("button", { name: "Add team member" }).click();
    await page.getByText("sam@acme.test added").waitFor();
    await page.getByText("Add a mailbox").click();
    const add = page.locator("details", { hasText: "Add a mailbox" });
    await add.getByLabel("Name", { exact: true }).fill("Sam's mailbox");
    await add.getByLabel("From name").fill("Sam Rep");
    await add.getByLabel("From address").fill("sam@acme.test");
    await add.getByRole("button", { name: "Add mailbox" }).click();
    await page.getByText("Mailbox sam@acme.test added").waitFor();
    // …and changes it: the daily limit and the signature, the SMTP password kept.
    await page.getByText("Edit Sam's mailbox").click();
    const edit = page.getByRole("form", { name: "Edit mailbox Sam's mailbox" });
    await edit.getByLabel("Emails per day").fill("77");
    await edit.getByLabel("Signature").fill("Sam Rep\nAcme");
    await edit.getByRole("button", { name: "Save mailbox" }).click();
    await edit.getByText("sam@acme.test saved.").waitFor();
    await page.getByText(/Sam's mailbox <sam@acme\.test> · 77\/day/).waitFor();
    await page.getByLabel("Webhook URL").fill("https://hooks.example.com/nudge");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByText(/Signing secret \(shown once\): whsec_/).waitFor();
    const hooks = (await api("GET", "/v1/webhooks")).json.data;
    expect(hooks.map((w: { url: string }) => w.url)).toContain("https://hooks.example.com/nudge");
    const mailboxes = (await api("GET", "/v1/mailboxes")).json.data;
    expect(mailboxes.find((m: { from_address: string }) => m.from_address === "sam@acme.test")).toMatchObject(
      {
        daily_limit: 77,
        signature: "Sam Rep\nAcme",
      },
    );
    await screenshot("settings");

    // Phone width: the navigation and the page still fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await nav("Today");
    await screenshot("today-phone");
  }, 240_000);

  it("signs in with a password set on the Settings page, and refuses cookie writes without the CSRF header", async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    // The first page is signed in as the owner: set a password there.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/settings`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await page.getByText(/Your password/).click();
    await page.getByLabel("New password").fill("correct horse battery");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByText("Password set").waitFor();

    await fresh.goto(`${server.url}/`);
    await fresh.getByLabel("Email").fill("owner@nudge.local");
    await fresh.getByLabel("Password").fill("wrong password!");
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh.getByRole("alert").filter({ hasText: "do not match" }).waitFor();
    await fresh.getByLabel("Password").fill("correct horse battery");
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh.getByRole("heading", { level: 1, name: "Today" }).waitFor();

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "nudge_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    const cookie = `nudge_session=${session?.value}`;
    const noHeader = await fetch(`${server.url}/v1/sandbox/clock/advance`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ by: "1h" }),
    });
    expect(noHeader.status).toBe(403);
    const read = await fetch(`${server.url}/v1/session`, { headers: { cookie } });
    expect(((await read.json()) as { user: { email: string } }).user.email).toBe("owner@nudge.local");

    await fresh.getByRole("button", { name: /Sign out/ }).click();
    await fresh.getByRole("heading", { name: "Sign in to Nudge" }).waitFor();
    expect((await fetch(`${server.url}/v1/session`, { headers: { cookie } })).status).toBe(401);
    await context.close();
  }, 120_000);

  it("every page it walked passes axe-core's WCAG 2.1 A and AA checks", () => {
    expect(shot).toBeGreaterThan(5);
    expect(a11yFindings).toEqual([]);
  });
});
