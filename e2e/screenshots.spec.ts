import { fileURLToPath } from "node:url";
import { expect, openAs, test } from "./support/fixtures";

/**
 * Screenshots of each main page at 1280x800 with the demo data, for the README and for looking
 * at: `pnpm screenshots` writes them to docs/screenshots/.
 */
const shot = (name: string) => fileURLToPath(new URL(`../docs/screenshots/${name}.png`, import.meta.url));

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test("sign-in page", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
    await page.screenshot({ path: shot("login") });
  });
});

test("workspace admin pages", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/w/piquetickets/flags");
  await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await page.screenshot({ path: shot("flags") });

  await page.getByRole("button", { name: "Create flag" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Seat map editor");
  await page.screenshot({ path: shot("create-flag") });
  await page.keyboard.press("Escape");

  await page.goto("/w/piquetickets/flags/knowledge_base_enabled");
  await expect(page.getByRole("heading", { name: "Knowledge Base" })).toBeVisible();
  await page.screenshot({ path: shot("flag-targeting"), fullPage: true });
  await page.getByRole("tab", { name: "Tenant overrides" }).click();
  await expect(page.getByRole("table", { name: "Tenant overrides" })).toBeVisible();
  await page.screenshot({ path: shot("flag-tenant-overrides") });
  await page.getByRole("tab", { name: "Stats" }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: shot("flag-stats") });
  await page.getByRole("tab", { name: "History" }).click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot("flag-history") });

  await page.goto("/w/piquetickets/tenants");
  await expect(page.getByRole("table", { name: "Tenants" })).toBeVisible();
  await page.getByLabel("Show flag").selectOption("knowledge_base_enabled");
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot("tenants") });

  await page.goto("/w/finance-suite/tenants/acme-holiday-homes");
  await expect(page.getByRole("heading", { name: "Acme Holiday Homes" })).toBeVisible();
  await page.screenshot({ path: shot("tenant") });

  await page.goto("/w/piquetickets/evaluate");
  await page.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByText("Trace").first()).toBeVisible();
  await page.screenshot({ path: shot("evaluation-tester") });

  for (const [path, name, heading] of [
    ["segments", "segments", "Segments"],
    ["modules", "modules", "Modules"],
    ["audit", "audit-log", "Audit log"],
    ["environments", "environments", "Environments"],
    ["members", "members", "Members"],
    ["api-keys", "api-keys", "API keys"],
  ] as const) {
    await page.goto(`/w/${path === "modules" ? "finance-suite" : "piquetickets"}/${path}`);
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot(name) });
  }
});

test("tenant admin pages", async ({ browser }) => {
  const tenantAdmin = await openAs(browser, "tenantAdmin");
  await tenantAdmin.page.goto("/");
  await expect(tenantAdmin.page.getByRole("heading", { name: "Features" })).toBeVisible();
  await tenantAdmin.page.screenshot({ path: shot("tenant-admin-features"), fullPage: true });
  await tenantAdmin.page.goto("/w/finance-suite/tenant/audit");
  await expect(tenantAdmin.page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await tenantAdmin.page.screenshot({ path: shot("tenant-admin-audit") });
  await tenantAdmin.close();
});

test("viewer", async ({ browser }) => {
  const viewer = await openAs(browser, "viewer");
  await viewer.page.goto("/w/finance-suite/flags");
  await expect(viewer.page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await viewer.page.screenshot({ path: shot("flags-viewer") });
  await viewer.close();
});
