import { expect, test, type Browser, type Page } from "@playwright/test";
import type { FastifyInstance } from "fastify";
import { buildPortalServer } from "../apps/portal-demo/server/app";
import { loadPortalConfig } from "../apps/portal-demo/server/config";
import { CLIENT_KEY, CONTEXT_SECRET, SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../packages/sdk/test/fake-ensign";
import { portalSnapshot, setTenantFeature } from "../packages/sdk/test/snapshots";

/**
 * The producer portal in Chromium against a stand-in of Ensign's evaluation endpoints that
 * speaks their contract (`/v1/flags` with ETag and context tokens, `/v1/stream` SSE): a flag
 * switched for Arizona Comedy shows in its open portal without a reload, while
 * another producer's portal does not change; switching it off removes it again. The browser
 * path is the real one: EventSource, CORS, the signed context token, the requireFeature guard.
 */
let ensign: FakeEnsign;
let portal: FastifyInstance;
let portalUrl: string;

test.beforeAll(async () => {
  ensign = await startFakeEnsign(portalSnapshot());
  const config = loadPortalConfig({ ENSIGN_URL: ensign.url, ENSIGN_CLIENT_KEY: CLIENT_KEY, ENSIGN_SERVER_KEY: SERVER_KEY, ENSIGN_CONTEXT_SECRET: CONTEXT_SECRET, PORT: "0" });
  portal = await buildPortalServer(config, { logger: false });
  portalUrl = await portal.listen({ port: 0, host: "127.0.0.1" });
});

test.afterAll(async () => {
  await portal?.close();
  await ensign?.close();
});

async function signedInAs(browser: Browser, producer: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(portalUrl);
  await page.getByRole("button", { name: `Sign in as ${producer}` }).click();
  await expect(page.getByTestId("producer-name")).toHaveText(producer);
  await expect(page.getByRole("link", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("Loading your features…")).toHaveCount(0);
  return page;
}

const aiAssistant = (page: Page) => page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "AI Assistant" });

test("a flag switched for one producer shows in its open portal without a reload, and only there", async ({ browser }) => {
  const arizona = await signedInAs(browser, "Arizona Comedy");
  const desert = await signedInAs(browser, "Desert Laughs");
  await expect(aiAssistant(arizona)).toHaveCount(0);
  await expect(desert.getByRole("link", { name: "Knowledge Base" })).toBeVisible();
  await expect(aiAssistant(desert)).toHaveCount(0);
  // Both pages hold their change streams open before anything changes.
  await expect.poll(() => ensign.streams, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

  const navigations: string[] = [];
  arizona.on("framenavigated", (frame) => frame === arizona.mainFrame() && navigations.push(frame.url()));
  const switchedAt = Date.now();
  ensign.publish((snapshot) => setTenantFeature(snapshot, "ai_agents_enabled", "arizona-comedy", true));
  // A generous deadline against a hang; how fast changes arrive is `pnpm bench:stream`'s.
  await expect(aiAssistant(arizona)).toBeVisible({ timeout: 10_000 });
  const shownAfterMs = Date.now() - switchedAt;
  expect(navigations).toEqual([]);
  await expect(aiAssistant(desert)).toHaveCount(0);

  // The page's API is behind requireFeature on the portal's backend: now it answers.
  await aiAssistant(arizona).click();
  await expect(arizona.getByRole("list", { name: "Suggestions" })).toBeVisible();

  ensign.publish((snapshot) => setTenantFeature(snapshot, "ai_agents_enabled", "arizona-comedy", false));
  await expect(aiAssistant(arizona)).toHaveCount(0, { timeout: 10_000 });
  await expect(arizona.getByText("AI Assistant is not available for your account.")).toBeVisible();
  test.info().annotations.push({ type: "shown after", description: `${shownAfterMs} ms` });
});

test("the AI Assistant API refuses a producer without the feature with 403 FEATURE_DISABLED", async ({ browser }) => {
  const desert = await signedInAs(browser, "Desert Laughs");
  const response = await desert.request.get(`${portalUrl}/api/ai-assistant/suggestions`);
  expect(response.status()).toBe(403);
  expect((await response.json()).error.code).toBe("FEATURE_DISABLED");
  await desert.goto(`${portalUrl}/dashboard/ai-assistant`);
  await expect(desert.getByText("AI Assistant is not available for your account.")).toBeVisible();
});
