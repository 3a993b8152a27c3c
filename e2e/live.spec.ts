import { expect, openAs, test } from "./support/fixtures";

test("a change made in one browser appears in another without a reload", async ({ page, browser }) => {
  const editor = await openAs(browser, "editor");
  await page.goto("/w/finance-suite/flags");
  await page.getByLabel("Environment", { exact: true }).selectOption("development");
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  await expect(page.getByRole("switch", { name: "Booking Import in development: enabled" })).toBeChecked();

  await editor.page.goto("/w/finance-suite/flags");
  await editor.page.getByLabel("Environment", { exact: true }).selectOption("development");
  await editor.page.getByRole("switch", { name: "Booking Import in development: enabled" }).click();
  await expect(editor.page.getByRole("switch", { name: "Booking Import in development: disabled" })).toBeVisible();

  await expect(page.getByRole("switch", { name: "Booking Import in development: disabled" })).not.toBeChecked({ timeout: 10_000 });
  expect(editor.consoleErrors).toEqual([]);
  await editor.close();
});
