import type { FastifyInstance } from "fastify";
import { buildPortalServer } from "../apps/portal-demo/server/app";
import { loadPortalConfig } from "../apps/portal-demo/server/config";
import { apiAs } from "./support/api";
import { openAs } from "./support/fixtures";
import { portalNavLink, portalSignedInAs } from "./support/portal";
import { expect, test } from "@playwright/test";
import type { Browser } from "@playwright/test";
import { baseURL, thisWorkersApi } from "./support/run";

/**
 * Seed 000 through the real admin app: an admin switches AI Assistant on for Arizona Comedy on
 * the flag page, and Arizona Comedy's open producer portal shows the item without a reload,
 * while Desert Laughs' does not; clearing the override removes it again.
 */
const FLAG_PAGE = "/w/piquetickets/flags/ai_agents_enabled";

let portal: FastifyInstance | undefined;
let portalUrl: string;

test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  const api = await apiAs("owner");
  const keys = "/v1/workspaces/piquetickets/environments/production/api-keys";
  const created = async (kind: string) => ((await (await api.post(keys, { data: { name: `portal demo (${kind})`, kind } })).json()) as { secret: string }).secret;
  const [clientKey, serverKey] = [await created("client"), await created("server")];
  const secret = await api.get("/v1/workspaces/piquetickets/environments/production/context-secret");
  const contextSecret = ((await secret.json()) as { secret: string }).secret;
  await api.dispose();

  const port = thisWorkersApi().portalPort;
  const config = loadPortalConfig({
    ENSIGN_URL: baseURL(),
    ENSIGN_CLIENT_KEY: clientKey,
    ENSIGN_SERVER_KEY: serverKey,
    ENSIGN_CONTEXT_SECRET: contextSecret,
    PORT: String(port),
  });
  portal = await buildPortalServer(config, { logger: false });
  portalUrl = await portal.listen({ port, host: "127.0.0.1" });
});

test.afterAll(async () => {
  await portal?.close();
});

const portalOf = (browser: Browser, producer: string) => portalSignedInAs(browser, portalUrl, producer);
const navLink = portalNavLink;

test("an admin enables AI Assistant for Arizona Comedy in the admin app: the open portal shows it without a reload, other producers do not", async ({ browser }) => {
  const arizona = await portalOf(browser, "Arizona Comedy");
  const desert = await portalOf(browser, "Desert Laughs");
  await expect(navLink(arizona, "Dashboard")).toBeVisible();
  await expect(navLink(arizona, "AI Assistant")).toHaveCount(0);
  await expect(navLink(desert, "AI Assistant")).toHaveCount(0);
  const navigations: string[] = [];
  arizona.on("framenavigated", (frame) => frame === arizona.mainFrame() && navigations.push(frame.url()));

  const admin = await openAs(browser, "owner");
  const page = admin.page;
  await page.goto(FLAG_PAGE);
  await page.getByRole("tab", { name: "Production" }).click();
  await page.getByRole("tab", { name: "Tenant overrides" }).click();
  await page.getByPlaceholder("search by key or name").fill("arizona-comedy");
  const setOverride = page.getByRole("button", { name: "Set override" });
  await expect(setOverride).toBeEnabled();

  const switchedAt = Date.now();
  await setOverride.click();
  // A generous deadline against a hang; how fast changes arrive is `pnpm bench:stream`'s and `pnpm bench:propagation`'s.
  await expect(navLink(arizona, "AI Assistant")).toBeVisible({ timeout: 10_000 });
  const shownAfterMs = Date.now() - switchedAt;
  expect(navigations).toEqual([]);
  await expect(navLink(desert, "AI Assistant")).toHaveCount(0);
  await expect(page.getByText("Override set for arizona-comedy")).toBeVisible();

  const clearedAt = Date.now();
  await page.getByRole("button", { name: "Clear override of Arizona Comedy" }).click();
  const confirm = page.getByRole("dialog").getByRole("button", { name: /clear/i });
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  await expect(navLink(arizona, "AI Assistant")).toHaveCount(0, { timeout: 10_000 });
  const removedAfterMs = Date.now() - clearedAt;
  expect(navigations).toEqual([]);
  console.log(`admin app → portal: AI Assistant shown ${shownAfterMs} ms after "Set override", removed ${removedAfterMs} ms after clearing`);
  expect(admin.consoleErrors).toEqual([]);
  await admin.close();
});
