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

test("the flag filters fit one row from 1280 px, and no page scrolls sideways at 1024, 1280 or 1920 px", async ({ page }) => {
  // Fifteen page loads: a deadline against a hang on a loaded machine.
  test.setTimeout(240_000);
  for (const width of [1024, 1280, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto("/w/piquetickets/flags");
    await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
    const controls = [
      page.getByRole("searchbox", { name: "Search flags" }),
      page.getByLabel("Status filter"),
      page.getByLabel("Module filter"),
      page.getByLabel("Tag filter"),
      page.getByRole("button", { name: /^More filters/ }),
    ];
    // With a filter in use, Clear joins the row, which must still fit.
    await page.getByLabel("Status filter").selectOption("on");
    await expect(page.getByRole("button", { name: "Clear" })).toBeVisible();
    controls.push(page.getByRole("button", { name: "Clear" }));
    const middles = await Promise.all(controls.map(async (control) => {
      const box = (await control.boundingBox())!;
      return box.y + box.height / 2;
    }));
    if (width >= 1280) expect(Math.max(...middles) - Math.min(...middles), `filter rows at ${width} px`).toBeLessThan(8);
    for (const path of ["flags", "tenants", "overview", "audit"]) {
      await page.goto(`/w/piquetickets/${path}`);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${path} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
});
