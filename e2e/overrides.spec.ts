import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

test("an admin locks a tenant override", async ({ page }) => {
  await page.goto("/w/piquetickets/flags/knowledge_base_enabled");
  await page.getByRole("tab", { name: "Production" }).click();
  await page.getByRole("tab", { name: "Tenant overrides" }).click();
  await page.getByPlaceholder("search by key or name").fill("cactus-cabaret");
  await page.getByLabel("Lock (tenant admins cannot change it)").check();
  await page.getByRole("button", { name: "Set override" }).click();
  await expect(page.getByText("Override set for cactus-cabaret")).toBeVisible();
  const lock = page.getByRole("button", { name: "Unlock Cactus Cabaret" });
  await expect(lock).toHaveAttribute("aria-pressed", "true");

  // Lock another one from its row.
  await page.getByRole("button", { name: "Lock Desert Laughs" }).click();
  await expect(page.getByRole("button", { name: "Unlock Desert Laughs" })).toBeVisible();

  const api = await apiAs("owner");
  const res = await api.get("/v1/workspaces/piquetickets/flags/knowledge_base_enabled/environments/production/tenant-overrides?locked=true");
  const keys = ((await res.json()) as { items: { tenant: { key: string } }[] }).items.map((o) => o.tenant.key);
  expect(keys).toEqual(expect.arrayContaining(["cactus-cabaret", "desert-laughs"]));
  await api.dispose();
});
