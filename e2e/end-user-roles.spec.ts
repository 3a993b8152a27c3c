import type { Page } from "@playwright/test";
import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

/** The level column and the role's key, row by row, as the Roles page lists the hierarchy. */
async function hierarchy(page: Page): Promise<string[]> {
  const rows = page.getByRole("table", { name: "Role hierarchy" }).getByRole("row");
  await expect(rows.nth(1)).toBeVisible();
  const texts: string[] = [];
  for (const row of (await rows.all()).slice(1)) {
    const cells = row.getByRole("cell");
    texts.push(`${(await cells.nth(0).innerText()).trim()} ${(await cells.nth(1).locator(".font-mono").innerText()).trim()}`);
  }
  return texts;
}

test("an owner adds a role to the hierarchy, gates a flag on it, and is refused a cycle and deleting a role in use", async ({ page }) => {
  const api = await apiAs("owner");
  const created = await api.post("/v1/workspaces/piquetickets/flags", { data: { key: "manager-insights", name: "Manager insights", initialState: { enabled: true } } });
  expect(created.ok()).toBe(true);

  await page.goto("/w/piquetickets/roles");
  await expect(page.getByRole("heading", { name: "Roles" })).toBeVisible();
  expect(await hierarchy(page)).toEqual(["0 employee", "1 manager", "2 admin"]);

  // A new level between employee and manager.
  await page.getByRole("button", { name: "New role" }).click();
  const dialog = page.getByRole("dialog", { name: "New role" });
  await dialog.getByLabel("Key", { exact: true }).fill("team_lead");
  await dialog.getByLabel("Name", { exact: true }).fill("Team lead");
  await dialog.getByLabel("Inherits").fill("employee");
  await dialog.getByLabel("Inherits").press("Enter");
  await dialog.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByText("Role team_lead created")).toBeVisible();
  await page.getByRole("button", { name: "Edit Manager" }).click();
  const manager = page.getByRole("dialog", { name: "Edit Manager" });
  await manager.getByRole("button", { name: "Remove employee" }).click();
  await manager.getByLabel("Inherits").fill("team_lead");
  await manager.getByLabel("Inherits").press("Enter");
  await manager.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Role saved")).toBeVisible();
  expect(await hierarchy(page)).toEqual(["0 employee", "1 team_lead", "2 manager", "3 admin"]);

  // A cycle is refused with the chain it would close.
  await page.getByRole("button", { name: "Edit Employee" }).click();
  const employee = page.getByRole("dialog", { name: "Edit Employee" });
  await employee.getByLabel("Inherits").fill("admin");
  await employee.getByLabel("Inherits").press("Enter");
  await employee.getByRole("button", { name: "Save" }).click();
  await expect(employee.getByRole("alert")).toContainText("employee → admin → manager → team_lead → employee");
  await employee.getByRole("button", { name: "Cancel" }).click();

  // The rule builder offers the operator, with the roles as suggestions.
  await page.goto("/w/piquetickets/flags/manager-insights");
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByLabel("Rule 1, condition 1 attribute").fill("role");
  await page.getByLabel("Rule 1, condition 1 operator").selectOption("role_at_least");
  await expect(page.getByLabel("Rule 1, condition 1 operator")).toContainText("has role or above");
  const roles = page.getByLabel("Rule 1, condition 1 roles");
  await roles.fill("team_lead");
  await roles.press("Enter");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Targeting saved in Staging")).toBeVisible();
  const state = await (await api.get("/v1/workspaces/piquetickets/flags/manager-insights/environments/staging")).json();
  expect(state.rules[0].conditions).toEqual([{ attribute: "role", operator: "role_at_least", values: ["team_lead"] }]);

  // A role that a rule uses cannot be deleted; the page says which flag.
  await page.goto("/w/piquetickets/roles");
  const teamLead = page.getByRole("row", { name: /team_lead/ });
  await expect(teamLead.getByRole("cell").nth(4)).toHaveText("1");
  await page.getByRole("button", { name: "Edit Manager" }).click();
  await page.getByRole("dialog", { name: "Edit Manager" }).getByRole("button", { name: "Remove team_lead" }).click();
  await page.getByRole("dialog", { name: "Edit Manager" }).getByLabel("Inherits").fill("employee");
  await page.getByRole("dialog", { name: "Edit Manager" }).getByLabel("Inherits").press("Enter");
  await page.getByRole("dialog", { name: "Edit Manager" }).getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Role saved")).toBeVisible();
  await page.getByRole("button", { name: "Delete Team lead" }).click();
  await page.getByRole("dialog", { name: "Delete role team_lead?" }).getByRole("button", { name: "Delete role" }).click();
  await expect(page.getByText("Role 'team_lead' is used by the rules of flag manager-insights.")).toBeVisible();

  // Once the flag no longer reads it, it goes.
  expect((await api.delete("/v1/workspaces/piquetickets/flags/manager-insights/environments/staging/rules/" + state.rules[0].id, { headers: { "if-match": `"${state.version}"` } })).ok()).toBe(true);
  await page.getByRole("dialog", { name: "Delete role team_lead?" }).getByRole("button", { name: "Delete role" }).click();
  await expect(page.getByText("Role deleted")).toBeVisible();
  expect(await hierarchy(page)).toEqual(["0 employee", "1 manager", "2 admin"]);

  const audit = await (await api.get("/v1/workspaces/piquetickets/audit?action=role.")).json();
  expect(audit.items.map((entry: { action: string }) => entry.action)).toEqual(expect.arrayContaining(["role.created", "role.updated", "role.deleted"]));
  await api.dispose();
});

test.describe("a tenant admin", () => {
  test.use({ role: "tenantAdmin" });

  test("adds a role of their organisation's own between two workspace levels; the workspace's roles stay read-only", async ({ page }) => {
    await page.goto("/w/finance-suite/tenant/roles");
    await expect(page.getByRole("heading", { name: "Your roles" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Edit Manager" })).toHaveCount(0);

    await page.getByRole("button", { name: "New tenant role" }).click();
    const dialog = page.getByRole("dialog", { name: "New tenant role" });
    await dialog.getByLabel("Key", { exact: true }).fill("senior_manager");
    await dialog.getByLabel("Name", { exact: true }).fill("Senior manager");
    await dialog.getByLabel("Inherits").fill("manager");
    await dialog.getByLabel("Inherits").press("Enter");
    await dialog.getByLabel("Inherited by").fill("admin");
    await dialog.getByLabel("Inherited by").press("Enter");
    await dialog.getByRole("button", { name: "Create role" }).click();
    await expect(page.getByText("Role senior_manager created")).toBeVisible();
    expect(await hierarchy(page)).toEqual(["0 employee", "1 manager", "2 senior_manager", "3 admin"]);
    await expect(page.getByRole("row", { name: /senior_manager/ })).toContainText("tenant goodwin-administratie");

    await page.getByRole("button", { name: "Delete Senior manager" }).click();
    await page.getByRole("dialog", { name: "Delete role senior_manager?" }).getByRole("button", { name: "Delete role" }).click();
    await expect(page.getByText("Role deleted")).toBeVisible();
    expect(await hierarchy(page)).toEqual(["0 employee", "1 manager", "2 admin"]);
  });
});
