import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, openAs, test } from "./support/fixtures";
import { baseURL } from "./support/run";

/** Every page of the admin, with what shows once it has loaded. */
const PAGES: [path: string, ready: (page: Page) => ReturnType<Page["getByRole"]>][] = [
  ["/w/piquetickets/overview", (p) => p.getByRole("heading", { name: "Overview", exact: true })],
  ["/w/piquetickets/flags", (p) => p.getByRole("table", { name: "Feature flags" })],
  ["/w/piquetickets/flags/knowledge_base_enabled", (p) => p.getByRole("tab", { name: "Targeting" })],
  ["/w/piquetickets/tenants", (p) => p.getByRole("table", { name: "Tenants" })],
  ["/w/piquetickets/tenants/tucson-theatre-works", (p) => p.getByRole("heading", { name: /Tucson Theatre Works/ })],
  ["/w/piquetickets/user-overrides", (p) => p.getByRole("heading", { name: "User overrides", exact: true })],
  ["/w/piquetickets/identities", (p) => p.getByRole("heading", { name: "Identities", exact: true })],
  ["/w/piquetickets/segments", (p) => p.getByRole("heading", { name: "Segments", exact: true })],
  ["/w/finance-suite/modules", (p) => p.getByRole("heading", { name: "Modules", exact: true })],
  ["/w/piquetickets/evaluate", (p) => p.getByRole("button", { name: "Evaluate" })],
  ["/w/piquetickets/audit", (p) => p.getByRole("heading", { name: "Audit log", exact: true })],
  ["/w/piquetickets/environments", (p) => p.getByRole("heading", { name: "Environments", exact: true })],
  ["/w/piquetickets/members", (p) => p.getByRole("heading", { name: "Members", exact: true })],
  ["/w/piquetickets/api-keys", (p) => p.getByRole("heading", { name: "API keys", exact: true })],
  ["/w/piquetickets/service-tokens", (p) => p.getByRole("heading", { name: "Service tokens", exact: true })],
  ["/w/piquetickets/account/tokens", (p) => p.getByRole("heading", { name: /tokens/i }).first()],
];

const THEMES = ["light", "dark", "contrast"] as const;
type ThemeName = (typeof THEMES)[number];

/**
 * The themes change colours only: the light theme runs every WCAG 2.1 A/AA rule, the others the
 * rules that depend on colour.
 */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];

async function seriousViolations(page: Page, theme: ThemeName) {
  const axe = new AxeBuilder({ page });
  const results = await (theme === "light" ? axe.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]) : axe.withRules(COLOUR_RULES)).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`) }));
}

/**
 * Checks the loaded page in each theme, switched in place as the theme menu does (the
 * `data-theme` attribute), with transitions off so colours are final when axe reads them.
 */
async function checkThemes(page: Page, path: string, found: Record<string, unknown>) {
  await page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; }" });
  for (const theme of THEMES) {
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    const violations = await seriousViolations(page, theme);
    if (violations.length > 0) found[`${path} (${theme})`] = violations;
  }
}

test.describe("axe, in the light, dark and high-contrast themes", () => {
  // One test per page: each has its own deadline, and a failure names the page.
  for (const [path, ready] of PAGES) {
    test(`${path} has no serious or critical violations`, async ({ page }) => {
      test.setTimeout(120_000);
      const found: Record<string, unknown> = {};
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      // The page's own animations (skeletons fading out) have finished.
      await expect(page.locator(".animate-pulse")).toHaveCount(0);
      await checkThemes(page, path, found);
      expect(found).toEqual({});
    });
  }

  test("the sign-in page and the tenant admin's pages have none either", async ({ browser }) => {
    test.setTimeout(120_000);
    const found: Record<string, unknown> = {};
    const signedOut = await browser.newContext({ baseURL: baseURL(), storageState: { cookies: [], origins: [] } });
    const login = await signedOut.newPage();
    await login.goto("/login");
    await expect(login.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
    await checkThemes(login, "/login", found);
    await signedOut.close();

    const tenantAdmin = await openAs(browser, "tenantAdmin");
    for (const [path, heading] of [["/w/finance-suite/tenant/features", "Features"], ["/w/finance-suite/tenant/audit", "Audit log"]] as const) {
      await tenantAdmin.page.goto(path);
      await expect(tenantAdmin.page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
      await checkThemes(tenantAdmin.page, path, found);
    }
    await tenantAdmin.close();
    expect(found).toEqual({});
  });
});

const WIDTHS = [1024, 1280, 1920];

test.describe("layouts hold at 1024, 1280 and 1920 px", () => {
  // Each page loads once and is resized: the layout follows the viewport without a reload.
  for (const [path, ready] of PAGES) {
    test(`nothing on ${path} overflows the page`, async ({ page }) => {
      await page.setViewportSize({ width: WIDTHS[0]!, height: 800 });
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect({ width, path, overflow }).toEqual({ width, path, overflow: 0 });
      }
    });
  }
});

test("the lists' columns fit at 1024, 1280 and 1920 px", async ({ page }) => {
  for (const [path, table] of [["/w/piquetickets/flags", "Feature flags"], ["/w/piquetickets/tenants", "Tenants"]] as const) {
    await page.goto(path);
    const region = page.getByRole("region", { name: `${table}, scrollable` });
    await expect(region).toBeVisible();
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      // The table's columns re-measure on resize; the region settles on the new width.
      await expect.poll(() => region.evaluate((el) => el.scrollWidth - el.clientWidth), { message: `${path} at ${width} px` }).toBe(0);
    }
  }
});
