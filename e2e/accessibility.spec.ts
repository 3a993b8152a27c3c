import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, openAs, test } from "./support/fixtures";

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

async function seriousViolations(page: Page) {
  // The page's own animations (skeletons fading out) have finished by now.
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`) }));
}

for (const theme of THEMES) {
  test.describe(`axe, ${theme} theme`, () => {
    test.beforeEach(async ({ page }) => {
      await page.addInitScript((t) => localStorage.setItem("ensign:theme", t), theme);
    });

    test("every workspace page has no serious or critical violations", async ({ page }) => {
      test.setTimeout(240_000);
      const found: Record<string, unknown> = {};
      for (const [path, ready] of PAGES) {
        await page.goto(path);
        await expect(ready(page)).toBeVisible();
        await expect(page.locator(".animate-pulse")).toHaveCount(0);
        const violations = await seriousViolations(page);
        if (violations.length > 0) found[path] = violations;
      }
      expect(found).toEqual({});
    });

    test("the sign-in page and the tenant admin's pages have none either", async ({ browser }) => {
      test.setTimeout(120_000);
      const found: Record<string, unknown> = {};
      const signedOut = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: { cookies: [], origins: [] } });
      await signedOut.addInitScript((t) => localStorage.setItem("ensign:theme", t), theme);
      const login = await signedOut.newPage();
      await login.goto("/login");
      await expect(login.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
      const onLogin = await seriousViolations(login);
      if (onLogin.length > 0) found["/login"] = onLogin;
      await signedOut.close();

      const tenantAdmin = await openAs(browser, "tenantAdmin");
      await tenantAdmin.context.addInitScript((t) => localStorage.setItem("ensign:theme", t), theme);
      for (const [path, heading] of [["/w/finance-suite/tenant/features", "Features"], ["/w/finance-suite/tenant/audit", "Audit log"]] as const) {
        await tenantAdmin.page.goto(path);
        await expect(tenantAdmin.page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
        const violations = await seriousViolations(tenantAdmin.page);
        if (violations.length > 0) found[path] = violations;
      }
      await tenantAdmin.close();
      expect(found).toEqual({});
    });
  });
}

test("layouts hold at 1024, 1280 and 1920 px: nothing overflows the page, and the lists' columns fit", async ({ page }) => {
  test.setTimeout(120_000);
  for (const width of [1024, 1280, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    for (const [path, ready] of PAGES) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect({ width, path, overflow }).toEqual({ width, path, overflow: 0 });
    }
    for (const [path, table] of [["/w/piquetickets/flags", "Feature flags"], ["/w/piquetickets/tenants", "Tenants"]] as const) {
      await page.goto(path);
      const region = page.getByRole("region", { name: `${table}, scrollable` });
      await expect(region).toBeVisible();
      const hidden = await region.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect({ width, path, hidden }).toEqual({ width, path, hidden: 0 });
    }
  }
});
