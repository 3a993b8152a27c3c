import { createHmac } from "node:crypto";
import { apiAs, stateVersion } from "./support/api";
import { expect, test } from "./support/fixtures";
import { startReceiver } from "./support/receiver";

const WS = "piquetickets";
const FLAG = "ai_agents_enabled";

test.describe("webhooks", () => {
  test("an owner adds a webhook, a change arrives signed, the delivery log shows it and redelivers it", async ({ page }) => {
    const receiver = await startReceiver();
    const name = `deploy bot ${Date.now()}`;
    try {
      await page.goto(`/w/${WS}/flags`);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
      await expect(page.getByRole("heading", { name: "Webhooks", exact: true })).toBeVisible();
      await page.getByRole("button", { name: "New webhook" }).click();
      const dialog = page.getByRole("dialog", { name: "New webhook or notification" });
      await dialog.getByLabel("Name").fill(name);
      await dialog.getByLabel("Endpoint URL").fill(receiver.url("/ensign"));
      await dialog.getByLabel("Event types").fill("flag_state.toggled");
      await dialog.getByLabel("Environments").fill("staging");
      await dialog.getByRole("button", { name: "Create" }).click();

      const shown = page.getByRole("dialog", { name: `Signing secret of "${name}"` });
      const secret = (await shown.getByTestId("webhook-secret").textContent())!;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      await shown.getByRole("button", { name: "I have stored the secret" }).click();
      const row = page.getByRole("table", { name: "Webhooks" }).getByRole("row", { name: new RegExp(name) });
      await expect(row).toContainText(receiver.url("/ensign"));
      await expect(row).toContainText("flag_state.toggled · staging");
      await expect(page.getByText(secret)).toHaveCount(0);

      // A change in staging goes out; one in production does not pass the filter.
      const owner = await apiAs("owner");
      for (const env of ["production", "staging"]) {
        const current = await owner.get(`/v1/workspaces/${WS}/flags/${FLAG}/environments/${env}`);
        const enabled = !((await current.json()) as { enabled: boolean }).enabled;
        const res = await owner.put(`/v1/workspaces/${WS}/flags/${FLAG}/environments/${env}/enabled`, {
          headers: { "if-match": `"${await stateVersion(owner, WS, FLAG, env)}"` },
          data: { enabled },
        });
        expect(res.status()).toBe(200);
      }
      await owner.dispose();
      await expect.poll(() => receiver.deliveries.length, { timeout: 15_000 }).toBe(1);
      const [delivery] = receiver.deliveries;
      const event = JSON.parse(delivery!.body) as { id: string; type: string; flag: string; environment: string };
      expect(event).toMatchObject({ type: "flag_state.toggled", flag: FLAG, environment: "staging" });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery!.headers["ensign-signature"]))!;
      expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${delivery!.body}`).digest("hex"));
      expect(delivery!.headers["idempotency-key"]).toBe(event.id);

      await row.getByRole("link", { name }).click();
      const log = page.getByRole("table", { name: "Deliveries" });
      const logRow = log.getByRole("row", { name: new RegExp(`event ${event.id}`) });
      await expect(logRow).toContainText("delivered");
      await expect(logRow).toContainText("200");
      await expect(logRow).toContainText(/\d+ ms/);
      await logRow.getByRole("button", { name: "Redeliver" }).click();
      await expect.poll(() => receiver.deliveries.length, { timeout: 15_000 }).toBe(2);
      expect(receiver.deliveries[1]!.headers["idempotency-key"]).toBe(event.id);
      await expect(logRow).toContainText("delivered", { timeout: 15_000 });

      // Edit, then delete.
      await page.getByRole("link", { name: "Webhooks" }).first().click();
      await row.getByRole("button", { name: "Edit" }).click();
      const edit = page.getByRole("dialog", { name: `Edit "${name}"` });
      await edit.getByLabel("Environments").fill("");
      await edit.getByRole("button", { name: "Save" }).click();
      await expect(row).toContainText("flag_state.toggled");
      await expect(row).not.toContainText("staging");
      await row.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("dialog", { name: `Delete "${name}"?` }).getByRole("button", { name: "Delete webhook" }).click();
      await expect(row).toHaveCount(0);
    } finally {
      await receiver.close();
    }
  });

  test("a URL on a private network is refused in the form", async ({ page }) => {
    await page.goto(`/w/${WS}/webhooks`);
    await page.getByRole("button", { name: "New webhook" }).click();
    const dialog = page.getByRole("dialog", { name: "New webhook or notification" });
    await dialog.getByLabel("Name").fill("metadata");
    await dialog.getByLabel("Endpoint URL").fill("http://169.254.169.254/latest/meta-data");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByText(/loopback, private or link-local/)).toBeVisible();
  });
});

test.describe("webhooks for an editor", () => {
  test.use({ role: "editor" });

  test("are neither in the sidebar nor reachable", async ({ page }) => {
    await page.goto(`/w/${WS}/flags`);
    await expect(page.getByRole("table", { name: "Feature flags" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" })).toHaveCount(0);
    await page.goto(`/w/${WS}/webhooks`);
    await expect(page.getByText("You do not have access to this page")).toBeVisible();
  });
});
