import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";

test("staging requires signed context tokens as shipped; an owner opts it out after a warning, and requires them again", async ({ page, request }) => {
  const owner = await apiAs("owner");
  const created = await owner.post("/v1/workspaces/piquetickets/environments/staging/api-keys", { data: { name: "e2e browser", kind: "client" } });
  const { secret } = (await created.json()) as { secret: string };
  const portalStatus = async () => (await request.get("/v1/flags?tenantKey=someone-else", { headers: { "x-api-key": secret } })).status();
  expect(await portalStatus()).toBe(401);

  await page.goto("/w/piquetickets/environments");
  await expect(page.getByText(/browsers \(client keys\) must send a token your backend signs/)).toBeVisible();
  const toggle = page.getByRole("switch", { name: "Require signed context tokens in Staging" });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await page.getByRole("dialog", { name: "Stop requiring signed context tokens in Staging?" }).getByRole("button", { name: "Stop requiring tokens" }).click();
  await expect(toggle).not.toBeChecked();
  await expect(page.getByRole("note").filter({ hasText: "Any holder of this environment's client key can read any tenant's or user's flags." })).toHaveCount(1);
  await expect.poll(portalStatus).toBe(200);

  await page.reload();
  await expect(page.getByRole("switch", { name: "Require signed context tokens in Staging" })).not.toBeChecked();
  await page.getByRole("switch", { name: "Require signed context tokens in Staging" }).click();
  await page.getByRole("dialog", { name: "Require signed context tokens in Staging?" }).getByRole("button", { name: "Require tokens" }).click();
  await expect(page.getByRole("switch", { name: "Require signed context tokens in Staging" })).toBeChecked();
  await expect(page.getByRole("note")).toHaveCount(0);
  await expect.poll(portalStatus).toBe(401);
  await owner.dispose();
});
