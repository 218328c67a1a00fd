// Playwright drives the real gloss binary (bin/gloss, built by `make build`)
// in Debian's Chromium. e2e/global-setup.ts starts it on a fresh data dir and
// records the one-time setup link it prints; nothing is seeded behind its back.
import { defineConfig } from "@playwright/test";

export const port = Number(process.env.GLOSS_E2E_PORT ?? 18765);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? "list" : "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
