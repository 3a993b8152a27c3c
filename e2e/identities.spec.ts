import { expect, test } from "./support/fixtures";

test("identities: how end users spread over onboarding stages, and what one identity unlocks and why", async ({ page }) => {
  await page.goto("/w/piquetickets/identities");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await expect(page.getByRole("heading", { name: "Identities", exact: true })).toBeVisible();

  const spread = page.getByRole("list", { name: "Identities by stage" });
  await expect(spread.getByRole("listitem").first()).toContainText("active");
  await expect(spread.getByRole("listitem").first()).toContainText("8");
  await page.getByLabel("Trait").fill("emailVerified");
  await expect(page.getByRole("list", { name: "Identities by emailVerified" }).getByRole("listitem").first()).toContainText("true");

  await page.getByLabel("Search identities").fill("staff-00");
  await expect(page.getByText("1–9 of 9 identities")).toBeVisible();
  await page.getByRole("button", { name: "staff-001" }).click();
  const panel = page.getByRole("complementary", { name: "Identity" });
  await expect(panel).toContainText("signup");
  const flags = panel.getByRole("list", { name: "Flags for staff-001" });
  // Other specs add and switch flags in this workspace; Knowledge Base stays as the demo ships it.
  await expect(flags.getByRole("listitem").filter({ hasText: "knowledge_base_enabled" })).toContainText("fallthrough: serves variant 'off'");
  await expect(flags.getByRole("listitem").filter({ hasText: "ai_agents_enabled" })).toHaveCount(1);
  await expect(panel).toContainText(/Unlocks \d+ of \d+ flags in production\./);
});
