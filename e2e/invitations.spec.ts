import { apiAs } from "./support/api";
import { expect, test } from "./support/fixtures";
import { USERS } from "./support/users";

test.describe("invitations", () => {
  test("an owner invites someone new, who accepts in the admin app and lands in the workspace; the link then no longer works", async ({ browser, page }) => {
    const email = `invitee-${Date.now()}@example.test`;
    await page.goto("/w/finance-suite/members");
    await page.getByRole("button", { name: "Invite member" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a member" });
    await dialog.getByLabel("Email").fill(email);
    await dialog.getByLabel("Role").selectOption("editor");
    await dialog.getByRole("button", { name: "Create invitation" }).click();

    const shown = page.getByRole("dialog", { name: `Invitation for ${email}` });
    const link = (await shown.getByTestId("invitation-link").textContent())!;
    expect(link).toMatch(/\/invite\/ein_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole("button", { name: "Done" }).click();
    const pending = page.getByRole("table", { name: "Pending invitations" });
    await expect(pending.getByRole("row", { name: new RegExp(email) })).toContainText("editor");

    // The invitee, in a browser of their own with no session.
    const theirs = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });
    const invitee = await theirs.newPage();
    await invitee.goto(link);
    await expect(invitee.getByRole("heading", { name: "Join Finance Suite" })).toBeVisible();
    await expect(invitee.getByText(email).first()).toBeVisible();
    await invitee.getByLabel("Your name").fill("Ivy Invitee");
    await invitee.getByLabel("Password").fill("short");
    await invitee.getByRole("button", { name: "Create account and join" }).click();
    await expect(invitee.getByText(/at least 10 characters/).last()).toBeVisible();
    await invitee.getByLabel("Password").fill("ivy's long password");
    await invitee.getByRole("button", { name: "Create account and join" }).click();
    await expect(invitee).toHaveURL(/\/w\/finance-suite\//);
    await expect(invitee.getByRole("navigation", { name: "Main" })).toBeVisible();

    // Used once: opening it again says so.
    await invitee.goto(link);
    await expect(invitee.getByRole("heading", { name: "This invitation cannot be used" })).toBeVisible();
    await expect(invitee.getByRole("alert")).toContainText("already accepted");
    await theirs.close();

    await page.reload();
    await expect(page.getByRole("table", { name: "Members" }).getByRole("row", { name: new RegExp(email) })).toContainText("Ivy Invitee");
    await expect(page.getByRole("table", { name: "Pending invitations" })).toHaveCount(0);
  });

  test("someone with an account signs in as it to accept", async ({ browser }) => {
    // The demo's owner is the platform superadmin: a fresh workspace the editor is not in yet.
    const owner = await apiAs("owner");
    const slug = `invite-${Date.now()}`;
    expect((await owner.post("/v1/workspaces", { data: { slug, name: "Invited Space" } })).status()).toBe(201);
    const invited = await owner.post(`/v1/workspaces/${slug}/invitations`, { data: { email: USERS.editor.email, role: "viewer" } });
    expect(invited.status()).toBe(201);
    const link = ((await invited.json()) as { acceptUrl: string }).acceptUrl;
    await owner.dispose();

    const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(new URL(link).pathname);
    await page.getByRole("link", { name: "Sign in to accept" }).click();
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByLabel("Email").fill(USERS.editor.email);
    await page.getByLabel("Password").fill(USERS.editor.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Join Invited Space" })).toBeVisible();
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await expect(page).toHaveURL(new RegExp(`/w/${slug}`));
    await context.close();
  });

  test("an owner issues a password-reset link; the member sets a new password with it, once", async ({ browser, page }) => {
    const email = `reset-${Date.now()}@example.test`;
    const owner = await apiAs("owner");
    const invited = await owner.post("/v1/workspaces/finance-suite/invitations", { data: { email, role: "viewer" } });
    const token = ((await invited.json()) as { acceptUrl: string }).acceptUrl.split("/invite/")[1];
    expect((await owner.post("/v1/invitations/accept-new", { data: { token, name: "Rita Reset", password: "the forgotten one" } })).status()).toBe(201);
    await owner.dispose();

    await page.goto(`/w/finance-suite/members?search=${email}`);
    await page.getByRole("button", { name: `Reset the password of ${email}` }).click();
    const dialog = page.getByRole("dialog", { name: `Reset the password of ${email}` });
    await dialog.getByRole("button", { name: "Create reset link" }).click();
    const link = (await dialog.getByTestId("reset-link").textContent())!;
    expect(link).toMatch(/\/reset\/epr_[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole("button", { name: "Done" }).click();

    const theirs = await browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });
    const member = await theirs.newPage();
    await member.goto(link);
    await expect(member.getByText(email)).toBeVisible();
    await member.getByLabel("New password", { exact: true }).fill("the remembered one");
    await member.getByRole("button", { name: "Set new password" }).click();
    await expect(member.getByRole("heading", { name: "Your password is set" })).toBeVisible();
    await member.getByRole("link", { name: "Sign in" }).click();
    await member.getByLabel("Email").fill(email);
    await member.getByLabel("Password").fill("the remembered one");
    await member.getByRole("button", { name: "Sign in" }).click();
    await expect(member.getByRole("navigation", { name: "Main" })).toBeVisible();

    await member.goto(link);
    await expect(member.getByRole("heading", { name: "This reset link cannot be used" })).toBeVisible();
    await expect(member.getByRole("alert")).toContainText("already used");
    await theirs.close();
  });
});
