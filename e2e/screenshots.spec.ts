import { fileURLToPath } from "node:url";
import { openAs } from "./support/fixtures";
import { expect, test } from "./support/fixtures";

/**
 * Screenshots of each main page at 1280x800 with the demo data, for the README and for looking
 * at: `pnpm screenshots` writes them to docs/screenshots/.
 */
const shot = (name: string) => fileURLToPath(new URL(`../docs/screenshots/${name}.png`, import.meta.url));

test.describe("screenshots", () => {
  test.describe("signed out", () => {
    test.use({ storageState: { cookies: [], origins: [] } });
    test("sign-in page", async ({ page }) => {
      await page.goto("/login");
      await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
      await page.screenshot({ path: shot("login") });
    });
  });

  test("workspace admin pages", async ({ page }) => {
    await page.goto("/w/piquetickets/overview");
    await expect(page.getByRole("heading", { name: "PiqueTickets" })).toBeVisible();
    await page.screenshot({ path: shot("overview") });

    await page.goto("/w/piquetickets/environments");
    await expect(page.getByRole("table", { name: "Environments" })).toBeVisible();
    await page.screenshot({ path: shot("environments") });
  });

  test("viewer", async ({ browser }) => {
    const viewer = await openAs(browser, "viewer");
    await viewer.page.goto("/w/finance-suite/overview");
    await expect(viewer.page.getByRole("heading", { name: "Finance Suite" })).toBeVisible();
    await viewer.page.screenshot({ path: shot("overview-viewer") });
    await viewer.close();
  });
});
