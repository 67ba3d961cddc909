// Where a workspace keeps its incoming-webhook set-up (`settings.webhooks`): the shape, its
// validation, and the masked view the API shows (secrets never leave the server whole).

import { z } from "zod";
import { EVENT_TYPE_PATTERN, FIELD_PATH_PATTERN } from "./fieldMapping.ts";

const fieldPath = z
  .string()
  .max(200)
  .regex(FIELD_PATH_PATTERN, "a dotted path such as `contact.email` or `items.0.sku`");

const MASK = "****";

/** A secret, or the masked form a GET showed (resolved against the stored one on PUT). */
function secretOf(minLength: number, hint = "") {
  return z
    .string()
    .max(500)
    .refine((v) => v.startsWith(MASK) || v.length >= minLength, `at least ${minLength} characters${hint}`);
}

export const SOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const genericSourceSchema = z
  .strictObject({
    secret: secretOf(16, ": generate one with `openssl rand -hex 32`"),
    eventType: z.string().regex(EVENT_TYPE_PATTERN, "like `form.submitted`").optional(),
    mapping: z.strictObject({
      type: fieldPath.optional(),
      email: fieldPath,
      occurred_at: fieldPath.optional(),
      id: fieldPath.optional(),
      data: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a plain key"), fieldPath).optional(),
    }),
  })
  .refine((s) => s.eventType !== undefined || s.mapping.type !== undefined, {
    message: "give `eventType`, `mapping.type`, or both (the type path wins when the payload has it)",
    path: ["eventType"],
  });

export const hookConfigSchema = z.strictObject({
  hubspot: z
    .strictObject({
      clientSecret: secretOf(8),
      stageMap: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).optional(),
    })
    .optional(),
  calendly: z.strictObject({ signingKey: secretOf(8) }).optional(),
  sources: z
    .record(z.string().regex(SOURCE_NAME_PATTERN, "lower-case letters, digits, - and _"), genericSourceSchema)
    .optional(),
});

export type HookConfig = z.infer<typeof hookConfigSchema>;
export type GenericSourceConfig = z.infer<typeof genericSourceSchema>;

/** The workspace's set-up; a hand-edited, invalid one counts as none (every delivery is refused). */
export function readHookConfig(settings: Record<string, unknown>): HookConfig {
  const parsed = hookConfigSchema.safeParse(settings.webhooks ?? {});
  return parsed.success ? parsed.data : {};
}

/** `****` plus the last four characters, so people can tell secrets apart without seeing them. */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `${MASK}${value.slice(-4)}` : MASK;
}

export function isMasked(value: string): boolean {
  return value.startsWith(MASK);
}

export function maskHookConfig(config: HookConfig): HookConfig {
  return {
    ...(config.hubspot
      ? { hubspot: { ...config.hubspot, clientSecret: maskSecret(config.hubspot.clientSecret) } }
      : {}),
    ...(config.calendly ? { calendly: { signingKey: maskSecret(config.calendly.signingKey) } } : {}),
    ...(config.sources
      ? {
          sources: Object.fromEntries(
            Object.entries(config.sources).map(([name, s]) => [name, { ...s, secret: maskSecret(s.secret) }]),
          ),
        }
      : {}),
  };
}

export type SecretProblem = { path: Array<string | number>; message: string };

/**
 * A PUT may send back the masked secrets a GET showed: each masked value that matches the stored
 * secret keeps it; a masked value matching nothing is an error (we cannot guess the secret).
 */
export function restoreMaskedSecrets(
  next: HookConfig,
  current: HookConfig,
): { config: HookConfig } | { problems: SecretProblem[] } {
  const problems: SecretProblem[] = [];
  const keep = (given: string, stored: string | undefined, path: Array<string | number>): string => {
    if (!isMasked(given)) return given;
    if (stored !== undefined && maskSecret(stored) === given) return stored;
    problems.push({ path, message: "a masked secret that matches no stored secret: send the secret itself" });
    return given;
  };
  const config: HookConfig = { ...next };
  if (next.hubspot) {
    config.hubspot = {
      ...next.hubspot,
      clientSecret: keep(next.hubspot.clientSecret, current.hubspot?.clientSecret, [
        "hubspot",
        "clientSecret",
      ]),
    };
  }
  if (next.calendly) {
    config.calendly = {
      signingKey: keep(next.calendly.signingKey, current.calendly?.signingKey, ["calendly", "signingKey"]),
    };
  }
  if (next.sources) {
    config.sources = Object.fromEntries(
      Object.entries(next.sources).map(([name, s]) => [
        name,
        { ...s, secret: keep(s.secret, current.sources?.[name]?.secret, ["sources", name, "secret"]) },
      ]),
    );
  }
  return problems.length > 0 ? { problems } : { config };
}
