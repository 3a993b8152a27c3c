import type { APIRequestContext } from "@playwright/test";
import { apiAs, stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";

const WS = "/v1/workspaces/finance-suite";
const SWITCH = `${WS}/environments/staging/master-switch`;
let owner: APIRequestContext;

test.beforeAll(async () => {
  owner = await apiAs("owner");
  // 409: made by an earlier attempt of this spec in the same run.
  if ((await owner.post(`${WS}/flags`, { data: { key: "ov_launch", name: "Overview Launch" } })).status() === 409) return;
  const schedules = `${WS}/flags/ov_launch/environments/production/schedules`;
  expect((await owner.post(schedules, { data: { runAt: new Date(Date.now() + 3 * 3_600_000).toISOString(), action: { type: "enable" } } })).status()).toBe(201);
});
test.afterAll(async () => {
  await owner.put(SWITCH, { data: { enabled: false } });
  // Off again, so another attempt counts from the same start.
  await owner.patch(`${WS}/flags/ov_launch/environments/production`, { headers: { "if-match": `"${await stateVersion(owner, "finance-suite", "ov_launch", "production")}"` }, data: { enabled: false } });
  await owner.dispose();
});

test("the overview shows each environment's flags by status and master switch, the last day's changes, upcoming schedules and usage", async ({ page }) => {
  const overview = (await (await owner.get(`${WS}/overview?env=production`)).json()) as { environments: { key: string; flags: { on: number; off: number; partial: number } }[] };
  const production = overview.environments.find((e) => e.key === "production")!;

  await page.goto("/w/finance-suite/overview");
  await expect(page.getByRole("heading", { name: "Overview", exact: true })).toBeVisible();
  const card = page.getByTestId("overview-env-production");
  await expect(card).toContainText("Master switch off");
  await expect(card.getByRole("img")).toHaveAttribute("aria-label", `${production.flags.on} on, ${production.flags.partial} partial, ${production.flags.off} off`);
  await expect(page.locator("section", { has: page.getByRole("heading", { name: /Changes in the last 24 hours/ }) })).toContainText("flag.created");
  const upcoming = page.locator("section", { has: page.getByRole("heading", { name: "Upcoming schedules" }) });
  await expect(upcoming.getByRole("link", { name: "Overview Launch" })).toBeVisible();
  await expect(upcoming).toContainText("enable in production");
  await expect(page.getByRole("heading", { name: "Least evaluated" })).toBeVisible();

  // Turning a flag on moves it between the counts at once; the master switch shows when on.
  await owner.patch(`${WS}/flags/ov_launch/environments/production`, { headers: { "if-match": `"${await stateVersion(owner, "finance-suite", "ov_launch", "production")}"` }, data: { enabled: true, fallthrough: { variant: "on" } } });
  await owner.put(SWITCH, { data: { enabled: true, reason: "overview drill" } });
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(card.getByRole("img")).toHaveAttribute("aria-label", `${production.flags.on + 1} on, ${production.flags.partial} partial, ${production.flags.off - 1} off`);
  await expect(page.getByTestId("overview-env-staging")).toContainText("Master switch on");
  await expect(page.getByTestId("overview-env-staging")).toContainText("overview drill");
});

test("the overview is the landing page of a workspace", async ({ page }) => {
  await page.goto("/w/finance-suite");
  await expect(page).toHaveURL(/\/w\/finance-suite\/overview$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
});
