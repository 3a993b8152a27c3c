import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

test.use({ role: "tenantAdmin" });

test("a tenant admin sees only their tenant's pages", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/w\/finance-suite\/tenant\/features$/);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link")).toHaveText(["Features", "Roles", "Audit log"]);
  await page.goto("/w/finance-suite/flags");
  await expect(page).toHaveURL(/\/tenant\/features$/);
});

test("a tenant admin enables an unlocked feature, and is refused on a locked one and on one whose dependency is off", async ({ page }) => {
  await page.goto("/w/finance-suite/tenant/features");
  await expect(page.getByRole("heading", { name: "Features" })).toBeVisible();

  // Unlocked: switched on.
  const auditLogs = page.getByTestId("feature-tenadmin_audit_logs");
  await auditLogs.getByRole("switch").click();
  await expect(page.getByText("Audit Logs is now on for your users")).toBeVisible();
  await expect(auditLogs.getByRole("switch", { name: "Audit Logs: on" })).toBeChecked();

  // Dependency off: Event-Based Pricing needs AI Pricing Optimizer.
  const eventPricing = page.getByTestId("feature-str_event_based_pricing");
  await expect(eventPricing).toContainText("Needs AI Pricing Optimizer (off)");
  await expect(eventPricing.getByRole("switch")).toBeDisabled();
  await expect(eventPricing).toContainText("str_pricing_optimizer");

  // Locked by the provider after the page was loaded: the API refuses, the switch moves back.
  const owner = await apiAs("owner");
  const locked = await owner.put("/v1/workspaces/finance-suite/flags/tenadmin_feature_toggles/environments/production/tenant-overrides/goodwin-administratie", { data: { variant: "off", locked: true } });
  expect(locked.ok()).toBe(true);
  const toggles = page.getByTestId("feature-tenadmin_feature_toggles");
  await toggles.getByRole("switch").click();
  // The view was stale: the API refuses (the version moved with the lock) and the page shows why.
  await expect(toggles.getByRole("alert")).toContainText(/changed|lock/i);
  await expect(toggles.getByRole("switch", { name: /Feature Toggle Management: off/ })).not.toBeChecked();
  await expect(toggles).toContainText("Locked by your provider");
  await expect(toggles.getByRole("switch")).toBeDisabled();
  await owner.dispose();

  // Disabling asks first.
  await auditLogs.getByRole("switch").click();
  const confirm = page.getByRole("dialog", { name: "Turn off Audit Logs?" });
  await expect(confirm).toContainText("loses access");
  await confirm.getByRole("button", { name: "Turn off" }).click();
  await expect(auditLogs.getByRole("switch", { name: "Audit Logs: off" })).not.toBeChecked();

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("button", { name: /tenant_feature\.enabled/ }).first()).toBeVisible();
});
