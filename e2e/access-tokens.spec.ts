import { request } from "@playwright/test";
import { stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";
import { baseURL } from "./support/run";

const WS = "piquetickets";
const FLAG = "knowledge_base_enabled";

/** A request context that authenticates with an access token only. */
const withToken = (token: string) => request.newContext({ baseURL: baseURL(), extraHTTPHeaders: { authorization: `Bearer ${token}` } });

test.describe("access tokens", () => {
  test("an owner creates a viewer-capped personal token from the account menu, uses it, and revokes it", async ({ page }) => {
    const name = `release script ${Date.now()}`;
    await page.goto(`/w/${WS}/flags`);
    await page.getByRole("button", { name: /Account/ }).click();
    await page.getByRole("menuitem", { name: "Access tokens" }).click();
    await expect(page).toHaveURL(new RegExp(`/w/${WS}/account/tokens`));
    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New personal access token" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Highest role").selectOption("viewer");
    await dialog.getByLabel("Expires in (days)").fill("30");
    await dialog.getByRole("button", { name: "Create token" }).click();

    const shown = page.getByRole("dialog", { name: `Token "${name}" created` });
    const secret = (await shown.getByTestId("token-secret").textContent())!;
    expect(secret).toMatch(/^ens_pat_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole("button", { name: "I have stored the token" }).click();

    const row = page.getByRole("table", { name: "Access tokens" }).getByRole("row", { name: new RegExp(name) });
    await expect(row).toContainText(secret.slice(0, 14));
    await expect(row).toContainText("viewer");
    await expect(page.getByText(secret)).toHaveCount(0);

    const api = await withToken(secret);
    expect((await api.get(`/v1/workspaces/${WS}/flags`)).status()).toBe(200);
    const version = await stateVersion(api, WS, FLAG, "production");
    const write = await api.put(`/v1/workspaces/${WS}/flags/${FLAG}/environments/production/enabled`, { data: { enabled: true }, headers: { "if-match": `"${version}"` } });
    expect(write.status()).toBe(403);

    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog", { name: `Revoke "${name}"?` }).getByRole("button", { name: "Revoke token" }).click();
    await expect(row).toContainText("revoked");
    expect((await api.get(`/v1/workspaces/${WS}/flags`)).status()).toBe(401);
    await api.dispose();
  });

  test("an owner creates a staging-bound service token under Settings; it changes staging only", async ({ page }) => {
    const name = `ci staging ${Date.now()}`;
    await page.goto(`/w/${WS}/flags`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Service tokens" }).click();
    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New service token" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Role").selectOption("editor");
    await dialog.getByLabel("Environment").selectOption("staging");
    await dialog.getByRole("button", { name: "Create token" }).click();

    const shown = page.getByRole("dialog", { name: `Service token "${name}" created` });
    const secret = (await shown.getByTestId("token-secret").textContent())!;
    expect(secret).toMatch(/^ens_svc_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole("button", { name: "I have stored the token" }).click();
    const row = page.getByRole("table", { name: "Service tokens" }).getByRole("row", { name: new RegExp(name) });
    await expect(row).toContainText("editor");
    await expect(row).toContainText("staging");

    const api = await withToken(secret);
    const toggle = async (env: string) => {
      const version = await stateVersion(api, WS, FLAG, env);
      return api.put(`/v1/workspaces/${WS}/flags/${FLAG}/environments/${env}/enabled`, { data: { enabled: true }, headers: { "if-match": `"${version}"` } });
    };
    expect((await toggle("staging")).status()).toBe(200);
    expect((await toggle("production")).status()).toBe(403);

    await page.reload();
    await expect(row).not.toContainText("never");
    await row.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog", { name: `Revoke "${name}"?` }).getByRole("button", { name: "Revoke token" }).click();
    await expect(row).toContainText("revoked");
    expect((await api.get(`/v1/workspaces/${WS}/flags`)).status()).toBe(401);
    await api.dispose();
  });
});
