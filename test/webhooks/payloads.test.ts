// Payload mapping of each source, on fixtures written from the vendors' documented shapes.

import { describe, expect, it } from "vitest";
import { mapCalendlyDelivery, splitName } from "../../src/inbound/webhooks/calendlyPayload.ts";
import { mapGenericDelivery, readPath } from "../../src/inbound/webhooks/fieldMapping.ts";
import type { HookAction } from "../../src/inbound/webhooks/hookAction.ts";
import {
  hookConfigSchema,
  maskHookConfig,
  restoreMaskedSecrets,
} from "../../src/inbound/webhooks/hookConfig.ts";
import { mapHubSpotDelivery } from "../../src/inbound/webhooks/hubspotPayload.ts";
import { fixture } from "./hookApp.ts";

const NOW = Date.UTC(2025, 10, 2, 15, 0, 0);
const json = (name: string): unknown => JSON.parse(fixture(name).toString("utf8"));

function actionsOf(mapped: ReturnType<typeof mapHubSpotDelivery>): HookAction[] {
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return mapped.actions;
}

describe("HubSpot payloads", () => {
  it("a dealstage change becomes a stage move in our stage names", () => {
    const [action, ...rest] = actionsOf(
      mapHubSpotDelivery(json("hubspot-deal-stage-change.json"), { stageMap: { closedwon: "won" } }),
    );
    expect(rest).toHaveLength(0);
    expect(action).toMatchObject({
      kind: "deal_stage",
      dealExternalId: "9001",
      stage: "won",
      occurredAtUtcMs: 1762095540000,
      dedupeKey: "hubspot:44183355:3817204411",
      data: { hubspot_stage: "closedwon", hubspot_deal_id: "9001", change_source: "CRM_UI" },
    });
  });

  it("an unmapped stage keeps HubSpot's id", () => {
    const [action] = actionsOf(mapHubSpotDelivery(json("hubspot-deal-stage-change.json"), {}));
    expect(action).toMatchObject({ kind: "deal_stage", stage: "closedwon" });
  });

  it("a batch maps contact changes and creations, and says why the rest is ignored", () => {
    const mapped = mapHubSpotDelivery(json("hubspot-mixed-batch.json"), {});
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(
      mapped.actions.map((a) => [a.kind, a.kind === "crm_contact_changed" ? a.crmContactId : null]),
    ).toEqual([
      ["crm_contact_changed", "551"],
      ["crm_contact_changed", "552"],
    ]);
    expect(mapped.actions[0]?.data).toMatchObject({
      property: "lifecyclestage",
      value: "salesqualifiedlead",
    });
    expect(mapped.ignored.map((i) => [i.index, i.type])).toEqual([
      [0, "deal.creation"],
      [3, "deal.propertyChange"],
    ]);
  });

  it("a body that is not HubSpot's array of events names the bad field", () => {
    const notArray = mapHubSpotDelivery({ eventId: 1 }, {});
    expect(notArray.ok).toBe(false);
    const missing = mapHubSpotDelivery(
      [{ eventId: 1, subscriptionType: "deal.propertyChange", occurredAt: 1 }],
      {},
    );
    expect(missing).toMatchObject({ ok: false, errors: [{ path: [0, "objectId"] }] });
  });
});

describe("Calendly payloads", () => {
  it("invitee.created books a meeting for the invitee, split into first and last name", () => {
    const mapped = mapCalendlyDelivery(json("calendly-invitee-created.json"), NOW);
    expect(mapped).toMatchObject({
      ok: true,
      actions: [
        {
          kind: "contact_event",
          type: "meeting.booked",
          contact: { email: "Grace.Hopper@Navy.example", firstName: "Grace", lastName: "Brewster Hopper" },
          occurredAtUtcMs: Date.parse("2025-11-02T14:58:31Z"),
          data: {
            event_uri: "https://api.calendly.com/scheduled_events/GQKD4XW2MTNB7YPA",
            start_time: "2025-11-05T16:00:00.000000Z",
            name: "30 Minute Intro Call",
          },
        },
      ],
    });
  });

  it("invitee.canceled cancels it, with who and why", () => {
    const mapped = mapCalendlyDelivery(json("calendly-invitee-canceled.json"), NOW);
    expect(mapped).toMatchObject({
      ok: true,
      actions: [
        {
          type: "meeting.canceled",
          contact: { firstName: "Grace", lastName: "Hopper" },
          data: { canceled_by: "Grace Hopper", reason: "Something came up" },
        },
      ],
    });
  });

  it("other Calendly events are ignored, a payload without an email is refused", () => {
    expect(mapCalendlyDelivery({ event: "routing_form_submission.created", payload: {} }, NOW)).toMatchObject(
      {
        ok: true,
        actions: [],
        ignored: [{ type: "routing_form_submission.created" }],
      },
    );
    expect(mapCalendlyDelivery({ event: "invitee.created", payload: { uri: "x" } }, NOW)).toMatchObject({
      ok: false,
      errors: [{ path: ["payload", "email"] }],
    });
  });

  it("names split on the first space; separate fields win", () => {
    expect(splitName({ name: "  Ada   Lovelace " })).toEqual({ firstName: "Ada", lastName: "Lovelace" });
    expect(splitName({ name: "Cher" })).toEqual({ firstName: "Cher", lastName: null });
    expect(splitName({ name: "x y", first_name: "Ada", last_name: "King" })).toEqual({
      firstName: "Ada",
      lastName: "King",
    });
    expect(splitName({})).toEqual({ firstName: null, lastName: null });
  });
});

describe("generic field mapping", () => {
  const source = {
    eventType: "form.submitted",
    mapping: {
      type: "kind",
      email: "person.email",
      occurred_at: "submitted_at",
      id: "id",
      data: { form: "form.name", seats: "answers.0.value", missing: "nowhere.at.all" },
    },
  };

  it("reads dotted paths, array indexes included, into one event", () => {
    const mapped = mapGenericDelivery(json("generic-form-submission.json"), "pricing-form", source, NOW);
    expect(mapped).toEqual({
      ok: true,
      ignored: [],
      actions: [
        {
          kind: "contact_event",
          type: "form.submitted",
          contact: { email: "linus@kernel.example" },
          occurredAtUtcMs: Date.parse("2025-11-02T14:55:00Z"),
          dedupeKey: "hook:pricing-form:id:sub_8842",
          data: { form: "Pricing request", seats: "25" },
        },
      ],
    });
  });

  it("epoch seconds and milliseconds are both understood; a missing time is the receipt time", () => {
    const at = (value: unknown) => {
      const mapped = mapGenericDelivery(
        { e: "a@b.example", t: value },
        "s",
        { eventType: "x.y", mapping: { email: "e", occurred_at: "t" } },
        NOW,
      );
      return mapped.ok ? mapped.actions[0]?.occurredAtUtcMs : mapped.errors;
    };
    expect(at(1762095600)).toBe(1762095600000);
    expect(at(1762095600123)).toBe(1762095600123);
    expect(at(undefined)).toBe(NOW);
    expect(at("soon")).toMatchObject([{ path: ["t"] }]);
  });

  it("a payload without an email or a type names the path", () => {
    const mapped = mapGenericDelivery(
      { person: {} },
      "s",
      { mapping: { type: "kind", email: "person.email" } },
      NOW,
    );
    expect(mapped).toMatchObject({
      ok: false,
      errors: [{ path: ["kind"] }, { path: ["person", "email"] }],
    });
  });

  it("paths read own properties only", () => {
    expect(readPath({ a: { b: [1, { c: 2 }] } }, "a.b.1.c")).toBe(2);
    expect(readPath({}, "__proto__")).toBeUndefined();
    expect(readPath({ a: "text" }, "a.length")).toBeUndefined();
    expect(readPath({ a: [1] }, "a.x")).toBeUndefined();
  });
});

describe("hook configuration", () => {
  const config = hookConfigSchema.parse({
    hubspot: { clientSecret: "a3c0f9d2-7b4e-4f1a-9c3e-2d8b6e1f0a47", stageMap: { closedwon: "won" } },
    calendly: { signingKey: "cal_sk_3qVw8yZpR1tLx6Nn0bHsCe5JmKdUa2Fo" },
    sources: {
      typeform: { secret: "0123456789abcdef0123", eventType: "form.submitted", mapping: { email: "e" } },
    },
  });

  it("never shows a secret whole", () => {
    const masked = maskHookConfig(config);
    expect(masked.hubspot?.clientSecret).toBe("****0a47");
    expect(masked.calendly?.signingKey).toBe("****a2Fo");
    expect(masked.sources?.typeform?.secret).toBe("****0123");
    expect(JSON.stringify(masked)).not.toContain("a3c0f9d2");
  });

  it("a GET → PUT round trip with masked secrets keeps the stored ones", () => {
    const edited = hookConfigSchema.parse({
      ...maskHookConfig(config),
      calendly: { signingKey: "a-brand-new-key" },
    });
    const restored = restoreMaskedSecrets(edited, config);
    expect(restored).toEqual({
      config: { ...config, calendly: { signingKey: "a-brand-new-key" } },
    });
    const unknown = restoreMaskedSecrets(
      hookConfigSchema.parse({ calendly: { signingKey: "****zzzz" } }),
      config,
    );
    expect(unknown).toMatchObject({ problems: [{ path: ["calendly", "signingKey"] }] });
  });

  it("a generic source needs an event type from somewhere and a long secret", () => {
    const result = hookConfigSchema.safeParse({
      sources: { s: { secret: "short", mapping: { email: "e" } } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["sources.s.secret", "sources.s.eventType"]),
    );
  });
});
