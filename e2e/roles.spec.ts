import { expect, test } from "./support/fixtures";

test.use({ role: "viewer" });

test("a viewer sees no write controls", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create flag" })).toHaveCount(0);
  for (const toggle of await page.getByRole("switch").all()) await expect(toggle).toBeDisabled();
  await expect(page.getByRole("link", { name: "API keys" })).toHaveCount(0);

  await page.getByRole("link", { name: /Knowledge Base/ }).click();
  await expect(page.getByRole("heading", { name: /Knowledge Base/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add rule" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Archive" })).toHaveCount(0);
  await expect(page.getByLabel("Rollout percentage", { exact: true })).toBeDisabled();
  await page.getByRole("tab", { name: "Tenant overrides" }).click();
  await expect(page.getByRole("table", { name: "Tenant overrides" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Set override" })).toHaveCount(0);
  await expect(page.getByRole("checkbox")).toHaveCount(1); // the "Locked only" filter

  await page.goto("/w/piquetickets/tenants");
  await expect(page.getByRole("table", { name: "Tenants" })).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);

  for (const path of ["segments", "modules", "members", "environments"]) {
    await page.goto(`/w/piquetickets/${path}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: /^(New|Add|Invite) / })).toHaveCount(0);
  }
  await page.goto("/w/piquetickets/members");
  await expect(page.getByRole("table", { name: "Members" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^(Remove|Reset the password of|Revoke the invitation of) / })).toHaveCount(0);
  await page.goto("/w/piquetickets/api-keys");
  await expect(page.getByText("You do not have access to this page")).toBeVisible();
});
