import { expect, test } from "./support/fixtures";

test("the audit log shows who changed what, with the diff", async ({ page }) => {
  // A change of our own to find.
  await page.goto("/w/finance-suite/flags");
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  // The switch turns at once (optimistically): wait for the server's answer before leaving the
  // page, or the navigation may cancel the request.
  const saved = page.waitForResponse((res) => res.request().method() === "PUT" && /\/flags\/fin_excel_export\/environments\/[^/]+\/enabled$/.test(new URL(res.url()).pathname));
  await page.getByRole("switch", { name: "Excel Export in staging: enabled" }).click();
  await expect(page.getByRole("switch", { name: "Excel Export in staging: disabled" })).toBeVisible();
  expect((await saved).status()).toBe(200);

  await page.goto("/w/finance-suite/audit");
  await page.getByLabel("Flag key").fill("fin_excel_export");
  const entry = page.getByRole("button", { name: /flag_state\.toggled/ }).first();
  await expect(entry).toContainText("admin@ensign.local");
  await expect(entry).toContainText("staging");
  await entry.click();
  const diff = page.getByRole("row", { name: /enabled/ }).first();
  await expect(diff).toContainText("true");
  await expect(diff).toContainText("false");
});

test("an owner sets how long audit entries are kept, and the change is in the log", async ({ page }) => {
  await page.goto("/w/finance-suite/audit");
  await page.getByRole("button", { name: "Retention", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Audit retention" });
  await expect(dialog).toContainText("Currently kept forever");
  await expect(dialog).toContainText("Nothing has been removed yet.");
  await dialog.getByLabel("Keep audit entries").selectOption("365");
  await dialog.getByRole("button", { name: "Save period" }).click();
  await expect(page.getByText("Audit entries are now kept for 1 year")).toBeVisible();
  await expect(dialog).toContainText("Currently kept for 1 year");
  await dialog.getByRole("button", { name: "Close" }).first().click();

  await page.getByLabel("Action").selectOption("workspace.");
  await expect(page.getByRole("button", { name: /workspace\.audit_retention_changed/ }).first()).toContainText("admin@ensign.local");

  // Back to the default, for the other specs sharing this workspace.
  await page.getByRole("button", { name: "Retention", exact: true }).click();
  await dialog.getByLabel("Keep audit entries").selectOption("");
  await dialog.getByRole("button", { name: "Save period" }).click();
  await expect(dialog).toContainText("Currently kept forever");
});

test("the evaluation tester shows the value, the reason and the trace", async ({ page }) => {
  await page.goto("/w/finance-suite/evaluate");
  await page.getByLabel("Flag").selectOption("fin_ai_extraction");
  await page.getByLabel("Environment", { exact: true }).last().selectOption("production");
  const context = page.getByLabel(/Context \(JSON\)/);
  await context.fill('{ "targetingKey": "u-1", "tenantKey": "acme-holiday-homes" ');
  await expect(page.getByRole("alert")).toContainText("Not valid JSON");
  await expect(page.getByRole("button", { name: "Evaluate" })).toBeDisabled();
  await context.fill('{ "targetingKey": "u-1", "tenantKey": "acme-holiday-homes" }');
  await page.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByTestId("evaluation-value")).toHaveText("false");
  await expect(page.getByTestId("evaluation-reason")).toContainText("TENANT_OVERRIDE");
  await expect(page.getByRole("list", { name: "Evaluation trace" }).getByRole("listitem").first()).toBeVisible();
  await expect(page.getByText("Server latency")).toBeVisible();
});
