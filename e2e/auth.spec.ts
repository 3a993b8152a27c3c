import { apiAs } from "./support/api";
import { USERS } from "./support/users";
import { expect, test } from "./support/fixtures";

test.describe("signing in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("an admin signs in, lands in a workspace, and signs out", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await page.getByLabel("Email").fill(USERS.editor.email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText(/password|credentials/i);
    await expect(page.locator("[data-sonner-toast]")).toHaveCount(0);

    await page.getByLabel("Password").fill(USERS.editor.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/w\/[a-z0-9-]+\//);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

    // The session survives a reload: the app restores it from the httpOnly refresh cookie.
    await page.reload();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

    await page.getByRole("button", { name: /Account/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
  });
});

test("an unknown address shows the not-found page", async ({ page }) => {
  await page.goto("/w/piquetickets/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.goto("/w/no-such-workspace");
  await expect(page.getByRole("heading", { name: "Workspace not found" })).toBeVisible();
});

test("the workspace and environment switchers keep the choice", async ({ page }) => {
  await page.goto("/w/piquetickets/environments");
  await expect(page.getByRole("heading", { name: "Environments" })).toBeVisible();
  await page.getByLabel("Environment", { exact: true }).selectOption("staging");
  await page.getByRole("button", { name: /Switch workspace/ }).click();
  await page.getByRole("menuitem", { name: "Finance Suite" }).click();
  await expect(page).toHaveURL(/\/w\/finance-suite\//);
  await page.goto("/w/piquetickets/environments");
  await expect(page.getByLabel("Environment", { exact: true })).toHaveValue("staging");
});

test.describe("changing one's password", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a user changes their password from the account menu, and their other session ends", async ({ browser, page }) => {
    const email = `password-change-${Date.now()}@example.test`;
    const owner = await apiAs("owner");
    const invited = await owner.post("/v1/workspaces/finance-suite/invitations", { data: { email, role: "viewer" } });
    expect(invited.status()).toBe(201);
    const token = ((await invited.json()) as { acceptUrl: string }).acceptUrl.split("/invite/")[1];
    const accepted = await owner.post("/v1/invitations/accept-new", { data: { token, name: "Pat Change", password: "the first password" } });
    expect(accepted.status()).toBe(201);
    await owner.dispose();

    const signIn = async (target: typeof page, password: string) => {
      await target.goto("/login");
      await target.getByLabel("Email").fill(email);
      await target.getByLabel("Password").fill(password);
      await target.getByRole("button", { name: "Sign in" }).click();
    };
    const elsewhere = await browser.newContext();
    const otherPage = await elsewhere.newPage();
    await signIn(otherPage, "the first password");
    await expect(otherPage.getByRole("navigation", { name: "Main" })).toBeVisible();

    await signIn(page, "the first password");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.getByRole("button", { name: /Account/ }).click();
    await page.getByRole("menuitem", { name: "Change password" }).click();
    const dialog = page.getByRole("dialog", { name: "Change password" });
    await dialog.getByLabel("Current password").fill("not the password");
    await dialog.getByLabel("New password").fill("the second password");
    await dialog.getByRole("button", { name: "Change password" }).click();
    await expect(dialog.getByText(/not your current password/)).toBeVisible();
    await dialog.getByLabel("Current password").fill("the first password");
    await dialog.getByRole("button", { name: "Change password" }).click();
    await expect(dialog).toBeHidden();

    // This session stays; the other one is signed out at its next request.
    await page.reload();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await otherPage.reload();
    await expect(otherPage).toHaveURL(/\/login/);
    await signIn(otherPage, "the second password");
    await expect(otherPage.getByRole("navigation", { name: "Main" })).toBeVisible();
    await elsewhere.close();
  });
});
