// Contacts on the wire: snake_case fields, ISO times; what a client may write (upsert by
// email, patch by id) and how a stored contact reads back.

import { z } from "zod";
import type { Contact, ContactInput } from "../../store/repos/contacts.ts";
import { Email, FieldValue, IsoTime, iso, Phone, TimeZone } from "./common.ts";

const Name = z.string().max(200);
const Tag = z.string().trim().min(1).max(100);
const FieldKey = z.string().min(1).max(100);

export const ContactOut = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    title: z.string().nullable(),
    phone: z.string().nullable(),
    time_zone: z.string().nullable(),
    account_id: z.string().nullable(),
    owner_id: z.string().nullable(),
    lifecycle_stage: z.string().nullable(),
    tags: z.array(z.string()),
    fields: z.record(z.string(), FieldValue),
    sms_consent: z.enum(["unknown", "granted", "revoked"]),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .meta({ id: "Contact" });

export type ContactOutput = z.infer<typeof ContactOut>;

export function toContactOut(c: Contact): ContactOutput {
  return {
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    title: c.title,
    phone: c.phone,
    time_zone: c.timeZone,
    account_id: c.accountId,
    owner_id: c.ownerId,
    lifecycle_stage: c.lifecycleStage,
    tags: c.tags,
    fields: c.fields,
    sms_consent: c.smsConsent,
    created_at: iso(c.createdAtUtcMs),
    updated_at: iso(c.updatedAtUtcMs),
  };
}

const contactAttributes = {
  first_name: Name.nullish(),
  last_name: Name.nullish(),
  title: Name.nullish(),
  phone: Phone.nullish(),
  time_zone: TimeZone.nullish(),
  company: Name.nullish().describe("company name for the account found by the email's domain"),
  owner_id: z.string().max(200).nullish().describe("user id of the owning rep"),
  owner_email: Email.optional().describe("the owning rep, by their user email"),
  lifecycle_stage: z.string().max(100).nullish(),
  tags: z.array(Tag).max(100).optional().describe("replaces the contact's tags"),
  fields: z
    .record(FieldKey, FieldValue)
    .optional()
    .describe("custom fields, merged into the existing ones; null removes a field"),
};

/** POST /v1/contacts and every place a contact is given inline: upsert by email. */
export const ContactUpsert = z
  .strictObject({ email: Email, ...contactAttributes })
  .meta({ id: "ContactUpsert" });
export type ContactUpsertInput = z.infer<typeof ContactUpsert>;

export const ContactPatch = z
  .strictObject({
    email: Email.nullish(),
    ...contactAttributes,
    add_tags: z.array(Tag).max(100).optional(),
    remove_tags: z.array(Tag).max(100).optional(),
  })
  .meta({ id: "ContactPatch" });
export type ContactPatchInput = z.infer<typeof ContactPatch>;

/** The store's input from the wire shape; owner_email is resolved by the caller. */
export function toContactInput(body: Omit<ContactPatchInput, "add_tags" | "remove_tags">): ContactInput {
  const input: ContactInput = {};
  if (body.email !== undefined) input.email = body.email;
  if (body.first_name !== undefined) input.firstName = body.first_name;
  if (body.last_name !== undefined) input.lastName = body.last_name;
  if (body.title !== undefined) input.title = body.title;
  if (body.phone !== undefined) input.phone = body.phone;
  if (body.time_zone !== undefined) input.timeZone = body.time_zone;
  if (body.company !== undefined) input.company = body.company;
  if (body.owner_id !== undefined) input.ownerId = body.owner_id;
  if (body.lifecycle_stage !== undefined) input.lifecycleStage = body.lifecycle_stage;
  if (body.tags !== undefined) input.tags = body.tags;
  if (body.fields !== undefined) input.fields = body.fields;
  return input;
}

export const ContactListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(300).optional(),
  q: z.string().max(200).optional().describe("matches email, first or last name"),
  tag: z.string().max(100).optional(),
  stage: z.string().max(100).optional().describe("lifecycle stage"),
  owner_id: z.string().max(200).optional(),
  account_id: z.string().max(200).optional(),
});
