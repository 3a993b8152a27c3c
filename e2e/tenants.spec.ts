import { expect, test } from "./support/fixtures";

test("bulk-enable a flag for three tenants after a confirmation that says what changes", async ({ page }) => {
  await page.goto("/w/piquetickets/tenants");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  for (const name of ["Apache Junction Jam", "Arizona Comedy", "Avondale Art Rock"]) await page.getByLabel(`Select ${name}`).check();
  const toolbar = page.getByRole("toolbar", { name: "Bulk actions" });
  await expect(toolbar).toContainText("3 selected");
  await toolbar.getByLabel("Flag for the bulk action").selectOption("additional_services_enabled");
  await toolbar.getByRole("button", { name: "Enable for selected" }).click();

  const dialog = page.getByRole("dialog", { name: "Confirm the bulk change" });
  await expect(dialog).toContainText("Enable Additional Services for the selected tenants in production changes 3 overrides for 3 tenants");
  await expect(dialog.getByRole("table", { name: "Changes" }).getByRole("row")).toHaveCount(4);
  await dialog.getByRole("button", { name: "Apply to 3 tenants" }).click();
  await expect(page.getByText("3 overrides changed")).toBeVisible();

  await page.getByLabel("Show flag").selectOption("additional_services_enabled");
  await page.getByLabel("Flag state filter").selectOption("on");
  const table = page.getByRole("table", { name: "Tenants" });
  for (const name of ["Apache Junction Jam", "Arizona Comedy", "Avondale Art Rock"]) await expect(table.getByRole("link", { name: new RegExp(name) })).toBeVisible();
  await expect(table.getByRole("link", { name: /Bisbee Blues Fest/ })).toHaveCount(0);
});

test("a tenant's page shows its modules and every flag's value with the reason", async ({ page }) => {
  await page.goto("/w/finance-suite/tenants/acme-holiday-homes");
  await expect(page.getByRole("heading", { name: "Acme Holiday Homes" })).toBeVisible();
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  const row = page.getByRole("row", { name: /AI Invoice Extraction/ });
  await expect(row).toContainText("off");
  await expect(row).toContainText("TENANT_OVERRIDE");
  await expect(page.getByRole("switch", { name: "Short-term rental for Acme Holiday Homes" })).toBeChecked();
});
