// The web app's static files (built by `npm run build:web` into dist/web, or NUDGE_WEB_DIR):
// hashed assets under /assets/, and index.html for every other GET a browser navigates to that
// is not an API path, so client-side routes such as /sequences/inbound-demo survive a reload.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/web");

export function webDir(): string {
  return process.env.NUDGE_WEB_DIR ? resolve(process.env.NUDGE_WEB_DIR) : DEFAULT_WEB_DIR;
}

export function webAppBuilt(dir = webDir()): boolean {
  return existsSync(join(dir, "index.html"));
}

/** Paths the SPA never answers: the API and the server's own pages. */
const NOT_THE_APP = /^\/(v1|docs|openapi\.json|metrics|healthz|readyz|u|t|assets)(\/|$|\?)/;

/** Serves the built app when there is one; returns the not-found fallback to install. */
export async function registerWebApp(
  app: FastifyInstance,
  notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>> {
  const dir = webDir();
  if (!webAppBuilt(dir)) return notFound;
  await app.register(async (scope) => {
    scope.addHook("onRoute", (route) => {
      route.config = { ...(route.config ?? {}), public: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    await scope.register(fastifyStatic, {
      root: join(dir, "assets"),
      prefix: "/assets/",
      immutable: true,
      maxAge: "365d",
      decorateReply: false,
    });
  });
  return (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const wantsPage = (request.method === "GET" || request.method === "HEAD") && !NOT_THE_APP.test(path);
    if (!wantsPage || path.includes(".")) return notFound(request, reply);
    return readFile(join(dir, "index.html")).then((html) =>
      reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(html),
    );
  };
}
