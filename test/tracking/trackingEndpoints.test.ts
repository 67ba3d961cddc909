// Open and click tracking end to end, on SQLite and PostgreSQL: a sequence with tracking on sends
// (sandbox capture on a test clock), and the tracked links and pixel of the stored HTML are
// requested from the real server. A click goes only to the URL recorded at send time; anything
// forged, borrowed or unknown is a 404. Automated hits are stored as machine events, and
// neither waits, branches nor stats are moved by them.

import { afterAll, beforeAll, expect, it } from "vitest";
import { signToken } from "../../src/channels/email/signedToken.ts";
import { advanceClock } from "../../src/engine/advanceClock.ts";
import { tokenSecret } from "../../src/engine/tracking.ts";
import { getContact } from "../../src/store/repos/contacts.ts";
import { getEnrollment } from "../../src/store/repos/enrollments.ts";
import { eventsOfMessage } from "../../src/store/repos/events.ts";
import { messagesOfContact } from "../../src/store/repos/messages.ts";
import { trackedLinksOfMessage } from "../../src/store/repos/trackedLinks.ts";
import { createWorkspace, getWorkspace } from "../../src/store/repos/workspaces.ts";
import type { MessageRow } from "../../src/store/schema.ts";
import { type ApiHarness, countAllRows, openApiHarness } from "../api/harness.ts";
import { ALWAYS_OPEN, enroll, makeContact, makeSequence } from "../support/engineFixtures.ts";
import { describeEachEngine } from "../support/testStores.ts";

const PUBLIC_URL = "https://nudge.example.test";
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const APPLE_MPP = "Mozilla/5.0";
const GOOGLE_PROXY =
  "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
const SAFE_LINKS = "Mozilla/5.0 (compatible; SafeLinks)";

const PRICING = "https://acme.test/pricing?plan=team&ref=mail";
const DOCS = "https://acme.test/docs";

/** The first email has two links; `tail` adds steps after it. */
function trackedSequence(id: string, tracking: string, tail = ""): string {
  return `id: ${id}
name: ${id}
${tracking}${ALWAYS_OPEN}steps:
  - id: hello
    email:
      subject: "Hello {{ contact.first_name }}"
      body: |
        Hi {{ contact.first_name }}, see [our pricing](${PRICING}) and [the docs](${DOCS}).

        Or write to [me](mailto:sam@acme.test).
${tail}`;
}

interface Sent {
  message: MessageRow;
  contactId: string;
  enrollmentId: string;
  sequenceId: string;
  clicks: string[];
  pixel: string | undefined;
}

describeEachEngine("open and click tracking", (store) => {
  let api: ApiHarness;
  let counter = 0;

  beforeAll(async () => {
    // Behind a proxy on loopback, as `NUDGE_TRUST_PROXY=127.0.0.1` configures it.
    api = await openApiHarness(store().engine, { timeZone: "UTC", trustProxy: ["127.0.0.1"] });
  });
  afterAll(async () => {
    await api.close();
  });

  const deps = () => ({ engine: store().engine, clock: api.clock, publicUrl: PUBLIC_URL });
  async function now(): Promise<number> {
    const ws = await getWorkspace(store().engine.db, api.workspace.id);
    return ws?.clock_at ?? 0;
  }
  async function advance(ms: number): Promise<void> {
    await advanceClock(deps(), api.workspace.id, ms);
  }

  /** Saves a sequence, enrolls new contacts, and lets the first email go out (captured). */
  async function sendFirstEmail(
    yaml: (id: string) => string,
    contacts = 1,
  ): Promise<{ sequenceId: string; sent: Sent[] }> {
    const { engine } = store();
    counter += 1;
    const at = await now();
    const sequence = await makeSequence(engine, api.workspace, yaml(`trk-${counter}`), at);
    const enrolled: Array<{ contactId: string; enrollmentId: string }> = [];
    for (let i = 0; i < contacts; i++) {
      const contact = await makeContact(
        engine,
        api.workspace,
        { email: `p${counter}-${i}@prospect.test`, firstName: "Pat" },
        at,
      );
      const enrollment = await enroll(engine, api.workspace, sequence, contact.id, at);
      enrolled.push({ contactId: contact.id, enrollmentId: enrollment.id });
    }
    await advance(0);
    const sent: Sent[] = [];
    for (const { contactId, enrollmentId } of enrolled) {
      const message = (await messagesOfContact(engine.db, contactId)).find((m) => m.step_id === "hello");
      if (message?.status !== "sent") throw new Error(`the first email was not sent: ${message?.status}`);
      const html = message.body_html ?? "";
      const clicks = [...html.matchAll(/href="([^"]+)"/g)]
        .map((m) => m[1] ?? "")
        .filter((u) => u.startsWith(`${PUBLIC_URL}/t/c/`));
      const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(html)?.[1];
      sent.push({ message, contactId, enrollmentId, sequenceId: sequence.id, clicks, pixel });
    }
    return { sequenceId: sequence.id, sent };
  }

  async function sendOne(tracking = "tracking: true\n", tail = ""): Promise<Sent> {
    const { sent } = await sendFirstEmail((id) => trackedSequence(id, tracking, tail));
    const first = sent[0];
    if (!first) throw new Error("nothing sent");
    return first;
  }

  function hit(
    url: string,
    opts: {
      method?: "GET" | "HEAD";
      ua?: string | null;
      ip?: string;
      referer?: string;
      forwardedFor?: string;
    } = {},
  ) {
    const headers: Record<string, string> = {};
    if (opts.forwardedFor) headers["x-forwarded-for"] = opts.forwardedFor;
    if (opts.referer) headers.referer = opts.referer;
    const ua = opts.ua === undefined ? CHROME : opts.ua;
    if (ua !== null) headers["user-agent"] = ua;
    return api.app.inject({
      method: opts.method ?? "GET",
      url: url.startsWith(PUBLIC_URL) ? url.slice(PUBLIC_URL.length) : url,
      headers,
      ...(opts.ip ? { remoteAddress: opts.ip } : {}),
    });
  }

  /** The token at the end of a tracked URL. */
  function tokenOf(url: string): string {
    return url.slice(url.lastIndexOf("/") + 1);
  }

  async function trackingEvents(messageId: string) {
    return (await eventsOfMessage(store().engine.db, messageId)).filter((e) =>
      e.source.startsWith("tracking:"),
    );
  }

  it("leaves the HTML untouched and records no links when tracking is off (the default)", async () => {
    const sent = await sendOne("");
    expect(sent.clicks).toEqual([]);
    expect(sent.pixel).toBeUndefined();
    expect(sent.message.body_html).toContain(`href="${PRICING.replace(/&/g, "&amp;")}"`);
    expect(await trackedLinksOfMessage(store().engine.db, sent.message.id)).toEqual([]);
  });

  it("rewrites the HTML links, adds a pixel, records each URL, and keeps real URLs in the text part", async () => {
    const sent = await sendOne();
    expect(sent.clicks).toHaveLength(2);
    expect(sent.pixel).toMatch(/^https:\/\/nudge\.example\.test\/t\/o\/[\w-]+\.[\w-]+\.gif$/);
    expect(sent.message.body_html).not.toContain("acme.test/pricing");
    expect(sent.message.body_html).toContain('href="mailto:sam@acme.test"');
    // The unsubscribe link is ours and stays as it is.
    expect(sent.message.body_html).toMatch(/href="https:\/\/nudge\.example\.test\/u\//);
    expect(sent.message.body_text).toContain(PRICING);
    expect(await trackedLinksOfMessage(store().engine.db, sent.message.id)).toEqual([
      { index: 0, url: PRICING },
      { index: 1, url: DOCS },
    ]);
  });

  it("a person's click 302s to exactly the recorded URL and stores a human email.clicked", async () => {
    const sent = await sendOne();
    await advance(10 * MINUTE_MS);
    const [pricing, docs] = sent.clicks as [string, string];
    const first = await hit(pricing);
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe(PRICING);
    // A URL smuggled into the query changes nothing: the target is the recorded one.
    const smuggled = await hit(`${docs}?url=https://evil.test/&next=https://evil.test/`);
    expect(smuggled.statusCode).toBe(302);
    expect(smuggled.headers.location).toBe(DOCS);

    const events = await trackingEvents(sent.message.id);
    expect(events.map((e) => [e.type, e.machine, e.data.url, e.data.step])).toEqual([
      ["email.clicked", false, PRICING, "hello"],
      ["email.clicked", false, DOCS, "hello"],
    ]);
    expect(events[0]?.contactId).toBe(sent.contactId);
    expect(events[0]?.enrollmentId).toBe(sent.enrollmentId);
  });

  it("a tampered click token gets 404, never a redirect, and stores nothing", async () => {
    const sent = await sendOne();
    await advance(10 * MINUTE_MS);
    const token = tokenOf(sent.clicks[0] ?? "");
    const [body, tag] = token.split(".") as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    // The same message with link number 1 instead of 0, re-encoded, keeping the old tag.
    const otherLink = Buffer.from(`c:${sent.message.id}:1`).toString("base64url");
    const tampered = [
      `${body}.${flip(tag, 3)}`,
      `${flip(body, body.length - 2)}.${tag}`,
      `${otherLink}.${tag}`,
      `${body}.${tag.slice(0, -1)}`,
      body,
      `${body}.`,
      "not-a-token",
      `${body}.${tag}${"A".repeat(10)}`,
    ];
    const before = await countAllRows(store().engine);
    for (const bad of tampered) {
      const response = await hit(`/t/c/${bad}`);
      expect(response.statusCode, bad).toBe(404);
      expect(response.headers.location, bad).toBeUndefined();
    }
    // Longer than any token we sign: the router turns it away before our handler runs.
    const overlong = await hit(`/t/c/${body}.${tag}${"A".repeat(1200)}`);
    expect(overlong.statusCode).toBe(414);
    expect(overlong.headers.location).toBeUndefined();
    expect(await countAllRows(store().engine)).toEqual(before);
  });

  it("a token from another message gets 404", async () => {
    const { sent } = await sendFirstEmail((id) => trackedSequence(id, "tracking: true\n"), 2);
    await advance(10 * MINUTE_MS);
    const [a, b] = sent as [Sent, Sent];
    const [aBody, aTag] = tokenOf(a.clicks[0] ?? "").split(".") as [string, string];
    const [bBody] = tokenOf(b.clicks[0] ?? "").split(".") as [string, string];
    // Message B named in the body, message A's tag.
    expect((await hit(`/t/c/${bBody}.${aTag}`)).statusCode).toBe(404);
    // Message A's click token as B's pixel, and A's pixel token as a click.
    expect((await hit(`/t/o/${aBody}.${aTag}.gif`)).statusCode).toBe(404);
    expect((await hit(`/t/c/${tokenOf(a.pixel ?? "").replace(/\.gif$/, "")}`)).statusCode).toBe(404);
    // A token signed with another workspace's key, naming this workspace's message.
    const other = await createWorkspace(store().engine.db, { name: "Other" }, await now());
    const foreign = signToken(tokenSecret(other), { purpose: "c", messageId: a.message.id, link: 0 });
    expect((await hit(`/t/c/${foreign}`)).statusCode).toBe(404);
    expect(await trackingEvents(a.message.id)).toEqual([]);
    expect(await trackingEvents(b.message.id)).toEqual([]);
  });

  it("a URL not in the message gets 404, even with a genuinely signed token", async () => {
    const sent = await sendOne();
    await advance(10 * MINUTE_MS);
    const secret = tokenSecret(api.workspace);
    const unknownLink = signToken(secret, { purpose: "c", messageId: sent.message.id, link: 2 });
    const hugeLink = signToken(secret, { purpose: "c", messageId: sent.message.id, link: 2 ** 40 });
    const noLink = signToken(secret, { purpose: "c", messageId: sent.message.id });
    const noMessage = signToken(secret, { purpose: "c", messageId: "msg_does_not_exist", link: 0 });
    for (const token of [unknownLink, hugeLink, noLink, noMessage]) {
      const response = await hit(`/t/c/${token}`);
      expect(response.statusCode, token).toBe(404);
      expect(response.headers.location).toBeUndefined();
    }
    // The message's tracking-off sibling never recorded a link: its number 0 is unknown too.
    const untracked = await sendOne("");
    const untrackedToken = signToken(secret, { purpose: "c", messageId: untracked.message.id, link: 0 });
    expect((await hit(`/t/c/${untrackedToken}`)).statusCode).toBe(404);
    expect(await trackingEvents(sent.message.id)).toEqual([]);
  });

  it("a HEAD request, a click seconds after delivery and a scanner's user agent are machine clicks", async () => {
    const sent = await sendOne();
    const [pricing, docs] = sent.clicks as [string, string];
    // 3 seconds after the send: a gateway following every link on delivery.
    await advance(3_000);
    const early = await hit(pricing);
    expect(early.statusCode).toBe(302);
    expect(early.headers.location).toBe(PRICING);
    await advance(10 * MINUTE_MS);
    const head = await hit(docs, { method: "HEAD" });
    expect(head.statusCode).toBe(302);
    expect(head.headers.location).toBe(DOCS);
    const scanner = await hit(docs, { ua: SAFE_LINKS });
    expect(scanner.statusCode).toBe(302);

    const events = await trackingEvents(sent.message.id);
    expect(events.map((e) => [e.type, e.machine, e.data.url, e.data.machine_reason])).toEqual([
      ["email.clicked", true, PRICING, "too_soon_after_send"],
      ["email.clicked", true, DOCS, "head_request"],
    ]);
    // The scanner's click was a repeat of a machine click on that link: answered, not stored
    // again. A person clicking afterwards is still stored as human.
    await hit(docs);
    const after = await trackingEvents(sent.message.id);
    expect(after.map((e) => [e.data.url, e.machine])).toEqual([
      [PRICING, true],
      [DOCS, true],
      [DOCS, false],
    ]);
  });

  it("a scanner user agent on a link it is first to click is stored as a machine click", async () => {
    const sent = await sendOne();
    await advance(10 * MINUTE_MS);
    expect((await hit(sent.clicks[0] ?? "", { ua: SAFE_LINKS })).statusCode).toBe(302);
    const events = await trackingEvents(sent.message.id);
    expect(events.map((e) => [e.type, e.machine, e.data.machine_reason])).toEqual([
      ["email.clicked", true, "security_scanner"],
    ]);
  });

  it("an Apple Mail Privacy Protection open is a machine open; a person's open is human", async () => {
    const sent = await sendOne();
    const pixel = sent.pixel ?? "";
    const mpp = await hit(pixel, { ua: APPLE_MPP, ip: "203.0.113.9" });
    expect(mpp.statusCode).toBe(200);
    expect(mpp.headers["content-type"]).toBe("image/gif");
    expect(mpp.headers["cache-control"]).toContain("no-store");
    expect(mpp.rawPayload.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    await advance(MINUTE_MS);
    // An Apple-network fetch with a full iPhone user agent is MPP as well.
    const iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
    expect((await hit(pixel, { ua: iphone, ip: "17.58.1.2" })).statusCode).toBe(200);
    expect((await hit(pixel, { ua: GOOGLE_PROXY })).statusCode).toBe(200);
    await advance(2 * 3_600_000);
    expect((await hit(pixel, { ua: iphone, ip: "198.51.100.20" })).statusCode).toBe(200);

    const events = await trackingEvents(sent.message.id);
    expect(events.map((e) => [e.type, e.machine, e.data.machine_reason ?? null])).toEqual([
      ["email.opened", true, "apple_mail_privacy"],
      ["email.opened", false, null],
    ]);
  });

  it("behind a trusted proxy the reader's address comes from X-Forwarded-For; anyone else cannot claim one", async () => {
    const iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
    const viaProxy = await sendOne();
    await advance(30 * MINUTE_MS);
    const proxied = await hit(viaProxy.pixel ?? "", {
      ua: iphone,
      ip: "127.0.0.1",
      forwardedFor: "17.58.9.9",
    });
    expect(proxied.statusCode).toBe(200);
    expect(
      (await trackingEvents(viaProxy.message.id)).map((e) => [e.machine, e.data.machine_reason ?? null]),
    ).toEqual([[true, "apple_mail_privacy"]]);

    const spoofed = await sendOne();
    await advance(30 * MINUTE_MS);
    const direct = await hit(spoofed.pixel ?? "", {
      ua: iphone,
      ip: "198.51.100.7",
      forwardedFor: "17.58.9.9",
    });
    expect(direct.statusCode).toBe(200);
    expect(
      (await trackingEvents(spoofed.message.id)).map((e) => [e.machine, e.data.machine_reason ?? null]),
    ).toEqual([[false, null]]);
  });

  it("an open while someone previews the captured email in Nudge's own UI is not the recipient's", async () => {
    const sent = await sendOne();
    await advance(30 * MINUTE_MS);
    expect((await hit(sent.pixel ?? "", { referer: `${PUBLIC_URL}/sandbox` })).statusCode).toBe(200);
    const events = await trackingEvents(sent.message.id);
    expect(events.map((e) => [e.type, e.machine, e.data.machine_reason])).toEqual([
      ["email.opened", true, "nudge_preview"],
    ]);
  });

  it("a forged pixel token gets 404 and stores nothing", async () => {
    const sent = await sendOne();
    const token = tokenOf(sent.pixel ?? "").replace(/\.gif$/, "");
    const forged = `${token.slice(0, -2)}xx.gif`;
    const before = await countAllRows(store().engine);
    expect((await hit(`/t/o/${forged}`)).statusCode).toBe(404);
    expect(await countAllRows(store().engine)).toEqual(before);
  });

  it("sequence stats count human opens and clicks only", async () => {
    const { sequenceId, sent } = await sendFirstEmail((id) => trackedSequence(id, "tracking: true\n"), 3);
    const [person, proxied] = sent as [Sent, Sent, Sent];
    // The proxied contact's mail is fetched and scanned on arrival, never read.
    await advance(2_000);
    await hit(proxied.pixel ?? "", { ua: APPLE_MPP });
    await hit(proxied.clicks[0] ?? "");
    await hit(proxied.clicks[1] ?? "", { ua: SAFE_LINKS });
    await hit(person.pixel ?? "", { ua: GOOGLE_PROXY });
    await advance(30 * MINUTE_MS);
    await hit(person.pixel ?? "");
    await hit(person.clicks[1] ?? "");
    await hit(person.clicks[1] ?? "");

    const stats = await api.call("GET", `/v1/sequences/${sequenceId}/stats`);
    expect(stats.status).toBe(200);
    const hello = stats.json.steps.find((s: { step_id: string }) => s.step_id === "hello");
    expect(hello).toMatchObject({ sent: 3, opened: 1, clicked: 1 });
  });

  it("a wait_for on opened ignores machine opens and moves on a person's open", async () => {
    const sent = await sendOne(
      "tracking: { opens: true }\n",
      `  - id: watch
    wait_for: { event: email.opened, step: hello, timeout: 3d, on_event: opened, on_timeout: end }
  - id: opened
    update: { add_tags: [opened] }
`,
    );
    const { engine } = store();
    const waiting = async () => {
      const row = await getEnrollment(engine.db, api.workspace.id, sent.enrollmentId);
      const contact = await getContact(engine.db, api.workspace.id, sent.contactId);
      return { status: row?.status, step: row?.current_step, tags: contact?.tags };
    };
    expect(await waiting()).toEqual({ status: "active", step: "watch", tags: [] });
    await hit(sent.pixel ?? "", { ua: APPLE_MPP });
    await hit(sent.pixel ?? "", { ua: GOOGLE_PROXY });
    await hit(sent.pixel ?? "", { method: "HEAD" });
    expect(await waiting()).toEqual({ status: "active", step: "watch", tags: [] });
    await advance(DAY_MS);
    await hit(sent.pixel ?? "");
    expect(await waiting()).toMatchObject({ status: "completed", tags: ["opened"] });
  });

  it("a branch on opened ignores machine opens", async () => {
    const { sent } = await sendFirstEmail(
      (id) =>
        trackedSequence(
          id,
          "tracking: { opens: true, clicks: true }\n",
          `  - id: split
    wait: 1d
    branch:
      - if: { opened: hello }
        goto: hot
      - else: cold
  - id: hot
    update: { add_tags: [hot] }
    next: end
  - id: cold
    update: { add_tags: [cold] }
`,
        ),
      2,
    );
    const [reader, proxied] = sent as [Sent, Sent];
    await hit(proxied.pixel ?? "", { ua: APPLE_MPP });
    await hit(proxied.pixel ?? "", { ua: GOOGLE_PROXY });
    await advance(2 * 3_600_000);
    await hit(reader.pixel ?? "");
    await advance(DAY_MS);
    const tagsOf = async (s: Sent) =>
      (await getContact(store().engine.db, api.workspace.id, s.contactId))?.tags;
    expect(await tagsOf(reader)).toEqual(["hot"]);
    expect(await tagsOf(proxied)).toEqual(["cold"]);
  });
});
