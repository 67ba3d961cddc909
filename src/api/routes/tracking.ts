// The public tracking endpoints behind an email's open pixel and rewritten links. A click goes
// only to the URL recorded for that message and link at send time: anything else (a forged or
// altered token, another message's token, a link number the message never had) is a 404 and
// never a redirect. HEAD requests are answered the same way and recorded as machine hits.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { originOf } from "../../domain/tracking/classifyTrackingHit.ts";
import { recordTrackingHit, resolveTrackingToken, type TrackingHitResult } from "../../engine/tracking.ts";

/** The smallest transparent GIF (1×1, 43 bytes). */
const PIXEL_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

const TokenParams = z.strictObject({ token: z.string().min(1).max(1000) });

export const trackingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/t/o/:token",
    {
      config: { public: true },
      schema: {
        tags: ["tracking"],
        summary: "Open pixel: a 1×1 GIF; records an `email.opened` event (machine-flagged when automated)",
        security: [],
        params: TokenParams,
      },
    },
    async (request, reply) => {
      // The pixel's URL ends in `.gif` so mail clients treat it as an image; the token has none.
      const token = request.params.token.replace(/\.gif$/i, "");
      const hit = await record(request, token, "o");
      if (!hit) return noStore(reply).code(404).type("text/plain; charset=utf-8").send("Not found");
      return noStore(reply).code(200).type("image/gif").send(PIXEL_GIF);
    },
  );

  app.get(
    "/t/c/:token",
    {
      config: { public: true },
      schema: {
        tags: ["tracking"],
        summary: "Tracked link: 302 to the URL recorded for this message and link at send time, else 404",
        security: [],
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const hit = await record(request, request.params.token, "c");
      if (!hit?.url) return noStore(reply).code(404).type("text/plain; charset=utf-8").send("Not found");
      return noStore(reply).redirect(hit.url, 302);
    },
  );

  /**
   * A failure to store the hit must not break the reader's click: the URL was verified before
   * the write, so the error is logged for an operator and the reader still gets where they
   * were going. A token that does not verify is null and never redirects.
   */
  async function record(
    request: FastifyRequest,
    token: string,
    purpose: "o" | "c",
  ): Promise<Pick<TrackingHitResult, "url"> | null> {
    const ownOrigins = [`${request.protocol}://${request.host}`, originOf(app.nudge.publicUrl)].filter(
      (origin): origin is string => origin !== null,
    );
    const hitRequest = {
      method: request.method,
      userAgent: request.headers["user-agent"] ?? null,
      ip: request.ip ?? null,
      referer: request.headers.referer ?? null,
      ownOrigins,
    };
    try {
      return await recordTrackingHit(app.nudge.engine, app.nudge.clock, token, purpose, hitRequest);
    } catch (error) {
      request.log.error({ err: error, purpose }, "tracking hit could not be stored");
      const target = await resolveTrackingToken(app.nudge.engine.db, token, purpose);
      if (!target) throw error;
      return target.link ? { url: target.link.url } : {};
    }
  }
};

function noStore(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-store, private")
    .header("referrer-policy", "no-referrer")
    .header("x-robots-tag", "noindex, nofollow");
}
