import { apiAs, stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";

test("an admin exposes a request header in the environment settings, and the rule builder offers header.<name>", async ({ page }) => {
  const owner = await apiAs("owner");
  const url = "/v1/workspaces/piquetickets/environments/development";
  try {
    await page.goto("/w/piquetickets/environments");
    await page.getByRole("button", { name: "Edit Development" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Development" });
    const headers = dialog.getByLabel("Exposed headers");

    // Credentials are refused, naming the rule.
    await headers.fill("cookie");
    await headers.press("Enter");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.getByRole("alert")).toHaveText(/credential headers are never exposed to targeting/);
    await dialog.getByRole("button", { name: "Remove cookie" }).click();

    // Names are lower-cased as typed.
    await headers.fill("X-Platform");
    await headers.press("Enter");
    await expect(dialog.getByText("x-platform", { exact: true })).toBeVisible();
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(async () => ((await (await owner.get(url)).json()) as { exposedHeaders: string[] }).exposedHeaders).toEqual(["x-platform"]);

    await page.goto("/w/piquetickets/flags/knowledge_base_enabled");
    await page.getByLabel("Environment", { exact: true }).selectOption("development");
    await page.getByRole("button", { name: "Add rule" }).click();
    const attribute = page.getByLabel("Rule 1, condition 1 attribute");
    const listId = await attribute.getAttribute("list");
    await expect(page.locator(`datalist[id="${listId}"] option[value="header.x-platform"]`)).toHaveCount(1);
    await attribute.fill("header.x-platform");
    await expect(attribute).toHaveValue("header.x-platform");

    // Another environment exposes nothing: no header suggestions there.
    await page.getByLabel("Environment", { exact: true }).selectOption("staging");
    await page.getByRole("button", { name: "Add rule" }).click();
    const stagingList = await page.getByLabel("Rule 1, condition 1 attribute").getAttribute("list");
    await expect(page.locator(`datalist[id="${stagingList}"] option[value="header.x-platform"]`)).toHaveCount(0);
  } finally {
    const env = (await (await owner.get(url)).json()) as { version: number };
    await owner.patch(url, { data: { exposedHeaders: [] }, headers: { "if-match": `"${env.version}"` } });
    await owner.dispose();
  }
});

test("the evaluation tester sends the environment's exposed headers, as a portal request would", async ({ page }) => {
  const owner = await apiAs("owner");
  const url = "/v1/workspaces/piquetickets/environments/development";
  const env = (await (await owner.get(url)).json()) as { version: number };
  expect((await owner.patch(url, { data: { exposedHeaders: ["x-platform"] }, headers: { "if-match": `"${env.version}"` } })).ok()).toBe(true);
  try {
    expect((await owner.post("/v1/workspaces/piquetickets/flags", { data: { key: "header-probe", name: "Header probe", initialState: { enabled: true } } })).ok()).toBe(true);
    const state = "/v1/workspaces/piquetickets/flags/header-probe/environments/development";
    const rule = await owner.post(`${state}/rules`, {
      headers: { "if-match": `"${await stateVersion(owner, "piquetickets", "header-probe", "development")}"` },
      data: { name: "iOS app", conditions: [{ attribute: "header.x-platform", operator: "in", values: ["ios"] }], serve: { variant: "on" } },
    });
    expect(rule.ok()).toBe(true);

    await page.goto("/w/piquetickets/evaluate");
    await page.getByLabel("Flag").selectOption("header-probe");
    await page.getByLabel("Environment", { exact: true }).last().selectOption("development");
    await page.getByLabel(/Context \(JSON\)/).fill('{ "targetingKey": "u-1", "header.x-platform": "ios" }');
    // A context cannot claim a header: without the header field filled, the rule does not match.
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect(page.getByTestId("evaluation-value")).toHaveText("false");
    await page.getByRole("group", { name: "Request headers" }).getByLabel("x-platform").fill("ios");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect(page.getByTestId("evaluation-value")).toHaveText("true");
    await expect(page.getByTestId("evaluation-reason")).toContainText("TARGETING_MATCH");

    // An environment that exposes nothing offers no header fields.
    await page.getByLabel("Environment", { exact: true }).last().selectOption("staging");
    await expect(page.getByRole("group", { name: "Request headers" })).toHaveCount(0);
  } finally {
    const now = (await (await owner.get(url)).json()) as { version: number };
    await owner.patch(url, { data: { exposedHeaders: [] }, headers: { "if-match": `"${now.version}"` } });
    await owner.dispose();
  }
});
