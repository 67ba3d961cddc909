// A mailbox's DKIM key over the API: write-only (never in an answer nor a log line), checked
// before it is stored, merged on edit, removable; the answer says where to publish the key.

import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiHarness, openApiHarness } from "../api/harness.ts";
import { describeEachEngine } from "../support/testStores.ts";

function rsaPem(bits: number): string {
  return generateKeyPairSync("rsa", { modulusLength: bits })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

/** Lines of the key's base64 body: any one of them showing up means the key leaked. */
function secretLines(pem: string): string[] {
  return pem.split("\n").filter((line) => line.length > 40 && !line.startsWith("-----"));
}

describeEachEngine("mailbox DKIM keys over the API", (store) => {
  let api: ApiHarness;
  let logged = "";
  const pem = rsaPem(2048);

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    api = await openApiHarness(store().engine, { logger: pino({ level: "trace" }, sink) });
  });
  afterAll(async () => {
    await api.close();
  });

  async function storedKey(id: string): Promise<Record<string, string> | null> {
    const row = await api.engine.db
      .selectFrom("mailboxes")
      .select("dkim_json")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return row.dkim_json ? (JSON.parse(row.dkim_json) as Record<string, string>) : null;
  }

  it("stores the key, never returns or logs it, and keeps it across an edit that leaves it out", async () => {
    const created = await api.call("POST", "/v1/mailboxes", {
      body: {
        name: "Signed",
        from_name: "Sam",
        from_address: "sam@signed.example",
        dkim: { selector: "nudge1", private_key: pem },
      },
    });
    expect(created.status, created.body).toBe(201);
    expect(created.json.dkim).toEqual({
      domain: "signed.example",
      selector: "nudge1",
      record_name: "nudge1._domainkey.signed.example",
      has_private_key: true,
    });

    const patched = await api.call("PATCH", `/v1/mailboxes/${created.json.id}`, {
      body: { dkim: { selector: "nudge2", domain: "Mail.Signed.Example" } },
    });
    expect(patched.status, patched.body).toBe(200);
    expect(patched.json.dkim).toMatchObject({
      domain: "mail.signed.example",
      selector: "nudge2",
      has_private_key: true,
    });
    expect(await storedKey(created.json.id)).toEqual({
      domain: "mail.signed.example",
      selector: "nudge2",
      privateKey: pem,
    });

    const answers = [
      created.body,
      patched.body,
      (await api.call("GET", "/v1/mailboxes")).body,
      (await api.call("GET", `/v1/mailboxes/${created.json.id}`)).body,
    ].join("\n");
    expect(logged.length).toBeGreaterThan(0);
    for (const line of secretLines(pem)) {
      expect(answers).not.toContain(line);
      expect(logged).not.toContain(line);
    }
    expect(answers).not.toContain("PRIVATE KEY");
    expect(logged).not.toContain("PRIVATE KEY");

    const removed = await api.call("PATCH", `/v1/mailboxes/${created.json.id}`, { body: { dkim: null } });
    expect(removed.json.dkim).toBeNull();
    expect(await storedKey(created.json.id)).toBeNull();
  });

  it("refuses a key that cannot sign, naming the field, and stores nothing", async () => {
    const before = await api.engine.db
      .selectFrom("mailboxes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const cases: Array<[unknown, string]> = [
      [{ selector: "nudge1", private_key: "not a key" }, "dkim.private_key"],
      [{ selector: "nudge1", private_key: rsaPem(512) }, "dkim.private_key"],
      [
        {
          selector: "nudge1",
          private_key: generateKeyPairSync("ed25519")
            .privateKey.export({ type: "pkcs8", format: "pem" })
            .toString(),
        },
        "dkim.private_key",
      ],
      [{ selector: "bad selector!", private_key: pem }, "dkim.selector"],
    ];
    for (const [dkim, field] of cases) {
      const res = await api.call("POST", "/v1/mailboxes", {
        body: { name: "Bad", from_name: "Bad", from_address: "bad@signed.example", dkim },
      });
      expect(res.status, res.body).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toContain(field);
      for (const line of secretLines(pem)) expect(res.body).not.toContain(line);
    }
    const after = await api.engine.db
      .selectFrom("mailboxes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("random and malformed DKIM input never gets a 5xx, and a refused one writes nothing", async () => {
    const count = async () =>
      Number(
        (
          await api.engine.db
            .selectFrom("mailboxes")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const pemLike = fc.oneof(
      fc.constant(pem),
      fc.string(),
      fc.string().map((body) => `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`),
      fc.integer({ min: 0, max: pem.length }).map((cut) => pem.slice(0, cut)),
    );
    const dkim = fc.oneof(
      fc.record(
        { selector: fc.oneof(fc.constant("nudge1"), fc.string()), private_key: pemLike, domain: fc.string() },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(dkim, async (value) => {
        const before = await count();
        const res = await api.call("POST", "/v1/mailboxes", {
          body: { name: "Fuzz", from_name: "Fuzz", from_address: "fuzz@signed.example", dkim: value },
        });
        expect(res.status, res.body).toBeLessThan(500);
        if (res.status >= 400) expect(await count()).toBe(before);
        else expect(res.json.dkim?.has_private_key ?? true).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
