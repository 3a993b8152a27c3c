import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { baseURL } from "./support/run";

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const lightness = (color: string) => {
  // Computed colours come back as oklch(L C H) or rgb(r, g, b).
  const oklch = /oklch\(([\d.]+)/.exec(color);
  if (oklch) return Number(oklch[1]) > 1 ? Number(oklch[1]) / 100 : Number(oklch[1]);
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
};

test("the header's theme menu switches to dark and high contrast, remembers the choice, and System follows the browser", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light", contrast: "no-preference" });
  await page.goto("/w/piquetickets/flags");
  // Start from "System", whatever an earlier spec left in this origin's storage.
  await page.evaluate(() => localStorage.removeItem("ensign:theme"));
  await page.reload();
  await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  expect(lightness(await background(page))).toBeGreaterThan(0.9);

  await page.getByRole("button", { name: "Theme: System" }).click();
  await page.getByRole("menuitem", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(lightness(await background(page))).toBeLessThan(0.3);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Theme: Dark" })).toBeVisible();
  expect(lightness(await background(page))).toBeLessThan(0.3);

  await page.getByRole("button", { name: "Theme: Dark" }).click();
  await page.getByRole("menuitem", { name: "High contrast" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "contrast");
  const muted = await page.getByRole("columnheader", { name: "Type" }).evaluate((el) => getComputedStyle(el).color);
  expect(lightness(muted)).toBeLessThan(0.35);

  // System: no attribute; the browser's preference decides, dark here.
  await page.getByRole("button", { name: "Theme: High contrast" }).click();
  await page.getByRole("menuitem", { name: "System" }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.+/);
  expect(await page.evaluate(() => localStorage.getItem("ensign:theme"))).toBeNull();
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(async () => lightness(await background(page))).toBeLessThan(0.3);
  await page.emulateMedia({ colorScheme: "light", contrast: "more" });
  await expect.poll(async () => lightness(await page.getByRole("columnheader", { name: "Type" }).evaluate((el) => getComputedStyle(el).color))).toBeLessThan(0.35);
});

test("the chosen theme applies on the sign-in page too, before the app loads", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseURL(), storageState: { cookies: [], origins: [] } });
  await context.addInitScript(() => localStorage.setItem("ensign:theme", "dark"));
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
  expect(lightness(await background(page))).toBeLessThan(0.3);
  await context.close();
});
