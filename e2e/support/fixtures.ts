import { test as base, expect, request, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";
import { USERS, type RoleName } from "./users";
import { baseURL } from "./run";

/** Browser noise that is not an application error: failed requests the page shows as refusals. */
const IGNORED_CONSOLE = [/Failed to load resource/];

function watchConsole(page: Page, errors: string[]) {
  page.on("console", (message) => {
    if (message.type() === "error" && !IGNORED_CONSOLE.some((re) => re.test(message.text()))) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
}

type StorageState = Exclude<BrowserContextOptions["storageState"], string | undefined>;

/**
 * Signs in as `role` through the API and returns the cookies of that new session. Every test
 * gets a session of its own: refresh tokens rotate on use, and a reused one ends its session, so
 * a test that stops half-way (a timeout) never leaves the next one signed out.
 */
export async function signIn(role: RoleName): Promise<StorageState> {
  const api = await request.newContext({ baseURL: baseURL() });
  try {
    const res = await api.post("/v1/auth/login", { data: USERS[role] });
    if (!res.ok()) throw new Error(`signing in as ${role} failed: ${res.status()} ${await res.text()}`);
    return await api.storageState();
  } finally {
    await api.dispose();
  }
}

/** Opens a browser context signed in as `role`, in a session of its own. */
export async function openAs(browser: Browser, role: RoleName): Promise<{ context: BrowserContext; page: Page; close(): Promise<void>; consoleErrors: string[] }> {
  const context = await browser.newContext({ storageState: await signIn(role), baseURL: baseURL(), viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  watchConsole(page, consoleErrors);
  return {
    context,
    page,
    consoleErrors,
    async close() {
      await context.close();
    },
  };
}

export const test = base.extend<{ role: RoleName; consoleErrors: string[] }>({
  role: ["owner", { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object.
  baseURL: async ({}, use) => use(baseURL()),
  storageState: async ({ role }, use) => use(await signIn(role)),
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
