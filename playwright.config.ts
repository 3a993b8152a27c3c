import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests in real Chromium (Debian's, at /usr/bin/chromium; never `playwright install`).
 * Each spec starts the servers it needs on free ports and seeds its own data.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? "line" : "list",
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] },
    trace: "retain-on-failure",
  },
});
