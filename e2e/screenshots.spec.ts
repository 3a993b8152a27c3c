import type { BrowserContext, Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { apiAs, stateVersion } from "./support/api";
import { expect, openAs, test } from "./support/fixtures";
import { startReceiver } from "./support/receiver";

/**
 * Screenshots of each main page at 1280x800 with the demo data, for the README and for looking
 * at, in each theme: `pnpm screenshots` writes the light ones to docs/screenshots/<page>.png and
 * the others to docs/screenshots/dark/<page>.png and docs/screenshots/high-contrast/<page>.png.
 */
const THEMES = [
  { theme: "light", folder: "" },
  { theme: "dark", folder: "dark/" },
  { theme: "contrast", folder: "high-contrast/" },
] as const;
type Theme = (typeof THEMES)[number];
const shotIn = (theme: Theme) => (name: string) => fileURLToPath(new URL(`../docs/screenshots/${theme.folder}${name}.png`, import.meta.url));
/** The theme the header's menu would choose, set before any page of the context loads. */
const useTheme = (target: Page | BrowserContext, theme: Theme) => target.addInitScript((t) => localStorage.setItem("ensign:theme", t), theme.theme);

for (const theme of THEMES) {
const shot = shotIn(theme);
test.describe(`${theme.theme} theme`, () => {

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test("sign-in page", async ({ page }) => {
    await useTheme(page, theme);
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
    await page.screenshot({ path: shot("login") });
  });
});

/** Some history, so the pages show what they look like in use. */
async function demoActivity() {
  const owner = await apiAs("owner");
  const flag = "/v1/workspaces/piquetickets/flags/knowledge_base_enabled/environments/production";
  await owner.post(`${flag}/rules`, {
    headers: { "if-match": `"${await stateVersion(owner, "piquetickets", "knowledge_base_enabled", "production")}"` },
    data: { name: "Pro producers", conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } },
  });
  await owner.patch(flag, {
    headers: { "if-match": `"${await stateVersion(owner, "piquetickets", "knowledge_base_enabled", "production")}"` },
    data: { fallthrough: { split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }], bucketBy: "tenantKey" } } },
  });
  await owner.put(`${flag}/tenant-overrides/cactus-cabaret`, { data: { variant: "on", locked: true } });
  await owner.put(`${flag}/tenant-overrides/route-66-revue`, { data: { variant: "off", expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString() } });
  await owner.put(`${flag}/user-overrides/qa-tester-1`, { data: { variant: "on" } });
  await owner.post("/v1/workspaces/piquetickets/environments/production/api-keys", { data: { name: "Producer portal (web)", kind: "client" } });
  await owner.post("/v1/workspaces/piquetickets/environments/production/api-keys", { data: { name: "Ticketing backend", kind: "server" } });
  const editor = await apiAs("editor");
  const ai = "/v1/workspaces/piquetickets/flags/ai_agents_enabled/environments/staging";
  await editor.put(`${ai}/enabled`, { headers: { "if-match": `"${await stateVersion(editor, "piquetickets", "ai_agents_enabled", "staging")}"` }, data: { enabled: false } });
  await owner.dispose();
  await editor.dispose();
}

test("workspace admin pages", async ({ page }) => {
  test.setTimeout(240_000);
  await useTheme(page, theme);
  if (theme.theme === "light") await demoActivity();
  await page.goto("/w/piquetickets/overview");
  await expect(page.getByRole("heading", { name: "Least evaluated" })).toBeVisible();
  await page.screenshot({ path: shot("overview") });

  await page.goto("/w/piquetickets/flags");
  await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await page.screenshot({ path: shot("flags") });

  await page.getByRole("button", { name: "Create flag" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Seat map editor");
  await page.screenshot({ path: shot("create-flag") });
  await page.keyboard.press("Escape");

  await page.goto("/w/piquetickets/flags/knowledge_base_enabled");
  await expect(page.getByRole("heading", { name: "Knowledge Base" })).toBeVisible();
  await page.screenshot({ path: shot("flag-targeting") });
  await page.getByLabel("Rollout percentage", { exact: true }).fill("40");
  await expect(page.getByTestId("impact-summary")).toBeVisible();
  await page.waitForTimeout(600);
  await page.screenshot({ path: shot("flag-pending-change") });
  await page.getByRole("button", { name: "Discard" }).click();
  await page.getByRole("tab", { name: "Tenant overrides" }).click();
  await expect(page.getByRole("table", { name: "Tenant overrides" })).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
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
  for (const name of ["Apache Junction Jam", "Arizona Comedy", "Avondale Art Rock"]) await page.getByLabel(`Select ${name}`).check();
  await page.getByLabel("Flag for the bulk action").selectOption("additional_services_enabled");
  await page.getByRole("button", { name: "Enable for selected" }).click();
  await expect(page.getByRole("dialog", { name: "Confirm the bulk change" })).toBeVisible();
  await page.screenshot({ path: shot("tenants-bulk-confirm") });
  await page.keyboard.press("Escape");

  await page.goto("/w/piquetickets/user-overrides");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await expect(page.getByRole("table", { name: "User overrides" })).toBeVisible();
  await page.screenshot({ path: shot("user-overrides") });

  await page.goto("/w/piquetickets/evaluate");
  await page.getByLabel("Flag").selectOption("knowledge_base_enabled");
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
    if (name === "audit-log") await page.getByRole("button", { name: /tenant_override\.set/ }).first().click();
    await page.screenshot({ path: shot(name) });
    if (name === "audit-log") {
      await page.getByRole("button", { name: "Retention", exact: true }).click();
      await expect(page.getByRole("dialog", { name: "Audit retention" })).toContainText("Currently kept forever");
      await page.screenshot({ path: shot("audit-retention") });
      await page.keyboard.press("Escape");
    }
  }

  // Webhooks: one delivering to a receiver, one to Slack, one whose endpoint is down.
  const receiver = await startReceiver();
  try {
    const owner = await apiAs("owner");
    const hooks = "/v1/workspaces/piquetickets/webhooks";
    // Made once, in the first theme's run; the other themes photograph the same webhooks.
    type Hook = { id: string; name: string; pending: number };
    const listed = async () => ((await (await owner.get(hooks)).json()) as { items: Hook[] }).items;
    if (theme.theme === "light") {
      await owner.post(hooks, { data: { name: "Deploy bot", url: receiver.url("/ensign"), eventTypes: ["flag_state.*", "flag_rule.*"] } });
      await owner.post(hooks, { data: { kind: "slack", name: "#releases", url: receiver.url("/slack"), environments: ["production"] } });
      await owner.post(hooks, { data: { name: "Legacy audit sink", url: "http://127.0.0.1:9/events", tenants: ["tucson-theatre-works"] } });
      const ai = "/v1/workspaces/piquetickets/flags/ai_agents_enabled/environments/staging";
      for (const enabled of [true, false, true]) {
        await owner.put(`${ai}/enabled`, { headers: { "if-match": `"${await stateVersion(owner, "piquetickets", "ai_agents_enabled", "staging")}"` }, data: { enabled } });
      }
      const tucson = "/v1/workspaces/piquetickets/flags/ai_agents_enabled/environments/production/tenant-overrides/tucson-theatre-works";
      const existing = await owner.get(tucson);
      const version = existing.ok() ? ((await existing.json()) as { version: number }).version : undefined;
      const override = await owner.put(tucson, { data: { variant: "off" }, headers: version === undefined ? {} : { "if-match": `"${version}"` } });
      expect(override.ok()).toBe(true);
      await expect.poll(() => receiver.deliveries.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    }
    const deployBotId = (await listed()).find((w) => w.name === "Deploy bot")!.id;
    // The legacy sink's endpoint refuses connections: its delivery waits for a retry.
    await expect.poll(async () => (await listed()).find((w) => w.name === "Legacy audit sink")?.pending, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await owner.dispose();
    await page.goto("/w/piquetickets/webhooks");
    await expect(page.getByRole("table", { name: "Webhooks" })).toContainText("Legacy audit sink");
    await expect(page.getByRole("table", { name: "Webhooks" })).toContainText("pending");
    await page.screenshot({ path: shot("webhooks") });
    await page.goto(`/w/piquetickets/webhooks/${deployBotId}`);
    await expect(page.getByRole("table", { name: "Deliveries" })).toContainText("delivered");
    await page.screenshot({ path: shot("webhook-deliveries") });
  } finally {
    await receiver.close();
  }

  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto("/w/piquetickets/flags");
  await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await page.screenshot({ path: shot("flags-1024") });
  await page.goto("/w/piquetickets/flags/knowledge_base_enabled");
  await expect(page.getByRole("heading", { name: /Knowledge Base/ })).toBeVisible();
  await page.screenshot({ path: shot("flag-1024") });
});

test("tenant pages", async ({ page }) => {
  await useTheme(page, theme);
  const owner = await apiAs("owner");
  const overrides = "/v1/workspaces/piquetickets/flags/ai_agents_enabled/environments/production/tenant-overrides";
  const current = await owner.get(`${overrides}/tucson-theatre-works`);
  const version = current.ok() ? ((await current.json()) as { version: number }).version : undefined;
  await owner.put(`${overrides}/tucson-theatre-works`, {
    data: { variant: "on", locked: true, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    headers: version === undefined ? {} : { "if-match": `"${version}"` },
  });
  await owner.dispose();
  await page.goto("/w/piquetickets/tenants/tucson-theatre-works");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  const row = page.getByRole("row", { name: /Additional Services/ });
  await expect(page.getByRole("row", { name: /AI Assistant/ })).toContainText("Locked override");
  await row.getByRole("switch").hover();
  await expect(page.getByRole("tooltip")).toBeVisible();
  await page.screenshot({ path: shot("producer-page") });

  await page.goto("/w/finance-suite/tenants/acme-holiday-homes");
  await expect(page.getByRole("heading", { name: "Acme Holiday Homes" })).toBeVisible();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: shot("tenant") });
});

test("tenant admin pages", async ({ browser }) => {
  const tenantAdmin = await openAs(browser, "tenantAdmin");
  await useTheme(tenantAdmin.context, theme);
  await tenantAdmin.page.goto("/");
  await expect(tenantAdmin.page.getByRole("heading", { name: "Features" })).toBeVisible();
  await tenantAdmin.page.screenshot({ path: shot("tenant-admin-features"), fullPage: true });
  const auditLogs = tenantAdmin.page.getByTestId("feature-tenadmin_audit_logs").getByRole("switch");
  if ((await auditLogs.getAttribute("aria-checked")) !== "true") {
    await auditLogs.click();
    await expect(tenantAdmin.page.getByText("Audit Logs is now on for your users")).toBeVisible();
  }
  await tenantAdmin.page.goto("/w/finance-suite/tenant/audit");
  await tenantAdmin.page.getByRole("button", { name: /tenant_feature\.enabled/ }).first().click();
  await expect(tenantAdmin.page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await tenantAdmin.page.screenshot({ path: shot("tenant-admin-audit") });
  await tenantAdmin.close();
});

test("viewer", async ({ browser }) => {
  const viewer = await openAs(browser, "viewer");
  await useTheme(viewer.context, theme);
  await viewer.page.goto("/w/finance-suite/flags");
  await expect(viewer.page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await viewer.page.screenshot({ path: shot("flags-viewer") });
  await viewer.close();
});
});
}

/** Pages whose screenshots are taken in the light theme only. */
const shot = shotIn(THEMES[0]);

test("role hierarchy pages (light theme)", async ({ page, browser }) => {
  const owner = await apiAs("owner");
  await owner.post("/v1/workspaces/finance-suite/roles", { data: { key: "director", name: "Director", description: "Runs a department", inherits: ["manager"] } });
  await owner.patch("/v1/workspaces/finance-suite/roles/admin", { headers: { "if-match": '"1"' }, data: { inherits: ["director"] } });
  await owner.post("/v1/workspaces/finance-suite/tenants/goodwin-administratie/roles", {
    data: { key: "senior_accountant", name: "Senior accountant", description: "Goodwin's own level", inherits: ["manager"], inheritedBy: ["director"] },
  });
  await owner.dispose();

  await page.goto("/w/finance-suite/roles");
  await expect(page.getByRole("table", { name: "Role hierarchy" })).toContainText("director");
  await page.screenshot({ path: shot("roles") });
  await page.getByLabel("Hierarchy of").selectOption("goodwin-administratie");
  await expect(page.getByRole("table", { name: "Role hierarchy" })).toContainText("senior_accountant");
  await page.getByRole("button", { name: "Edit Senior accountant" }).click();
  await expect(page.getByRole("dialog", { name: "Edit Senior accountant" })).toBeVisible();
  await page.screenshot({ path: shot("roles-tenant") });

  const tenantAdmin = await openAs(browser, "tenantAdmin");
  await tenantAdmin.page.goto("/w/finance-suite/tenant/roles");
  await expect(tenantAdmin.page.getByRole("table", { name: "Role hierarchy" })).toContainText("senior_accountant");
  await tenantAdmin.page.screenshot({ path: shot("tenant-roles") });
  await tenantAdmin.close();
});

test("override layers pages (light theme)", async ({ page }) => {
  const owner = await apiAs("owner");
  const ws = "/v1/workspaces/finance-suite";
  if ((await owner.get(`${ws}/flags/campaign_creation`)).status() === 404) {
    await owner.post(`${ws}/flags`, { data: { key: "campaign_creation", name: "Campaign creation", initialState: { enabled: true } } });
  }
  if (!(await owner.get(`${ws}/override-layers/platform`)).ok()) {
    await owner.post(`${ws}/override-layers`, { data: { key: "platform", name: "Platform", values: ["meta", "google", "tiktok", "linkedin", "twitter", "snapchat"] } });
    await owner.post(`${ws}/override-layers`, { data: { key: "region", name: "Region", attribute: "geo.region", values: ["eu", "us", "apac"] } });
    const overrides = `${ws}/flags/campaign_creation/environments/production/layer-overrides/platform`;
    await owner.put(`${overrides}/tiktok`, { data: { variant: "on" } });
    await owner.put(`${overrides}/snapchat`, { data: { variant: "off", locked: true } });
    await owner.put(`${overrides}/meta`, { data: { variant: "on", expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString() } });
  }
  await owner.dispose();
  await page.goto("/w/finance-suite/override-layers");
  await expect(page.getByRole("table", { name: "Override layers" })).toBeVisible();
  await page.screenshot({ path: shot("override-layers") });
  await page.goto("/w/finance-suite/flags/campaign_creation");
  await page.getByRole("tab", { name: "Production" }).click();
  await page.getByRole("tab", { name: "Platform overrides" }).click();
  await expect(page.getByTestId("layer-value-snapchat")).toContainText("locked");
  await page.screenshot({ path: shot("flag-layer-overrides") });
});

test("identities page (light theme)", async ({ page }) => {
  await page.goto("/w/piquetickets/identities");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await expect(page.getByRole("list", { name: "Identities by stage" }).getByRole("listitem").first()).toContainText("active");
  await page.getByLabel("Search identities").fill("staff-00");
  await expect(page.getByText("1–9 of 9 identities")).toBeVisible();
  await page.getByRole("button", { name: "staff-003" }).click();
  await expect(page.getByRole("complementary", { name: "Identity" }).getByRole("list", { name: "Flags for staff-003" })).toBeVisible();
  // The chart, the list and the identity's panel from the top of the page.
  await page.evaluate(() => {
    document.scrollingElement?.scrollTo(0, 0);
    document.querySelectorAll("main").forEach((main) => main.scrollTo(0, 0));
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot("identities") });
});

test("master switch banner (light theme)", async ({ page }) => {
  const owner = await apiAs("owner");
  const masterSwitch = "/v1/workspaces/piquetickets/environments/development/master-switch";
  try {
    expect((await owner.put(masterSwitch, { data: { enabled: true, reason: "checkout outage, incident 142" } })).ok()).toBe(true);
    await page.goto("/w/piquetickets/environments");
    await page.getByLabel("Environment", { exact: true }).selectOption("development");
    await expect(page.getByTestId("master-switch-banner")).toContainText("Reason: checkout outage, incident 142");
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot("master-switch") });
  } finally {
    await owner.put(masterSwitch, { data: { enabled: false } });
    await owner.dispose();
  }
});
