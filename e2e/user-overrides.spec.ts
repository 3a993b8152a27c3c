import type { APIRequestContext, Page } from "@playwright/test";
import { apiAs } from "./support/api";
import { runSql } from "./support/database";
import { expect, test } from "./support/fixtures";

const WS = "/v1/workspaces/piquetickets";
let owner: APIRequestContext;

test.beforeAll(async () => {
  owner = await apiAs("owner");
  // 409: made by an earlier attempt of this spec in the same run.
  if ((await owner.post(`${WS}/flags`, { data: { key: "uo_checkout", name: "UO Checkout" } })).status() === 409) return;
  expect((await owner.post(`${WS}/flags`, { data: { key: "uo_search", name: "UO Search" } })).status()).toBe(201);
  const put = (flag: string, user: string, data: object) => owner.put(`${WS}/flags/${flag}/environments/staging/user-overrides/${user}`, { data });
  expect((await put("uo_checkout", "uo-alice", { variant: "on", expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })).status()).toBe(201);
  expect((await put("uo_search", "uo-alice", { variant: "off" })).status()).toBe(201);
  expect((await put("uo_search", "uo-bob", { variant: "on" })).status()).toBe(201);
});
test.afterAll(() => owner.dispose());

test("lists every flag's user overrides in the environment, searches by user key, shows expiry and clears one", async ({ page }) => {
  await page.goto("/w/piquetickets/user-overrides");
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await expect(page.getByRole("heading", { name: "User overrides", exact: true })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search by user key" }).fill("uo-");
  const table = page.getByRole("table", { name: "User overrides" });
  await expect(table).toHaveAttribute("aria-rowcount", "4");
  const alice = table.getByRole("row", { name: /uo-alice.*UO Checkout/ });
  await expect(alice).toContainText(/\d{4}|\d{1,2}:\d{2}/);
  await expect(table.getByRole("row", { name: /uo-alice.*UO Search/ })).toContainText("permanent");

  await page.getByRole("searchbox", { name: "Search by user key" }).fill("UO-BOB");
  await expect(table).toHaveAttribute("aria-rowcount", "2");
  await table.getByRole("button", { name: "Clear uo-bob's override of UO Search" }).click();
  await page.getByRole("dialog", { name: "Clear uo-bob's override?" }).getByRole("button", { name: "Clear override" }).click();
  await expect(page.getByText("No user overrides match")).toBeVisible();
  expect((await owner.get(`${WS}/flags/uo_search/environments/staging/user-overrides/uo-bob`)).status()).toBe(404);
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
});

test("10,000 user overrides scroll in a virtual table that renders only the rows in view", async ({ page }) => {
  test.setTimeout(120_000);
  expect([201, 409]).toContain((await owner.post(`${WS}/flags`, { data: { key: "uo_many", name: "UO Many" } })).status());
  runSql(`
    INSERT INTO user_overrides (id, workspace_id, flag_id, environment_id, user_key, variant, updated_at)
    SELECT gen_random_uuid(), f.workspace_id, f.id, e.id, 'bulk-user-' || lpad(n::text, 5, '0'), 'on', now()
    FROM flags f JOIN environments e ON e.workspace_id = f.workspace_id AND e.key = 'production', generate_series(0, 9999) n
    WHERE f.key = 'uo_many'`);
  // The rows bypass the API, so no snapshot carries them; they go again before other specs run.
  try {
    await scrollThrough(page);
  } finally {
    runSql("DELETE FROM user_overrides WHERE flag_id IN (SELECT id FROM flags WHERE key = 'uo_many')");
  }
});

async function scrollThrough(page: Page) {
  await page.goto("/w/piquetickets/user-overrides");
  await page.getByRole("searchbox", { name: "Search by user key" }).fill("bulk-user-");
  const table = page.getByRole("table", { name: "User overrides" });
  await expect(table).toHaveAttribute("aria-rowcount", "10001");
  await expect(table.getByRole("row", { name: /bulk-user-00000/ })).toBeVisible();
  const rendered = () => table.locator("tbody tr[aria-rowindex]").count();
  expect(await rendered()).toBeLessThan(80);

  // Jump to the end: only the last page loads, and the last row carries its place in the list.
  const region = page.getByRole("region", { name: "User overrides, scrollable" });
  await region.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  const last = table.getByRole("row", { name: /bulk-user-09999/ });
  await expect(last).toBeVisible();
  await expect(last).toHaveAttribute("aria-rowindex", "10001");
  expect(await rendered()).toBeLessThan(80);

  // Scrolling through the middle keeps the DOM small.
  for (const share of [0.25, 0.5, 0.75]) {
    await region.evaluate((el, s) => el.scrollTo(0, el.scrollHeight * s), share);
    await expect(table.locator("tbody tr[aria-rowindex] td.font-mono").first()).toBeVisible();
    expect(await rendered()).toBeLessThan(80);
  }
}
