import type { APIRequestContext } from "@playwright/test";
import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

const SWITCH = "/v1/workspaces/piquetickets/environments/development/master-switch";
let owner: APIRequestContext;

test.beforeAll(async () => {
  owner = await apiAs("owner");
});
// Whatever happened, the other specs find development's flags answering as seeded.
test.afterAll(async () => {
  await owner.put(SWITCH, { data: { enabled: false } });
  await owner.dispose();
});

test("an owner turns every flag in development off with the master switch, sees the banner on every page of it, and lifts it", async ({ page, request }) => {
  const created = await owner.post("/v1/workspaces/piquetickets/environments/development/api-keys", { data: { name: "e2e master switch", kind: "server" } });
  const { secret } = (await created.json()) as { secret: string };
  const details = async () => {
    const res = await request.post("/ofrep/v1/evaluate/flags", { headers: { "x-api-key": secret }, data: { context: { targetingKey: "e2e-user" } } });
    const { flags } = (await res.json()) as { flags: { metadata?: { detail?: string } }[] };
    return [...new Set(flags.map((f) => f.metadata?.detail))];
  };
  expect(await details()).not.toContain("MASTER_SWITCH");

  await page.goto("/w/piquetickets/environments");
  await page.getByLabel("Environment", { exact: true }).selectOption("development");
  await expect(page.getByTestId("master-switch-banner")).toHaveCount(0);
  await page.getByRole("button", { name: "Turn on the master switch of Development" }).click();
  const dialog = page.getByRole("dialog", { name: "Turn off every flag in Development?" });
  await expect(dialog).toContainText("serves its off variant, for every user and tenant");
  const confirm = dialog.getByRole("button", { name: "Turn on master switch" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Reason/).fill("e2e drill");
  await dialog.getByLabel(/to confirm/).fill("development");
  await confirm.click();

  const banner = page.getByTestId("master-switch-banner");
  await expect(banner).toContainText("Master switch on in Development: every flag serves its off variant.");
  await expect(banner).toContainText("Reason: e2e drill");
  await expect.poll(details).toEqual(["MASTER_SWITCH"]);

  // Every page of the environment says so; another environment does not.
  await page.goto("/w/piquetickets/flags");
  await expect(banner).toBeVisible();
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await expect(banner).toHaveCount(0);
  await page.getByLabel("Environment", { exact: true }).selectOption("development");
  await expect(banner).toBeVisible();

  await banner.getByRole("link", { name: "Lift it on the Environments page" }).click();
  await page.getByRole("button", { name: "Lift master switch" }).click();
  await page.getByRole("dialog", { name: "Lift the master switch of Development?" }).getByRole("button", { name: "Lift master switch" }).click();
  await expect(banner).toHaveCount(0);
  await expect.poll(details).not.toContain("MASTER_SWITCH");

  const audit = await owner.get("/v1/workspaces/piquetickets/audit?environment=development&action=environment.master_switch*");
  expect(audit.ok()).toBe(true);
  const actions = ((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(["environment.master_switch_on", "environment.master_switch_off"]));
});
