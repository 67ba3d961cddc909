// A workspace's SMS/voice set-up: the provider account (the token is a secret: read here, never
// returned by the API), whether texts need consent, the texting hours, and the compliance texts.

import { quietHoursWindow } from "../../domain/time/quietHours.ts";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";

export type SmsSettingsRow = Database["sms_settings"];

export const DEFAULT_HELP_TEXT =
  "{workspace}: reply STOP to stop texts, START to resume. Msg & data rates may apply.";
export const DEFAULT_STOP_TEXT =
  "{workspace}: you are unsubscribed and will get no more texts. Reply START to resume.";
export const DEFAULT_START_TEXT = "{workspace}: you are subscribed again. Reply STOP to stop, HELP for help.";

export interface SmsSettings {
  provider: "twilio";
  accountSid: string | null;
  authToken: string | null;
  apiBaseUrl: string | null;
  requireConsent: boolean;
  textingHours: { startMinute: number; endMinute: number };
  defaultRegion: string;
  helpText: string;
  stopText: string;
  startText: string;
  /** False until a provider account is set: live texts are held with `no_sms_provider`. */
  configured: boolean;
}

export function toSmsSettings(row: SmsSettingsRow | undefined, workspaceName: string): SmsSettings {
  const fill = (text: string | null | undefined, fallback: string) =>
    (text ?? fallback).replaceAll("{workspace}", workspaceName);
  return {
    provider: row?.provider ?? "twilio",
    accountSid: row?.account_sid ?? null,
    authToken: row?.auth_token ?? null,
    apiBaseUrl: row?.api_base_url ?? null,
    requireConsent: row ? row.require_consent === 1 : true,
    textingHours: quietHoursWindow(
      row ? { startMinute: row.quiet_start_minute, endMinute: row.quiet_end_minute } : null,
    ),
    defaultRegion: row?.default_region ?? "US",
    helpText: fill(row?.help_text, DEFAULT_HELP_TEXT),
    stopText: fill(row?.stop_text, DEFAULT_STOP_TEXT),
    startText: fill(row?.start_text, DEFAULT_START_TEXT),
    configured: !!(row?.account_sid && row.auth_token),
  };
}

export async function getSmsSettingsRow(
  db: Executor,
  workspaceId: string,
): Promise<SmsSettingsRow | undefined> {
  return db.selectFrom("sms_settings").selectAll().where("workspace_id", "=", workspaceId).executeTakeFirst();
}

export async function loadSmsSettings(
  db: Executor,
  workspace: { id: string; name: string },
): Promise<SmsSettings> {
  return toSmsSettings(await getSmsSettingsRow(db, workspace.id), workspace.name);
}

export type SmsSettingsPatch = Partial<Omit<SmsSettingsRow, "workspace_id" | "updated_at">>;

/** Creates or updates the row; fields left out keep their value. */
export async function saveSmsSettings(
  db: Executor,
  workspaceId: string,
  patch: SmsSettingsPatch,
  nowUtcMs: number,
): Promise<SmsSettingsRow> {
  const existing = await getSmsSettingsRow(db, workspaceId);
  const row: SmsSettingsRow = {
    workspace_id: workspaceId,
    provider: "twilio",
    account_sid: null,
    auth_token: null,
    api_base_url: null,
    require_consent: 1,
    quiet_start_minute: 480,
    quiet_end_minute: 1260,
    default_region: "US",
    help_text: null,
    stop_text: null,
    start_text: null,
    ...existing,
    ...patch,
    updated_at: nowUtcMs,
  };
  if (existing) {
    const { workspace_id: _id, ...rest } = row;
    await db.updateTable("sms_settings").set(rest).where("workspace_id", "=", workspaceId).execute();
  } else {
    await db.insertInto("sms_settings").values(row).execute();
  }
  return row;
}
