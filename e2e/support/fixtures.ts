import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { stateFile, type RoleName } from "./users";

/** Browser noise that is not an application error: failed requests the page shows as refusals. */
const IGNORED_CONSOLE = [/Failed to load resource/];

function watchConsole(page: Page, errors: string[]) {
  page.on("console", (message) => {
    if (message.type() === "error" && !IGNORED_CONSOLE.some((re) => re.test(message.text()))) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
}

/**
 * Opens a browser context signed in as `role`. Refresh tokens rotate on use, so the context's
 * latest cookies are written back when it closes: the next test starts from a valid session
 * without signing in again.
 */
export async function openAs(browser: Browser, role: RoleName): Promise<{ context: BrowserContext; page: Page; close(): Promise<void>; consoleErrors: string[] }> {
  const path = fileURLToPath(stateFile(role));
  const context = await browser.newContext({ storageState: path, baseURL: process.env.E2E_BASE_URL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  watchConsole(page, consoleErrors);
  return {
    context,
    page,
    consoleErrors,
    async close() {
      await context.storageState({ path });
      await context.close();
    },
  };
}

export const test = base.extend<{ role: RoleName; consoleErrors: string[] }>({
  role: ["owner", { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object.
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  storageState: async ({ role }, use) => use(fileURLToPath(stateFile(role))),
  context: async ({ context, role, storageState }, use) => {
    await use(context);
    const path = fileURLToPath(stateFile(role));
    if (storageState === path) await context.storageState({ path });
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      watchConsole(page, errors);
      await use(errors);
      expect(errors, "no console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
