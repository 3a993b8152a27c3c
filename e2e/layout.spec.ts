import { expect, test } from "./support/fixtures";

test("the sidebar collapses to icons below 1280 px and opens on demand; from 1280 px it is always open", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto("/w/piquetickets/flags");
  const nav = page.getByRole("navigation", { name: "Main" });
  const tenants = nav.getByRole("link", { name: "Tenants" });
  await expect(tenants).toBeVisible();
  await expect(nav.getByText("Tenants", { exact: true })).not.toBeInViewport();
  const expand = page.getByRole("button", { name: "Expand the sidebar" });
  await expand.click();
  await expect(nav.getByText("Tenants", { exact: true })).toBeInViewport();
  await expect(page.getByRole("button", { name: "Collapse the sidebar" })).toHaveAttribute("aria-expanded", "true");
  await page.getByRole("button", { name: "Collapse the sidebar" }).click();
  await tenants.click();
  await expect(page).toHaveURL(/\/w\/piquetickets\/tenants$/);

  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByRole("button", { name: "Expand the sidebar" })).toBeHidden();
  await expect(nav.getByText("Tenants", { exact: true })).toBeInViewport();
});
