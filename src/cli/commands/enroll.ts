// `nudge enroll SEQUENCE --email …`: enrolls contacts by hand (creating them when needed),
// with the same rules as the API, then wakes a running worker.

import type { Command } from "commander";
import { workspaceNow } from "../../engine/clock.ts";
import { enrollContact } from "../../engine/enroll.ts";
import { type ContactInput, upsertContact } from "../../store/repos/contacts.ts";
import { findSequence } from "../../store/repos/sequences.ts";
import { transact } from "../../store/transact.ts";
import { printJson, withCli } from "../support/context.ts";
import { UserError } from "../userError.ts";

function parseContactPairs(pairs: string[]): ContactInput {
  const input: ContactInput = {};
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`--contact expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === "first_name") input.firstName = value;
    else if (key === "last_name") input.lastName = value;
    else if (key === "title") input.title = value;
    else if (key === "phone") input.phone = value;
    else if (key === "time_zone") input.timeZone = value;
    else if (key === "company") input.company = value;
    else if (key === "email") input.email = value;
    else fields[key] = value;
  }
  if (Object.keys(fields).length > 0) input.fields = fields;
  return input;
}

export function registerEnroll(program: Command): void {
  program
    .command("enroll")
    .description("enroll contacts into a sequence (creates contacts by email when needed)")
    .argument("<sequence>", "sequence id or key")
    .option("--email <email...>", "contact email(s)")
    .option("--contact-id <id...>", "existing contact id(s)")
    .option(
      "--contact <key=value...>",
      "fields for a new contact (with one --email): first_name=Ada title=CTO …",
      [],
    )
    .option("--workspace <id>", "workspace id (default: the first)")
    .option("--json", "print JSON")
    .action(
      async (
        sequenceRef: string,
        opts: {
          email?: string[];
          contactId?: string[];
          contact: string[];
          workspace?: string;
          json?: boolean;
        },
      ) => {
        if (!opts.email?.length && !opts.contactId?.length)
          throw new UserError("give --email or --contact-id");
        const extra = parseContactPairs(opts.contact);
        await withCli(opts, async ({ engine, clock, workspace }) => {
          const sequence = await findSequence(engine.db, workspace.id, sequenceRef);
          if (!sequence) throw new UserError(`no sequence ${sequenceRef}`);
          const now = workspaceNow(workspace, clock);
          const results = await transact(engine, async (trx) => {
            const out: Array<{ contact: string; status: string; detail?: string; enrollment_id?: string }> =
              [];
            const ids = [...(opts.contactId ?? [])];
            for (const email of opts.email ?? []) {
              const { contact } = await upsertContact(trx, workspace.id, { ...extra, email }, now);
              ids.push(contact.id);
            }
            for (const id of ids) {
              const r = await enrollContact(trx, workspace, sequence, id, now, { enrolledBy: "cli" });
              out.push(
                r.status === "skipped"
                  ? { contact: id, status: `skipped:${r.reason}`, detail: r.detail }
                  : { contact: id, status: r.status, enrollment_id: r.enrollment.id },
              );
            }
            return out;
          });
          await engine.notify("nudge_outbox");
          await engine.notify("nudge_due");
          if (opts.json) printJson(results);
          else
            for (const r of results) {
              process.stdout.write(
                `${r.contact}: ${r.status}${r.detail ? ` (${r.detail})` : ""}${r.enrollment_id ? ` ${r.enrollment_id}` : ""}\n`,
              );
            }
          if (results.some((r) => r.status.startsWith("skipped"))) process.exitCode = 1;
        });
      },
    );
}
