import { apiAs, stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";

test("an admin creates a flag, adds a rule and rolls it out to 30 %", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await page.getByRole("button", { name: "Create flag" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a flag" });
  await dialog.getByLabel("Name", { exact: true }).fill("Seat map editor");
  await expect(dialog.getByLabel("Key", { exact: true })).toHaveValue("seat-map-editor");
  await dialog.getByRole("button", { name: "Create flag" }).click();
  await expect(page).toHaveURL(/\/flags\/seat-map-editor$/);
  await expect(page.getByRole("heading", { name: /Seat map editor/ })).toBeVisible();

  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByLabel("Rule 1, condition 1 attribute").fill("country");
  const values = page.getByLabel("Rule 1, condition 1 values");
  await values.fill("NL");
  await values.press("Enter");
  await page.getByLabel("Rollout percentage", { exact: true }).fill("30");
  await expect(page.getByText("30 % get the flag")).toBeVisible();
  // The blast radius of the pending change, before saving.
  await expect(page.getByTestId("impact-summary")).toBeVisible();
  await page.getByRole("button", { name: "Save changes" }).click();
  // Production asks first, with the blast radius again.
  const confirm = page.getByRole("dialog", { name: "Save 2 changes to Seat map editor in Production?" });
  await expect(confirm.getByTestId("impact-summary")).toBeVisible();
  await confirm.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Targeting saved in Production")).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Rule 1, condition 1 attribute")).toHaveValue("country");
  await expect(page.getByRole("button", { name: "Remove NL" })).toBeVisible();
  await expect(page.getByLabel("Rollout percentage", { exact: true })).toHaveValue("30");

  const api = await apiAs("owner");
  const state = await (await api.get("/v1/workspaces/piquetickets/flags/seat-map-editor/environments/production")).json();
  expect(state.rules).toHaveLength(1);
  expect(state.rules[0].conditions).toEqual([{ attribute: "country", operator: "in", values: ["NL"] }]);
  expect(state.fallthrough.split.allocations).toEqual([{ variant: "on", weight: 30_000 }, { variant: "off", weight: 70_000 }]);
  await api.dispose();
});

test("a flag is switched off in production from the list and stays off", async ({ page }) => {
  await page.goto("/w/piquetickets/flags");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  const on = page.getByRole("switch", { name: "AI Assistant in production: enabled" });
  await expect(on).toBeChecked();
  await on.click();
  await page.getByRole("dialog", { name: "Turn AI Assistant off in Production?" }).getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByRole("switch", { name: "AI Assistant in production: disabled" })).not.toBeChecked();
  await page.reload();
  await expect(page.getByRole("switch", { name: "AI Assistant in production: disabled" })).not.toBeChecked();
  // Only production changed.
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await expect(page.getByRole("switch", { name: "AI Assistant in staging: enabled" })).toBeChecked();
});

test("the list searches, filters and sorts", async ({ page }) => {
  await page.goto("/w/finance-suite/flags");
  await page.getByLabel("Search flags").fill("invoice");
  await expect(page.getByRole("link", { name: /AI Invoice Extraction/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Excel Export/ })).toHaveCount(0);
  await page.getByLabel("Search flags").fill("");
  await page.getByLabel("Module filter").selectOption("STR");
  await expect(page.getByRole("link", { name: /Booking Import/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Excel Export/ })).toHaveCount(0);
  await page.getByRole("button", { name: /^More filters/ }).click();
  await page.getByLabel("Beta filter").selectOption("true");
  await expect(page.getByRole("link", { name: /Booking Import/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /AI Pricing Optimizer/ })).toBeVisible();
});

test("rules reorder by keyboard and by drag, and the order is saved", async ({ page }) => {
  const api = await apiAs("owner");
  expect((await api.post("/v1/workspaces/piquetickets/flags", { data: { key: "reorder-demo", name: "Reorder demo" } })).ok()).toBe(true);
  for (const [name, country] of [["Dutch", "NL"], ["Belgian", "BE"], ["German", "DE"]]) {
    const version = await stateVersion(api, "piquetickets", "reorder-demo", "production");
    const res = await api.post("/v1/workspaces/piquetickets/flags/reorder-demo/environments/production/rules", {
      headers: { "if-match": `"${version}"` },
      data: { name, conditions: [{ attribute: "country", operator: "in", values: [country] }], serve: { variant: "on" } },
    });
    expect(res.ok()).toBe(true);
  }
  await page.goto("/w/piquetickets/flags/reorder-demo");
  await page.getByRole("tab", { name: "Production" }).click();
  await expect(page.getByLabel("Rule 1 name")).toHaveValue("Dutch");

  // Keyboard: Space picks the rule up, an arrow moves it, Space drops it. Each step waits for
  // the screen-reader announcement of the one before, as a person listening would.
  const announcement = page.locator("[id^=DndLiveRegion]");
  await page.getByRole("button", { name: "Drag Rule 1 to reorder" }).focus();
  await page.keyboard.press("Space");
  await expect(announcement).toContainText(/Picked up|was moved over/);
  const pickedUp = await announcement.textContent();
  await page.keyboard.press("ArrowDown");
  await expect(announcement).not.toHaveText(pickedUp ?? "");
  await page.keyboard.press("Space");
  await expect(announcement).toContainText("was dropped");
  await expect(page.getByLabel("Rule 1 name")).toHaveValue("Belgian");
  await expect(page.getByLabel("Rule 2 name")).toHaveValue("Dutch");

  // Mouse: drag the third rule above the first (a tall window keeps both in view).
  await page.setViewportSize({ width: 1280, height: 1600 });
  const handle = page.getByRole("button", { name: "Drag Rule 3 to reorder" });
  const target = page.getByRole("button", { name: "Drag Rule 1 to reorder" });
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y - 10, { steps: 5 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 - 20, { steps: 10 });
  await page.mouse.up();
  await expect(page.getByLabel("Rule 1 name")).toHaveValue("German");

  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByRole("dialog", { name: /in Production\?$/ }).getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Targeting saved in Production")).toBeVisible();
  const state = await (await api.get("/v1/workspaces/piquetickets/flags/reorder-demo/environments/production")).json();
  expect(state.rules.map((r: { name: string }) => r.name)).toEqual(["German", "Belgian", "Dutch"]);
  await api.dispose();
});

test("an archived flag is deleted for good once its key is typed, and its key can be used again", async ({ page }) => {
  const api = await apiAs("owner");
  expect((await api.post("/v1/workspaces/finance-suite/flags", { data: { key: "fin_retired_report", name: "Retired report" } })).ok()).toBe(true);
  await page.goto("/w/finance-suite/flags/fin_retired_report");
  await page.getByRole("button", { name: "Archive" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText("archived", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Retired report for good?" });
  await expect(dialog.getByRole("button", { name: "Delete flag" })).toBeDisabled();
  await dialog.getByLabel("Type fin_retired_report to confirm").fill("fin_retired_report");
  await dialog.getByRole("button", { name: "Delete flag" }).click();
  await expect(page).toHaveURL(/\/w\/finance-suite\/flags$/);
  expect((await api.get("/v1/workspaces/finance-suite/flags/fin_retired_report")).status()).toBe(404);
  expect((await api.post("/v1/workspaces/finance-suite/flags", { data: { key: "fin_retired_report", name: "Retired report again" } })).status()).toBe(201);
  await api.dispose();
});
