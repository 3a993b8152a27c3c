import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

const overrideUrl = "/v1/workspaces/piquetickets/flags/additional_services_enabled/environments/production/tenant-overrides/sonoran-symphony";

// Additional Services: the demo flag no other spec switches (the shared demo data changes as specs run).
test("a producer's page switches a feature on for it, locks it, sets an expiry and clears it", async ({ page }) => {
  await page.goto("/w/piquetickets/tenants/sonoran-symphony");
  await expect(page.getByRole("heading", { name: "Sonoran Symphony" })).toBeVisible();
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  const row = page.getByRole("row", { name: /Additional Services/ });
  const toggle = row.getByRole("switch", { name: "Additional Services for Sonoran Symphony" });
  await expect(toggle).not.toBeChecked();
  await expect(row).toContainText("Default");

  // The flag's description is the switch's help text, on hover and on keyboard focus.
  await toggle.hover();
  await expect(page.getByRole("tooltip")).toContainText("Additional services (marketing tools, analytics)");
  await page.mouse.move(0, 0, { steps: 5 });
  await expect(page.getByRole("tooltip")).toHaveCount(0);
  await toggle.focus();
  await expect(page.getByRole("tooltip")).toContainText("Additional services (marketing tools, analytics)");

  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(row.getByText("Override", { exact: true })).toBeVisible();
  await expect(row).toContainText("TENANT_OVERRIDE");

  await row.getByRole("button", { name: "Lock the override of Additional Services" }).click();
  await expect(row.getByText("Locked override", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Unlock the override of Additional Services" })).toHaveAttribute("aria-pressed", "true");

  await row.getByRole("button", { name: "Set an expiry for the override of Additional Services" }).click();
  const expiry = row.getByLabel("Expiry of the override of Additional Services", { exact: true });
  await expiry.fill("2031-03-04T05:06");
  await expiry.blur();
  await expect(page.getByText(/Additional Services: override expires/)).toBeVisible();
  await expect(row.getByLabel("Expiry of the override of Additional Services", { exact: true })).toHaveValue("2031-03-04T05:06");

  const api = await apiAs("owner");
  const stored = (await (await api.get(overrideUrl)).json()) as { variant: string; locked: boolean; expiresAt: string | null };
  expect(stored).toMatchObject({ variant: "on", locked: true });
  expect(stored.expiresAt).not.toBeNull();

  await row.getByRole("button", { name: "Remove the expiry of the override of Additional Services" }).click();
  await expect(page.getByText("Additional Services: override never expires")).toBeVisible();
  await expect(row.getByRole("button", { name: "Set an expiry for the override of Additional Services" })).toBeVisible();
  expect(((await (await api.get(overrideUrl)).json()) as { expiresAt: string | null }).expiresAt).toBeNull();

  await row.getByRole("button", { name: "Clear the override of Additional Services" }).click();
  await expect(toggle).not.toBeChecked();
  await expect(row.getByText("Default", { exact: true })).toBeVisible();
  expect((await api.get(overrideUrl)).status()).toBe(404);
  await api.dispose();
});

test("the flags list shows a flag's description on its switch", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  await page.getByRole("switch", { name: /^Knowledge Base in/ }).focus();
  await expect(page.getByRole("tooltip")).toContainText("Access to knowledge base articles and documentation");
});
