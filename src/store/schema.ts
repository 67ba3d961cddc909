// The database schema as Kysely sees it. Conventions, identical on SQLite and PostgreSQL:
// ids are prefixed ULID strings; every `*_at` column is UTC epoch milliseconds (bigint);
// `*_json` columns hold JSON text; booleans are 0/1 integers.

import type { Insertable, Selectable, Updateable } from "kysely";

export interface WorkspacesTable {
  id: string;
  name: string;
  /** `sandbox` captures every message; `live` delivers. */
  mode: "sandbox" | "live";
  time_zone: string;
  /** Test clock of a sandbox workspace; null = the system clock. */
  clock_at: number | null;
  settings_json: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: "admin" | "manager" | "rep";
  password_hash: string | null;
  active: number;
  /** The rep's own phone, E.164: inbound calls from their contacts are put through to it. */
  phone: string | null;
  created_at: number;
}

export interface AccountsTable {
  id: string;
  workspace_id: string;
  domain: string;
  name: string | null;
  owner_id: string | null;
  fields_json: string;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  /** Lower-cased; unique per workspace when present. */
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  phone: string | null;
  time_zone: string | null;
  account_id: string | null;
  owner_id: string | null;
  lifecycle_stage: string | null;
  tags_json: string;
  fields_json: string;
  sms_consent: "unknown" | "granted" | "revoked";
  sms_consent_source: string | null;
  sms_consent_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface DealsTable {
  id: string;
  workspace_id: string;
  account_id: string | null;
  contact_id: string | null;
  name: string;
  stage: string;
  amount: number | null;
  currency: string | null;
  owner_id: string | null;
  external_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface DealStageChangesTable {
  id: string;
  deal_id: string;
  from_stage: string | null;
  to_stage: string;
  source: string;
  changed_at: number;
}

export interface SequencesTable {
  id: string;
  workspace_id: string;
  /** The `id` slug written in the definition; unique per workspace. */
  key: string;
  name: string;
  status: "draft" | "active" | "paused" | "archived";
  current_version: number;
  created_at: number;
  updated_at: number;
}

export interface SequenceVersionsTable {
  id: string;
  sequence_id: string;
  version: number;
  definition_json: string;
  /** The YAML or JSON the user wrote, kept for the editor and for diffs. */
  source_text: string;
  created_by: string | null;
  created_at: number;
}

export interface EnrollmentsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  sequence_id: string;
  sequence_version_id: string;
  status: "active" | "paused" | "completed" | "exited";
  current_step: string | null;
  /** The enrollment state machine's state (domain/enrollment/types.ts). */
  state_json: string;
  /** Optimistic concurrency: incremented by every state write. */
  revision: number;
  /** When the scheduler must run this enrollment next; null = waiting on something else. */
  next_run_at: number | null;
  paused_until: number | null;
  exit_reason: string | null;
  exit_detail: string | null;
  hold_reason: string | null;
  enrolled_by: string | null;
  enrolled_at: number;
  updated_at: number;
  ended_at: number | null;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  enrollment_id: string | null;
  contact_id: string;
  step_id: string | null;
  /** `webhook` rows are a sequence's webhook step: to_address is the URL, body_text the JSON. */
  channel: "email" | "sms" | "voicemail" | "webhook";
  /** enrollment:step:visit — the outbox's exactly-once key. */
  idempotency_key: string;
  status: "queued" | "sending" | "sent" | "uncertain" | "failed" | "bounced" | "held" | "cancelled";
  mailbox_id: string | null;
  variant: string | null;
  to_address: string | null;
  /** Recipient's email domain, for the per-domain hourly cap. */
  to_domain: string | null;
  from_address: string | null;
  subject: string | null;
  body_text: string | null;
  body_html: string | null;
  /** The RFC 5322 Message-ID we gave the email, without angle brackets. */
  message_id_header: string | null;
  in_reply_to: string | null;
  references_header: string | null;
  provider_message_id: string | null;
  attempt_count: number;
  next_attempt_at: number | null;
  last_error: string | null;
  hold_reason: string | null;
  sent_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Sandbox: what would have been delivered, in full. */
export interface CapturedMessagesTable {
  id: string;
  workspace_id: string;
  message_id: string;
  channel: "email" | "sms" | "voicemail" | "webhook";
  to_address: string;
  raw: string;
  captured_at: number;
}

export interface EventsTable {
  id: string;
  workspace_id: string;
  type: string;
  contact_id: string | null;
  enrollment_id: string | null;
  message_id: string | null;
  data_json: string;
  occurred_at: number;
  received_at: number;
  source: string;
  /** Opens and clicks that look automated; kept, but never used by branches or metrics. */
  is_machine: number;
  /** Optional key that makes a retried delivery of the same event a no-op. */
  dedupe_key: string | null;
}

export interface TasksTable {
  id: string;
  workspace_id: string;
  enrollment_id: string | null;
  contact_id: string;
  step_id: string | null;
  idempotency_key: string | null;
  type: "call" | "linkedin" | "manual_email" | "task" | "handoff";
  assignee_id: string | null;
  title: string;
  note: string | null;
  data_json: string;
  due_at: number;
  window_end_at: number | null;
  status: "open" | "done" | "skipped" | "cancelled";
  outcome: string | null;
  completed_at: number | null;
  created_at: number;
}

export interface SuppressionsTable {
  id: string;
  workspace_id: string;
  kind: "email" | "phone" | "domain";
  value: string;
  reason: string;
  source: string;
  created_at: number;
}

export interface MailboxesTable {
  id: string;
  workspace_id: string;
  name: string;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  signature: string | null;
  user_id: string | null;
  /** SMTP settings including credentials: never logged, never returned by the API. */
  smtp_json: string | null;
  imap_json: string | null;
  /** DKIM signing key `{domain, selector, privateKey}`: a secret, never returned by the API. */
  dkim_json: string | null;
  daily_limit: number;
  is_default: number;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** The first characters of the key, shown to people to tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  key_hash: string;
  scopes_json: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  secret: string;
  event_types_json: string;
  active: number;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_type: string;
  payload_json: string;
  status: "pending" | "delivered" | "failed";
  attempt_count: number;
  next_attempt_at: number | null;
  response_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface AuditLogTable {
  id: string;
  workspace_id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  data_json: string;
  at: number;
}

export interface InboundMessagesTable {
  id: string;
  workspace_id: string;
  mailbox_id: string | null;
  /** `imap` or `api` (the raw-MIME endpoint). */
  source: string;
  message_id_header: string | null;
  from_address: string | null;
  subject: string | null;
  class: "bounce_hard" | "bounce_soft" | "auto_reply" | "unsubscribe_request" | "human_reply";
  intent: string | null;
  /** The rule that decided, in words. */
  rule: string;
  return_date: string | null;
  contact_id: string | null;
  /** Our outbox row the message answers or reports on. */
  matched_message_id: string | null;
  /** The reply without quoted history and signature. */
  snippet: string | null;
  details_json: string;
  raw: string;
  received_at: number;
}

export interface ImapStateTable {
  mailbox_id: string;
  folder: string;
  uid_validity: number;
  last_uid: number;
  updated_at: number;
}

/** Stored answers to POSTs sent with an Idempotency-Key (migration 0002_api). */
export interface IdempotencyKeysTable {
  workspace_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response_json: string;
  created_at: number;
}

/** A workspace's SMS/voice provider and compliance settings (migration 0006_sms). */
export interface SmsSettingsTable {
  workspace_id: string;
  provider: "twilio";
  account_sid: string | null;
  /** Secret: never logged, never returned by the API. */
  auth_token: string | null;
  /** The provider's REST base, e.g. https://api.twilio.com (a local provider in tests). */
  api_base_url: string | null;
  require_consent: number;
  quiet_start_minute: number;
  quiet_end_minute: number;
  default_region: string;
  help_text: string | null;
  stop_text: string | null;
  start_text: string | null;
  updated_at: number;
}

export interface SmsNumbersTable {
  id: string;
  workspace_id: string;
  /** E.164. */
  number: string;
  country: string | null;
  area_code: string | null;
  sms: number;
  voice: number;
  active: number;
  created_at: number;
}

/** The sender number a contact was first texted or called from: later touches reuse it. */
export interface SmsStickyNumbersTable {
  workspace_id: string;
  contact_id: string;
  contact_phone: string;
  number: string;
  created_at: number;
}

/** Phone numbers nothing automatic may reach: SMS opt-outs, dead numbers, the Do-Not-Call list. */
export interface PhoneBlocksTable {
  id: string;
  workspace_id: string;
  /** E.164. */
  phone: string;
  kind: "sms_opt_out" | "sms_undeliverable" | "do_not_call";
  source: string;
  detail: string | null;
  created_at: number;
}

/** What the provider said about a text or voicemail drop we placed. */
export interface SmsDeliveriesTable {
  message_id: string;
  workspace_id: string;
  channel: "sms" | "voicemail";
  provider_sid: string;
  from_number: string;
  to_number: string;
  status: string;
  error_code: string | null;
  segments: number | null;
  encoding: string | null;
  status_at: number;
  created_at: number;
}

/** Every inbound text, once per provider message id. */
export interface SmsInboundTable {
  id: string;
  workspace_id: string;
  provider_sid: string;
  from_number: string;
  to_number: string;
  body: string;
  keyword: string | null;
  contact_id: string | null;
  inbound_message_id: string | null;
  received_at: number;
}

/** A web-app sign-in: the cookie's token, hashed (migration 0007_web). */
export interface WebSessionsTable {
  token_hash: string;
  workspace_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

/** A one-time sign-in link (`nudge start` prints one), hashed (migration 0007_web). */
export interface WebLoginLinksTable {
  token_hash: string;
  workspace_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** The URL behind each tracked link of a message, recorded at send time (migration 0004_tracking). */
export interface TrackedLinksTable {
  message_id: string;
  /** 0-based position among the message's tracked links, in document order. */
  link_index: number;
  workspace_id: string;
  url: string;
  created_at: number;
}

export interface Database {
  workspaces: WorkspacesTable;
  users: UsersTable;
  accounts: AccountsTable;
  contacts: ContactsTable;
  deals: DealsTable;
  deal_stage_changes: DealStageChangesTable;
  sequences: SequencesTable;
  sequence_versions: SequenceVersionsTable;
  enrollments: EnrollmentsTable;
  messages: MessagesTable;
  captured_messages: CapturedMessagesTable;
  events: EventsTable;
  tasks: TasksTable;
  suppressions: SuppressionsTable;
  mailboxes: MailboxesTable;
  api_keys: ApiKeysTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  audit_log: AuditLogTable;
  inbound_messages: InboundMessagesTable;
  imap_state: ImapStateTable;
  idempotency_keys: IdempotencyKeysTable;
  tracked_links: TrackedLinksTable;
  sms_settings: SmsSettingsTable;
  sms_numbers: SmsNumbersTable;
  sms_sticky_numbers: SmsStickyNumbersTable;
  phone_blocks: PhoneBlocksTable;
  sms_deliveries: SmsDeliveriesTable;
  sms_inbound: SmsInboundTable;
  web_sessions: WebSessionsTable;
  web_login_links: WebLoginLinksTable;
}

export type Workspace = Selectable<WorkspacesTable>;
export type User = Selectable<UsersTable>;
export type Account = Selectable<AccountsTable>;
export type ContactRow = Selectable<ContactsTable>;
export type Deal = Selectable<DealsTable>;
export type SequenceRow = Selectable<SequencesTable>;
export type SequenceVersionRow = Selectable<SequenceVersionsTable>;
export type EnrollmentRow = Selectable<EnrollmentsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type MessageUpdate = Updateable<MessagesTable>;
export type EventRow = Selectable<EventsTable>;
export type TaskRow = Selectable<TasksTable>;
export type Suppression = Selectable<SuppressionsTable>;
export type MailboxRow = Selectable<MailboxesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
