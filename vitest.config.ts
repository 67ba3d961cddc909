import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/global-setup.ts"],
    // In CI the verbose reporter lists every test, so the log shows each suite ran on both engines.
    reporters: process.env.CI ? ["verbose"] : ["default"],
  },
});
