// `nudge keys create|list|revoke`: API keys. A key is shown once, when it is created.

import type { Command } from "commander";
import {
  type ApiScope,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  scopesOf,
} from "../../store/repos/apiKeys.ts";
import { appendAudit } from "../../store/repos/auditLog.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

const SCOPES: ApiScope[] = ["admin", "rep", "ingest"];

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("API keys (stored hashed; shown once)");
  keys
    .command("create")
    .description("create an API key")
    .option("--name <name>", "what the key is for", "cli")
    .option("--scope <scope...>", `scopes: ${SCOPES.join(", ")}`, ["admin"])
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (opts: { name: string; scope: string[]; workspace?: string; json?: boolean }) => {
      const bad = opts.scope.filter((s) => !SCOPES.includes(s as ApiScope));
      if (bad.length > 0) throw new UserError(`unknown scope ${bad.join(", ")}; use ${SCOPES.join(", ")}`);
      await withCli(opts, async ({ engine, clock, workspace }) => {
        const now = clock.nowUtcMs();
        const { key, row } = await createApiKey(
          engine.db,
          workspace.id,
          { name: opts.name, scopes: opts.scope as ApiScope[] },
          now,
        );
        await appendAudit(
          engine.db,
          {
            workspaceId: workspace.id,
            actor: "cli",
            action: "key.created",
            targetType: "api_key",
            targetId: row.id,
          },
          now,
        );
        if (opts.json) printJson({ id: row.id, name: row.name, scopes: opts.scope, key });
        else
          process.stdout.write(
            `${key}\n(id ${row.id}, scopes ${opts.scope.join(",")}; this is the only time the key is shown)\n`,
          );
      });
    });
  keys
    .command("list")
    .description("list API keys (never the keys themselves)")
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withCli(opts, async ({ engine, workspace }) => {
        const rows = (await listApiKeys(engine.db, workspace.id)).map((r) => ({
          id: r.id,
          name: r.name,
          prefix: r.prefix,
          scopes: scopesOf(r),
          created_at: new Date(r.created_at).toISOString(),
          last_used_at: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
          revoked: r.revoked_at !== null,
        }));
        if (opts.json) printJson(rows);
        else
          for (const r of rows) {
            process.stdout.write(
              `${r.id}  ${r.prefix}…  ${r.name}  [${r.scopes.join(",")}]${r.revoked ? "  revoked" : ""}\n`,
            );
          }
      });
    });
  keys
    .command("revoke")
    .description("revoke an API key by id or prefix")
    .argument("<id>", "key id or prefix")
    .option("--workspace <id>", "workspace id (default: the first)")
    .action(async (id: string, opts: { workspace?: string }) => {
      await withCli(opts, async ({ engine, clock, workspace }) => {
        const now = clock.nowUtcMs();
        if (!(await revokeApiKey(engine.db, workspace.id, id, now))) throw new UserError(`no live key ${id}`);
        await appendAudit(
          engine.db,
          {
            workspaceId: workspace.id,
            actor: "cli",
            action: "key.revoked",
            targetType: "api_key",
            targetId: id,
          },
          now,
        );
        process.stdout.write(`revoked ${id}\n`);
      });
    });
}
