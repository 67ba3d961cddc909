#!/usr/bin/env node
// The `nudge` command. Runs the TypeScript sources through tsx's loader, so a fresh clone needs
// no build step: `npm install` then `npx nudge …` or `npm start`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
