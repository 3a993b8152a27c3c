import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

const WS = "/v1/workspaces/finance-suite";
const FLAG = "campaign_creation";

test("an admin defines a platform layer, overrides a flag for one platform, and reorders the layers", async ({ page }) => {
  const api = await apiAs("owner");
  // A leftover of an interrupted run would make the names clash.
  const leftover = await api.get(`${WS}/override-layers/platform`);
  if (leftover.ok()) await api.delete(`${WS}/override-layers/platform`, { headers: { "if-match": `"${((await leftover.json()) as { version: number }).version}"` } });
  if ((await api.get(`${WS}/flags/${FLAG}`)).status() === 404) {
    expect((await api.post(`${WS}/flags`, { data: { key: FLAG, name: "Campaign creation", initialState: { enabled: true } } })).ok()).toBe(true);
  }

  try {
    // Define the dimension: seed 002's platforms.
    await page.goto("/w/finance-suite/override-layers");
    await page.getByRole("button", { name: "New layer" }).click();
    const dialog = page.getByRole("dialog", { name: "New override layer" });
    await dialog.getByLabel("Key").fill("platform");
    await dialog.getByLabel("Name").fill("Platform");
    await dialog.getByLabel("Known values").fill("meta, google, tiktok, linkedin, twitter, snapchat");
    await dialog.getByRole("button", { name: "Create layer" }).click();
    await expect(page.getByText("Layer platform created")).toBeVisible();
    const row = page.getByRole("table", { name: "Override layers" }).getByRole("row", { name: /Platform/ });
    await expect(row).toContainText("tiktok");
    // Seed 002's cascade is the default order: user > platform > tenant (org) > rules > default.
    const order = page.getByRole("list", { name: "Override order" });
    await expect(order.getByRole("listitem").nth(1)).toContainText("Platform override");
    await expect(order.getByRole("listitem").nth(2)).toContainText("Tenant");

    // A tab for the layer on the flag page: tiktok → on, in production.
    await page.goto(`/w/finance-suite/flags/${FLAG}`);
    await page.getByRole("tab", { name: "Production" }).click();
    await page.getByRole("tab", { name: "Platform overrides" }).click();
    const tiktok = page.getByTestId("layer-value-tiktok");
    await expect(tiktok).toContainText("no override");
    await tiktok.getByLabel("Variant for tiktok").selectOption("on");
    await tiktok.getByRole("button", { name: "Override" }).click();
    await expect(page.getByText("Platform tiktok: serves on")).toBeVisible();
    await expect(tiktok).not.toContainText("no override");
    await expect(tiktok).toContainText("permanent");

    // The live tester names the layer that decided.
    await page.goto("/w/finance-suite/evaluate");
    const live = await api.post(`${WS}/environments/production/evaluate`, { data: { flag: FLAG, context: { targetingKey: "someone", platform: "tiktok" } } });
    expect(((await live.json()) as { results: { value: unknown; detail: string }[] }).results[0]).toMatchObject({ value: true, detail: "LAYER_OVERRIDE:platform" });

    // Put the tenant ahead of the platform, and save.
    await page.goto("/w/finance-suite/override-layers");
    await page.getByRole("button", { name: "Move Platform override down" }).click();
    await page.getByRole("button", { name: "Save order" }).click();
    await expect(page.getByText("Override order saved")).toBeVisible();
    const saved = (await (await api.get(`${WS}/override-order`)).json()) as { order: string[]; isDefaultOrder: boolean };
    expect(saved).toEqual({ order: ["user", "tenant", "platform", "rules"], isDefaultOrder: false });

    // Deleting the layer takes its overrides with it.
    await page.getByRole("button", { name: "Delete Platform" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete layer" }).click();
    await expect(page.getByText("Layer deleted")).toBeVisible();
    await expect(page.getByText("No override layers yet")).toBeVisible();
    expect((await api.get(`${WS}/flags/${FLAG}/environments/production/layer-overrides/platform`)).status()).toBe(404);
  } finally {
    const left = await api.get(`${WS}/override-layers/platform`);
    if (left.ok()) await api.delete(`${WS}/override-layers/platform`, { headers: { "if-match": `"${((await left.json()) as { version: number }).version}"` } });
    await api.dispose();
  }
});
