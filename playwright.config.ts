import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";

/**
 * Debian's Chromium: its headless shell (package chromium-headless-shell) where installed, the
 * lighter browser Playwright itself runs headless tests in, else the full browser (package
 * chromium). E2E_CHROMIUM names another binary.
 */
const CHROMIUM = process.env.E2E_CHROMIUM ?? ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].find((path) => existsSync(path)) ?? "/usr/bin/chromium";

/**
 * End-to-end tests against the real API, PostgreSQL and Redis: `e2e/support/global-setup.ts`
 * builds the admin app and the portal demo (once each; E2E_SKIP_BUILD=1 reuses the last builds),
 * starts one API per worker on a free port, each with a database of its own, and checks that
 * every role signs in.
 * Specs that need other servers (the portal demo) start them on free ports themselves.
 * Browser: Debian's Chromium, never a downloaded one.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/support/global-setup.ts",
  globalTeardown: "./e2e/support/global-teardown.ts",
  // Two workers, one per core, each with an API and a demo database of its own (global setup);
  // a worker runs its files one after another. E2E_WORKERS=1 runs everything in one.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  // Waits for the page are deadlines against a hang (the machine may be loaded), not speed checks.
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
    // Recording a trace costs every test CPU time: in CI (one retry) only the retry of a failed
    // test records one; locally every test records and failures keep theirs.
    trace: process.env.CI ? "on-first-retry" : "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "e2e", testIgnore: [/screenshots\.spec\.ts/, /portal-.*\.spec\.ts/, /nojs\.spec\.ts/] },
    // The basic HTML pages, in a browser with JavaScript switched off.
    { name: "nojs", testMatch: /nojs\.spec\.ts/, use: { javaScriptEnabled: false } },
    // The producer portal demo's specs start their own API and portal servers.
    { name: "portal", testMatch: /portal-.*\.spec\.ts/ },
    { name: "screenshots", testMatch: /screenshots\.spec\.ts/ },
  ],
});
