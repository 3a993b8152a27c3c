import { expect, test } from "./support/fixtures";

test("/ focuses the search box, Ctrl+K jumps to a flag or a page, ? lists the shortcuts", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  const search = page.getByLabel("Search flags");
  await expect(page.getByRole("link", { name: /Additional Services/ })).toBeVisible();

  await page.locator("body").press("/");
  await expect(search).toBeFocused();
  await page.keyboard.type("knowledge");
  await expect(search).toHaveValue("knowledge");
  await expect(page.getByRole("link", { name: /Knowledge Base/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Additional Services/ })).toHaveCount(0);
  await search.blur();

  await page.keyboard.press("Control+k");
  const palette = page.getByRole("combobox", { name: "Command palette" });
  await expect(palette).toBeFocused();
  await page.keyboard.type("Additional Services");
  const flag = page.getByRole("option", { name: /Additional Services/ });
  await expect(flag).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/w\/piquetickets\/flags\/additional_services_enabled$/);
  await expect(page.getByRole("heading", { name: /Additional Services/ })).toBeVisible();

  await page.keyboard.press("Control+k");
  await expect(page.getByRole("combobox", { name: "Command palette" })).toBeFocused();
  await page.keyboard.type("Tenants");
  await expect(page.getByRole("option", { name: "Tenants", exact: true })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/w\/piquetickets\/tenants$/);
  await expect(page.getByRole("combobox", { name: "Command palette" })).toHaveCount(0);

  await page.locator("body").press("?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toContainText("Focus the search box of the page");
  await expect(help).toContainText("Open the command palette");
  await page.keyboard.press("Escape");
  await expect(help).toHaveCount(0);
});

test("the palette's Create flag opens the flags page's create dialog", async ({ page }) => {
  await page.goto("/w/piquetickets/tenants");
  await expect(page.getByLabel("Search tenants")).toBeVisible();
  await page.keyboard.press("Control+k");
  await expect(page.getByRole("combobox", { name: "Command palette" })).toBeFocused();
  await page.keyboard.type("Create flag");
  await expect(page.getByRole("option", { name: "Create flag" })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/w\/piquetickets\/flags$/);
  await expect(page.getByRole("dialog", { name: "Create a flag" })).toBeVisible();
});

test("the palette opens a tenant, and a segment in the segments list", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  await expect(page.getByLabel("Search flags")).toBeVisible();
  const palette = page.getByRole("combobox", { name: "Command palette" });

  await page.keyboard.press("Control+k");
  await expect(palette).toBeFocused();
  await page.keyboard.type("Arizona Comedy");
  await expect(page.getByRole("option", { name: /Arizona Comedy/ })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/w\/piquetickets\/tenants\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Arizona Comedy" })).toBeVisible();

  await page.keyboard.press("Control+k");
  await expect(palette).toBeFocused();
  await page.keyboard.type("Beta producers");
  await expect(page.getByRole("option", { name: /Beta producers/ })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/w\/piquetickets\/segments$/);
  await expect(page.getByLabel("Search segments")).toHaveValue("beta-producers");
  const rows = page.getByRole("table", { name: "Segments" }).getByRole("row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("Beta producers");
});
