import { expect, type Browser, type Page } from "@playwright/test";

/** Opens the producer portal demo in a fresh browser context, signed in as `producer`. */
export async function portalSignedInAs(browser: Browser, portalUrl: string, producer: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(portalUrl);
  await page.getByRole("button", { name: `Sign in as ${producer}` }).click();
  await expect(page.getByTestId("producer-name")).toHaveText(producer);
  await expect(page.getByText("Loading your features…")).toHaveCount(0);
  return page;
}

/** A link of the portal's sidebar. */
export const portalNavLink = (page: Page, name: string) => page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name });
