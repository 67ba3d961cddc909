// HubSpot webhook deliveries → hook actions. A delivery is a JSON array of up to 100 events, each
// naming the object by id only (`objectId`); property changes carry the new value.

import { z } from "zod";
import {
  type HookAction,
  type IgnoredItem,
  LATEST_TIME_MS,
  type MappedDelivery,
  payloadErrors,
} from "./hookAction.ts";

/** HubSpot's ids are integers; text ids are accepted as long as they are plain. */
const hubSpotId = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^[0-9A-Za-z-]{1,64}$/, "an id of letters, digits and -"),
]);

const hubSpotEventSchema = z.looseObject({
  eventId: hubSpotId,
  subscriptionType: z.string().min(1).max(200),
  objectId: hubSpotId,
  occurredAt: z.number().int().min(0).max(LATEST_TIME_MS),
  portalId: hubSpotId.optional(),
  attemptNumber: z.number().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
});

const hubSpotDeliverySchema = z.array(hubSpotEventSchema).max(1000);

export type HubSpotEvent = z.infer<typeof hubSpotEventSchema>;

export interface HubSpotMappingConfig {
  /** HubSpot's stage ids (`appointmentscheduled`, `closedwon`, or a custom pipeline's number) → ours. */
  stageMap?: Record<string, string>;
}

export function mapHubSpotDelivery(body: unknown, config: HubSpotMappingConfig): MappedDelivery {
  const parsed = hubSpotDeliverySchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: payloadErrors(parsed.error.issues) };
  const actions: HookAction[] = [];
  const ignored: IgnoredItem[] = [];
  parsed.data.forEach((event, index) => {
    const mapped = mapHubSpotEvent(event, config);
    if (typeof mapped === "string") ignored.push({ index, type: event.subscriptionType, reason: mapped });
    else actions.push(mapped);
  });
  return { ok: true, actions, ignored };
}

/** The action for one event, or why it is ignored. */
function mapHubSpotEvent(event: HubSpotEvent, config: HubSpotMappingConfig): HookAction | string {
  const objectId = String(event.objectId);
  // eventId is unique per portal; HubSpot retries a failed delivery with the same eventId.
  const dedupeKey = `hubspot:${event.portalId ?? "-"}:${event.eventId}`;
  const common = {
    hubspot_event_id: String(event.eventId),
    portal_id: event.portalId === undefined ? null : String(event.portalId),
    subscription: event.subscriptionType,
    change_source: event.changeSource ?? null,
  };
  switch (event.subscriptionType) {
    case "deal.propertyChange": {
      if (event.propertyName !== "dealstage")
        return `property ${event.propertyName ?? "(none)"} is not tracked`;
      if (event.propertyValue === undefined || event.propertyValue === null || event.propertyValue === "") {
        return "dealstage change without a value";
      }
      const hubSpotStage = String(event.propertyValue);
      return {
        kind: "deal_stage",
        dealExternalId: objectId,
        stage: config.stageMap?.[hubSpotStage] ?? hubSpotStage,
        occurredAtUtcMs: event.occurredAt,
        dedupeKey,
        data: { ...common, hubspot_deal_id: objectId, hubspot_stage: hubSpotStage },
      };
    }
    case "contact.propertyChange":
    case "contact.creation":
      return {
        kind: "crm_contact_changed",
        crmContactId: objectId,
        occurredAtUtcMs: event.occurredAt,
        dedupeKey,
        data: {
          ...common,
          hubspot_id: objectId,
          property: event.propertyName ?? null,
          value: event.propertyValue ?? null,
        },
      };
    case "deal.creation":
      // The creation event carries no stage or contact; the deal is created at its first
      // dealstage change, which is what exits react to.
      return "deal.creation carries no stage; the deal is recorded at its first dealstage change";
    default:
      return `subscription type ${event.subscriptionType} is not handled`;
  }
}
