import type { APIRequestContext, Page } from "@playwright/test";
import { apiAs, stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";

const WS = "/v1/workspaces/finance-suite";
let owner: APIRequestContext;

test.beforeAll(async () => {
  owner = await apiAs("owner");
  // Three flags of this spec's own, apart from the seeded ones by their shared key prefix.
  for (const [key, name, extra] of [
    ["tbl_alpha", "Table Alpha", { tags: ["tbl"] }],
    ["tbl_bravo", "Table Bravo", { type: "string", variants: [{ key: "a", value: "a" }, { key: "b", value: "b" }], offVariant: "a", onVariant: "b" }],
    ["tbl_charlie", "Table Charlie", {}],
  ] as const) {
    // 409: made by an earlier attempt of this spec in the same run.
    expect([201, 409]).toContain((await owner.post(`${WS}/flags`, { data: { key, name, ...extra } })).status());
  }
  if ((await owner.get(`${WS}/flags/tbl_charlie/environments/production`).then((r) => r.json() as Promise<{ enabled: boolean }>)).enabled) return;
  const state = `${WS}/flags/tbl_charlie/environments/production`;
  await owner.patch(state, { headers: { "if-match": `"${await stateVersion(owner, "finance-suite", "tbl_charlie", "production")}"` }, data: { enabled: true, fallthrough: { variant: "on" } } });
  await owner.post(`${state}/rules`, {
    headers: { "if-match": `"${await stateVersion(owner, "finance-suite", "tbl_charlie", "production")}"` },
    data: { conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } },
  });
});
test.afterAll(() => owner.dispose());

const names = (page: Page) => page.getByRole("table", { name: "Feature flags" }).locator("tbody tr[aria-rowindex] td:first-child a > span:first-child > span.truncate").allTextContents();

test("every column sorts on the server, both ways", async ({ page }) => {
  await page.goto("/w/finance-suite/flags");
  await page.getByLabel("Environment", { exact: true }).selectOption("production");
  await page.getByRole("searchbox", { name: "Search flags" }).fill("tbl_");
  await expect(page.getByRole("table", { name: "Feature flags" })).toHaveAttribute("aria-rowcount", "4");
  const table = page.getByRole("table", { name: "Feature flags" });
  // Ties keep the key order in both directions.
  for (const [column, asc, desc] of [
    ["Type", ["Table Alpha", "Table Charlie", "Table Bravo"], ["Table Bravo", "Table Alpha", "Table Charlie"]],
    ["Rules", ["Table Alpha", "Table Bravo", "Table Charlie"], ["Table Charlie", "Table Alpha", "Table Bravo"]],
    ["Status", ["Table Alpha", "Table Bravo", "Table Charlie"], ["Table Charlie", "Table Alpha", "Table Bravo"]],
    ["Rollout", ["Table Alpha", "Table Bravo", "Table Charlie"], ["Table Charlie", "Table Alpha", "Table Bravo"]],
  ] as const) {
    const header = table.getByRole("columnheader", { name: column });
    const sorted = page.waitForRequest((r) => r.url().includes("/flags?") && r.url().includes(`sort=${column.toLowerCase()}`) && r.url().includes("order=asc"));
    await header.getByRole("button").click();
    await sorted;
    await expect(header).toHaveAttribute("aria-sort", "ascending");
    await expect.poll(() => names(page)).toEqual(asc);
    await header.getByRole("button").click();
    await expect(header).toHaveAttribute("aria-sort", "descending");
    await expect.poll(() => names(page)).toEqual(desc);
  }
  const module = table.getByRole("columnheader", { name: "Module / tags" });
  await module.getByRole("button").click();
  await expect(module).toHaveAttribute("aria-sort", "ascending");
});

test("the Actions column edits, archives and deletes, deleting only an archived flag once its key is typed", async ({ page }) => {
  await page.goto("/w/finance-suite/flags");
  await page.getByRole("searchbox", { name: "Search flags" }).fill("tbl_alpha");
  const row = page.getByRole("row", { name: /Table Alpha/ });
  await expect(row.getByRole("button", { name: "Delete Table Alpha" })).toHaveCount(0);
  await row.getByRole("link", { name: "Edit tbl_alpha" }).click();
  await expect(page).toHaveURL(/\/w\/finance-suite\/flags\/tbl_alpha$/);
  await page.goBack();

  await page.getByRole("searchbox", { name: "Search flags" }).fill("tbl_alpha");
  await page.getByRole("row", { name: /Table Alpha/ }).getByRole("button", { name: "Archive Table Alpha" }).click();
  await page.getByRole("dialog", { name: "Archive Table Alpha?" }).getByRole("button", { name: "Archive" }).click();
  await expect(page.getByRole("row", { name: /Table Alpha/ })).toHaveCount(0);

  await page.getByRole("button", { name: /^More filters/ }).click();
  await page.getByLabel("Archived filter").selectOption("archived");
  const archived = page.getByRole("row", { name: /Table Alpha/ });
  await expect(archived.getByRole("button", { name: "Archive Table Alpha" })).toHaveCount(0);
  await archived.getByRole("button", { name: "Delete Table Alpha" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete Table Alpha for good?" });
  await expect(dialog.getByRole("button", { name: "Delete flag" })).toBeDisabled();
  await dialog.getByLabel("Type tbl_alpha to confirm").fill("tbl_alpha");
  await dialog.getByRole("button", { name: "Delete flag" }).click();
  await expect(page.getByText("Table Alpha was deleted")).toBeVisible();
  await expect(page).toHaveURL(/\/w\/finance-suite\/flags$/);
  await expect(page.getByRole("row", { name: /Table Alpha/ })).toHaveCount(0);
  expect((await owner.get(`${WS}/flags/tbl_alpha`)).status()).toBe(404);
});

test("a flag's Track analytics option is on by default and switched off on its page", async ({ page }) => {
  expect(((await (await owner.get(`${WS}/flags/tbl_bravo`)).json()) as { trackAnalytics: boolean }).trackAnalytics).toBe(true);
  await page.goto("/w/finance-suite/flags/tbl_bravo");
  await page.getByRole("tab", { name: "Variants & settings" }).click();
  const option = page.getByLabel(/Track analytics/);
  await expect(option).toBeChecked();
  await option.uncheck();
  await page.getByRole("button", { name: "Save definition" }).click();
  await expect.poll(async () => ((await (await owner.get(`${WS}/flags/tbl_bravo`)).json()) as { trackAnalytics: boolean }).trackAnalytics).toBe(false);
  await page.reload();
  await page.getByRole("tab", { name: "Variants & settings" }).click();
  await expect(page.getByLabel(/Track analytics/)).not.toBeChecked();
});
