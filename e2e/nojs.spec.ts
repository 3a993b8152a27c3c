import { USERS } from "./support/users";
import { expect, test } from "./support/fixtures";

/**
 * The basic pages with JavaScript switched off (the `nojs` project): the React app never runs,
 * and everything here is the server's HTML and plain form posts (ADR 0025).
 */
test.use({ storageState: { cookies: [], origins: [] } });

test("without JavaScript, an admin signs in, searches, creates, switches and archives a flag", async ({ page }) => {
  const key = `nojs-${Date.now().toString(36)}`;
  await page.goto("/w/piquetickets/flags");
  // The app did not run: its root stays empty, and the server's sign-in form shows instead.
  await expect(page.locator("#root")).toBeEmpty();
  await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
  await page.getByLabel("Email").fill(USERS.owner.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is not correct.");
  await page.getByLabel("Password").fill(USERS.owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back where the sign-in began.
  await expect(page).toHaveURL(/\/w\/piquetickets\/flags$/);
  await expect(page.getByRole("heading", { name: "Flags in PiqueTickets" })).toBeVisible();

  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Name", { exact: true }).fill("Basic <b>HTML</b> flag");
  await page.getByRole("button", { name: "Create flag" }).click();
  await expect(page.getByRole("status")).toHaveText(`Flag ${key} was created.`);

  await page.getByRole("searchbox", { name: "Search flags" }).fill(key);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`search=${key}`));
  const rows = page.getByRole("row");
  // The header and the one flag that matches; its name is text, not markup.
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("cell", { name: "Basic <b>HTML</b> flag" })).toBeVisible();

  await page.getByRole("button", { name: `Turn on ${key} in production` }).click();
  // Production asks first.
  await expect(page.getByRole("heading", { name: `Turn on ${key} in Production?` })).toBeVisible();
  // With its blast radius: a new flag serves its off variant, so switching it on changes no tenant yet.
  await expect(page.getByText(new RegExp(`^No tenant's value of ${key} changes in Production \\(\\d+ tenants checked\\)\\.$`))).toBeVisible();
  await page.getByRole("button", { name: "Yes, turn on in Production" }).click();
  await expect(page.getByRole("status")).toHaveText(`Flag ${key} is now on in production.`);
  // The search stays, and the switch now turns it off.
  await expect(page).toHaveURL(new RegExp(`search=${key}`));
  await expect(page.getByRole("button", { name: `Turn off ${key} in production` })).toBeVisible();

  await page.getByRole("button", { name: `Archive ${key}` }).click();
  await expect(page.getByRole("status")).toHaveText(`Flag ${key} was archived.`);
  await expect(page.getByRole("row")).toHaveCount(0);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("status")).toHaveText("You are signed out.");
  await page.goto("/w/piquetickets/flags");
  await expect(page.getByRole("heading", { name: "Sign in to Ensign" })).toBeVisible();
});

test("without JavaScript, a viewer sees flags but no switches or forms", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Email").fill(USERS.viewer.email);
  await page.getByLabel("Password").fill(USERS.viewer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "PiqueTickets" }).click();
  await expect(page).toHaveURL(/\/w\/piquetickets\/flags$/);
  await expect(page.getByRole("table")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Turn (on|off) / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create flag" })).toHaveCount(0);
});
