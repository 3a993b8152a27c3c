import type { APIRequestContext } from "@playwright/test";
import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

const WS = "piquetickets";
const FLAG = "safe-change-demo";

async function stateOf(api: APIRequestContext, env: string): Promise<{ enabled: boolean; version: number }> {
  return (await api.get(`/v1/workspaces/${WS}/flags/${FLAG}/environments/${env}`)).json();
}

test.beforeAll(async () => {
  const api = await apiAs("owner");
  const res = await api.post(`/v1/workspaces/${WS}/flags`, { data: { key: FLAG, name: "Safe change demo", initialState: { enabled: true, variant: "on" } } });
  // 409: made by an earlier attempt of this spec in the same run (a retry), which may have left it
  // off: every test starts from the flag on in both environments.
  expect([201, 409]).toContain(res.status());
  for (const env of ["production", "staging"]) {
    const { version } = await stateOf(api, env);
    const on = await api.put(`/v1/workspaces/${WS}/flags/${FLAG}/environments/${env}/enabled`, { data: { enabled: true }, headers: { "if-match": `"${version}"` } });
    expect(on.ok()).toBe(true);
  }
  await api.dispose();
});

test("in production a toggle asks first with its blast radius; cancelling changes nothing, confirming applies", async ({ page }) => {
  const api = await apiAs("owner");
  const before = await stateOf(api, "production");
  expect(before.enabled).toBe(true);

  await page.goto(`/w/${WS}/flags`);
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await page.getByLabel("Search flags").fill("safe change");
  const toggle = page.getByRole("switch", { name: "Safe change demo in production: enabled" });
  await toggle.click();
  const dialog = page.getByRole("dialog", { name: "Turn Safe change demo off in Production?" });
  await expect(dialog).toBeVisible();
  // The blast radius, worked out by the API: every tenant of the workspace loses the flag.
  await expect(dialog.getByTestId("impact-summary")).toContainText(/This will turn Safe change demo off for \d+ tenants? in Production/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(toggle).toBeChecked();
  expect(await stateOf(api, "production")).toEqual(before);

  await toggle.click();
  await page.getByRole("dialog").getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByRole("switch", { name: "Safe change demo in production: disabled" })).not.toBeChecked();
  await expect(page.getByText("Safe change demo turned off in Production")).toBeVisible();
  await expect.poll(async () => (await stateOf(api, "production")).enabled).toBe(false);
  expect((await stateOf(api, "production")).version).toBe(before.version + 1);
  await api.dispose();
});

test("in staging a toggle applies at once and Undo puts it back", async ({ page }) => {
  const api = await apiAs("owner");
  const before = await stateOf(api, "staging");
  expect(before.enabled).toBe(true);

  await page.goto(`/w/${WS}/flags`);
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await page.getByLabel("Search flags").fill("safe change");
  await page.getByRole("switch", { name: "Safe change demo in staging: enabled" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByRole("switch", { name: "Safe change demo in staging: disabled" })).not.toBeChecked();
  await expect.poll(async () => (await stateOf(api, "staging")).enabled).toBe(false);

  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByText("Safe change demo is on again in Staging")).toBeVisible();
  await expect(page.getByRole("switch", { name: "Safe change demo in staging: enabled" })).toBeChecked();
  const after = await stateOf(api, "staging");
  expect(after).toMatchObject({ enabled: true, version: before.version + 2 });
  await api.dispose();
});
