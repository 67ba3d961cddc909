// The public unsubscribe endpoint behind every email's link and List-Unsubscribe header.
// GET only shows a confirmation page (link scanners follow GETs); POST unsubscribes: RFC 8058
// one-click (`List-Unsubscribe=One-Click`, no cookies, no auth, no redirect) or the page's form.

import formbody from "@fastify/formbody";
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  resolveUnsubscribeToken,
  type UnsubscribeVia,
  unsubscribeByToken,
} from "../../engine/unsubscribe.ts";

const FORM_BODY_LIMIT_BYTES = 64 * 1024;

const TokenParams = z.strictObject({ token: z.string().min(1).max(512) });

/**
 * RFC 8058 lets the client send the one-click body as multipart/form-data (preferred) or
 * application/x-www-form-urlencoded; the one field that matters is `List-Unsubscribe`.
 */
export function formFields(body: unknown): Record<string, string> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") fields[key] = first;
  }
  return fields;
}

/** The text fields of a multipart/form-data body (files are not expected and are skipped). */
export function parseMultipartFields(body: string, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return {};
  const fields: Record<string, string> = {};
  for (const part of body.split(`--${marker}`)) {
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
    if (!name || /\bfilename=/i.test(headers)) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, "");
  }
  return fields;
}

export function isOneClick(fields: Record<string, string>): boolean {
  return fields["List-Unsubscribe"]?.trim() === "One-Click";
}

export const unsubscribeRoutes: FastifyPluginAsyncZod = async (app) => {
  // The server parses urlencoded forms at its root; a bare instance (tests, embedding) may not.
  if (!app.hasContentTypeParser("application/x-www-form-urlencoded")) await app.register(formbody);
  if (!app.hasContentTypeParser("multipart/form-data")) {
    app.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "string", bodyLimit: FORM_BODY_LIMIT_BYTES },
      (request, body, done) =>
        done(null, parseMultipartFields(String(body), request.headers["content-type"] ?? "")),
    );
  }

  app.get(
    "/u/:token",
    {
      config: { public: true },
      schema: {
        tags: ["unsubscribe"],
        summary: "Confirmation page (does not unsubscribe: link scanners follow GETs)",
        security: [],
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const target = await resolveUnsubscribeToken(app.nudge.engine.db, request.params.token);
      if (!target) return sendPage(reply, 404, notFoundPage());
      return sendPage(reply, 200, confirmPage(target.email, target.workspace.name));
    },
  );

  app.post(
    "/u/:token",
    {
      config: { public: true },
      schema: {
        tags: ["unsubscribe"],
        summary: "Unsubscribe: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the confirmation form",
        description:
          "Suppresses the address and exits every running enrollment of the contact before answering. " +
          "One-click answers an empty 200; the form gets a page. Repeating it changes nothing.",
        security: [],
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const via: UnsubscribeVia = isOneClick(formFields(request.body)) ? "one_click" : "link";
      const result = await unsubscribeByToken(app.nudge.engine, request.params.token, via, app.nudge.clock);
      if (!result) return sendPage(reply, 404, notFoundPage());
      if (via === "one_click") return noStore(reply).code(200).send();
      return sendPage(reply, 200, donePage(result.email));
    },
  );
};

function noStore(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .header("x-robots-tag", "noindex, nofollow");
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return noStore(reply)
    .code(status)
    .header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .type("text/html; charset=utf-8")
    .send(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `j•••@example.com`: enough to recognise one's address, not enough to harvest it from a link. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "your address";
  return `${email[0]}•••${email.slice(at)}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;color:#222;max-width:32rem;margin:4rem auto;padding:0 1rem}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#222;color:#fff;cursor:pointer}
p.muted{color:#666;font-size:14px}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function confirmPage(email: string | null, sender: string): string {
  const who = email ? `<strong>${escapeHtml(maskEmail(email))}</strong>` : "your address";
  // No action attribute: the form posts back to this very URL, whatever prefix a proxy adds.
  return page(
    "Unsubscribe",
    `<h1>Unsubscribe</h1>
<p>Stop emails from ${escapeHtml(sender)} to ${who}?</p>
<form method="post">
<input type="hidden" name="confirm" value="yes">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

function donePage(email: string | null): string {
  const who = email ? escapeHtml(maskEmail(email)) : "Your address";
  return page(
    "You're unsubscribed",
    `<h1>You're unsubscribed</h1>
<p>${who} will not get any more of these emails.</p>
<p class="muted">You can close this page.</p>`,
  );
}

function notFoundPage(): string {
  return page(
    "Link not valid",
    `<h1>This link is not valid</h1>
<p>It may have been copied incompletely. Use the unsubscribe link from the email itself, or reply and ask to be removed.</p>`,
  );
}
