// Accounts and deals on the wire.

import { z } from "zod";
import { readJsonObject } from "../../store/json.ts";
import type { Account, Deal } from "../../store/schema.ts";
import { FieldValue, IsoTime, iso, JsonObject } from "./common.ts";

export const AccountOut = z
  .object({
    id: z.string(),
    domain: z.string(),
    name: z.string().nullable(),
    owner_id: z.string().nullable(),
    fields: JsonObject,
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .meta({ id: "Account" });

export function toAccountOut(a: Account): z.infer<typeof AccountOut> {
  return {
    id: a.id,
    domain: a.domain,
    name: a.name,
    owner_id: a.owner_id,
    fields: readJsonObject(a.fields_json),
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
  };
}

const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

export const AccountUpsert = z
  .strictObject({
    domain: z
      .string()
      .max(300)
      .transform((d) =>
        d
          .trim()
          .toLowerCase()
          .replace(/^https?:\/\//, "")
          .replace(/^www\./, "")
          .replace(/\/.*$/, ""),
      )
      .refine((d) => DOMAIN.test(d), { message: "not a domain name (e.g. example.com)" }),
    name: z.string().max(200).nullish(),
    owner_id: z.string().max(200).nullish(),
    fields: z.record(z.string().min(1).max(100), FieldValue).optional(),
  })
  .meta({ id: "AccountUpsert" });

export const DealOut = z
  .object({
    id: z.string(),
    name: z.string(),
    stage: z.string(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    account_id: z.string().nullable(),
    contact_id: z.string().nullable(),
    owner_id: z.string().nullable(),
    external_id: z.string().nullable(),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .meta({ id: "Deal" });

export function toDealOut(d: Deal): z.infer<typeof DealOut> {
  return {
    id: d.id,
    name: d.name,
    stage: d.stage,
    amount: d.amount === null ? null : Number(d.amount),
    currency: d.currency,
    account_id: d.account_id,
    contact_id: d.contact_id,
    owner_id: d.owner_id,
    external_id: d.external_id,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
  };
}

export const StageChangeOut = z.object({
  from_stage: z.string().nullable(),
  to_stage: z.string(),
  source: z.string(),
  changed_at: IsoTime,
});

export const DealWithHistory = DealOut.extend({ stage_history: z.array(StageChangeOut) }).meta({
  id: "DealWithHistory",
});

const Stage = z.string().trim().min(1).max(100);

export const DealCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    stage: Stage,
    amount: z.number().finite().min(-1e15).max(1e15).nullish(),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "a 3-letter ISO 4217 code")
      .transform((c) => c.toUpperCase())
      .nullish(),
    account_id: z.string().max(200).nullish(),
    contact_id: z.string().max(200).nullish(),
    contact_email: z.string().max(254).optional().describe("the contact, by email (must exist)"),
    owner_id: z.string().max(200).nullish(),
    external_id: z.string().min(1).max(200).nullish().describe("the deal's id in your CRM; unique"),
  })
  .meta({ id: "DealCreate" });

export const DealStageChange = z.strictObject({ stage: Stage }).meta({ id: "DealStageChange" });
