// The `nudge` command line. Each command lives in commands/; this file only assembles them
// and turns user-fixable errors into one line and a non-zero exit code (bugs keep their stack).

import { Command, CommanderError } from "commander";
import { ConfigError } from "../store/databaseUrl.ts";
import { registerClock } from "./commands/clock.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerEnroll } from "./commands/enroll.ts";
import { registerImport } from "./commands/importContacts.ts";
import { registerInbound } from "./commands/inbound.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerMigrate } from "./commands/migrate.ts";
import { registerSequences } from "./commands/sequences.ts";
import { registerSimulate } from "./commands/simulate.ts";
import { registerStart } from "./commands/start.ts";
import { registerStats } from "./commands/stats.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerWorker } from "./commands/worker.ts";
import { UserError } from "./userError.ts";

const program = new Command()
  .name("nudge")
  .description("Nudge: automated sales follow-up that stops the moment it should.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)");

registerStart(program);
registerWorker(program);
registerMigrate(program);
registerValidate(program);
registerSimulate(program);
registerSequences(program);
registerEnroll(program);
registerImport(program);
registerStats(program);
registerClock(program);
registerKeys(program);
registerInbound(program);
registerDoctor(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof UserError) {
    process.stderr.write(`nudge: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
