import { expect, test } from "./support/fixtures";
import { USERS } from "./support/users";

// A session of its own: going offline and back refreshes it, which must not race the shared one.
test.use({ storageState: { cookies: [], origins: [] } });

/**
 * Offline viewing (ADR 0026): after a visit online, the service worker has the app and the
 * flag lists it saw; offline, the app shows them under a banner and refuses to change anything.
 */
test("offline, the app shows the last-seen flags read-only under a banner", async ({ page, context }) => {
  await page.goto("/w/piquetickets/flags");
  await page.getByLabel("Email").fill(USERS.owner.email);
  await page.getByLabel("Password").fill(USERS.owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: /Knowledge Base/ }).first()).toBeVisible();
  // The worker takes the page, then sees the flag list's GETs (a first visit's came before it).
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  });
  await page.reload();
  await expect(page.getByRole("link", { name: /Knowledge Base/ }).first()).toBeVisible();
  await expect(page.getByTestId("offline-banner")).toHaveCount(0);

  await context.setOffline(true);
  await page.reload();
  const banner = page.getByTestId("offline-banner");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(/Offline, as of .+\d/);
  await expect(page.getByRole("link", { name: /Knowledge Base/ }).first()).toBeVisible();

  // A write is refused before it is sent, and says why.
  await page.getByRole("button", { name: "Create flag" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a flag" });
  await dialog.getByLabel("Name", { exact: true }).fill("Made offline");
  await dialog.getByRole("button", { name: "Create flag" }).click();
  await expect(page.getByText(/You are offline: Ensign is read-only until the connection is back, and nothing was changed\./).first()).toBeVisible();

  await context.setOffline(false);
  await expect(banner).toHaveCount(0);
});
