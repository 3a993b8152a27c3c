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

test("a tenant admin sees a beta feature's feedback link beside its badge, and switches their own tenant's module off (after confirming) and on", async ({ page }) => {
  // The demo's beta features ship with a feedback link (seed 003's open question 4).
  await page.goto("/w/finance-suite/tenant/features");
  const optimizer = page.getByTestId("feature-str_pricing_optimizer");
  await expect(optimizer).toContainText("Beta");
  await expect(optimizer.getByRole("link", { name: "Give feedback" })).toHaveAttribute("href", "https://feedback.finance-suite.example/str-pricing-optimizer");

  // Finance Suite lets tenant admins switch their own modules (seed 003's module system).
  const tenantAdmin = await apiAs("tenantAdmin");
  try {
    const str = page.getByRole("region", { name: /Short-term rental/ });
    // Switching a module off asks first, naming the features that go off with it; Cancel changes nothing.
    await str.getByRole("switch", { name: "Short-term rental module: on" }).click();
    let confirm = page.getByRole("dialog", { name: "Switch off the Short-term rental module?" });
    const goingOff = confirm.getByRole("list", { name: "Features that go off" });
    await expect(goingOff).toContainText("Channel Management");
    await expect(goingOff).toContainText("Booking Import");
    await expect(goingOff).not.toContainText("AI Pricing Optimizer");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();
    await expect(str.getByRole("switch", { name: "Short-term rental module: on" })).toBeChecked();
    const unchanged = (await (await tenantAdmin.get("/v1/tenant/features?workspace=finance-suite")).json()) as { modules: { key: string; enabled: boolean }[] };
    expect(unchanged.modules.find((m) => m.key === "STR")).toMatchObject({ enabled: true });

    await str.getByRole("switch", { name: "Short-term rental module: on" }).click();
    confirm = page.getByRole("dialog", { name: "Switch off the Short-term rental module?" });
    await confirm.getByRole("button", { name: /^Switch off \d+ features$/ }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText("Short-term rental switched off for your organisation")).toBeVisible();
    await expect(str).toContainText("The Short-term rental module is switched off for your organisation");
    await expect(str.getByRole("switch", { name: "Short-term rental module: off" })).not.toBeChecked();
    await expect(str.getByTestId("feature-str_pricing_optimizer").getByRole("switch")).toBeDisabled();
    // Every environment follows: the API reads the module off for this tenant.
    const listed = (await (await tenantAdmin.get("/v1/tenant/features?workspace=finance-suite")).json()) as { modules: { key: string; enabled: boolean }[] };
    expect(listed.modules.find((m) => m.key === "STR")).toMatchObject({ enabled: false });

    // Switching it on again needs no confirmation.
    await str.getByRole("switch", { name: "Short-term rental module: off" }).click();
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(str.getByRole("switch", { name: "Short-term rental module: on" })).toBeChecked();
    await expect(str).not.toContainText("is switched off for your organisation");

    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("button", { name: /tenant_module\.disabled/ }).first()).toBeVisible();
    await expect(page.getByRole("button", { name: /tenant_module\.enabled/ }).first()).toBeVisible();
  } finally {
    // Other specs expect the demo's modules as shipped, whatever happened above.
    await tenantAdmin.put("/v1/tenant/modules/STR?workspace=finance-suite", { data: { enabled: true } });
    await tenantAdmin.dispose();
  }
});

test.describe("a producer, PiqueTickets' tenant admin", () => {
  test.use({ role: "producer" });

  test("sees its portal features read-only with the reason, and the API refuses a switch with 403", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/w\/piquetickets\/tenant\/features$/);
    for (const [key, name] of [
      ["knowledge_base_enabled", "Knowledge Base"],
      ["ai_agents_enabled", "AI Assistant"],
      ["additional_services_enabled", "Additional Services"],
    ] as const) {
      const row = page.getByTestId(`feature-${key}`);
      await expect(row).toContainText("Managed by your provider");
      await expect(row).toContainText(`'${name}' (${key}) is managed by the workspace admins; tenant admins cannot switch it.`);
      await expect(row.getByRole("switch")).toBeDisabled();
    }

    const producer = await apiAs("producer");
    const refused = await producer.put("/v1/tenant/features/knowledge_base_enabled", { data: { enabled: true } });
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "FEATURE_NOT_MANAGEABLE",
      message: expect.stringContaining("managed by the workspace admins"),
    });
    await producer.dispose();
  });
});
