import { readFile } from "node:fs/promises";
import { apiAs } from "./support/api";
import { runSql } from "./support/database";
import { expect, test } from "./support/fixtures";

/*
 * Seed 004's retention policy from the owner's side: set a period, the job exports what is past
 * it, and the export downloads as JSON Lines. Entries from long ago cannot be made through the
 * API (every write is audited now), so three are written into the run's database directly; the
 * append-only trigger allows inserts. PiqueTickets is used: the finance-suite specs expect that
 * nothing has been removed there.
 */
test("an owner sets a retention period, and the job's export of the expired entries downloads as JSON Lines", async ({ page }) => {
  const api = await apiAs("owner");
  const actions = ["legacy.one", "legacy.two", "legacy.three"];
  runSql(
    `INSERT INTO audit_entries (workspace_id, at, actor_type, actor_email, action, target_type, target_key, after)
     SELECT w.id, now() - make_interval(days => 400 + n::int), 'user', 'former-admin@example.test', a, 'flag', 'legacy-flag-' || n, jsonb_build_object('n', n)
     FROM workspaces w, unnest(ARRAY['${actions.join("','")}']) WITH ORDINALITY AS t(a, n)
     WHERE w.slug = 'piquetickets'`,
  );

  await page.goto("/w/piquetickets/audit");
  await page.getByRole("button", { name: "Retention", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Audit retention" });
  await expect(dialog).toContainText("Nothing has been removed yet.");
  await dialog.getByLabel("Keep audit entries").selectOption("365");
  await dialog.getByRole("button", { name: "Save period" }).click();
  await expect(page.getByText("Audit entries are now kept for 1 year")).toBeVisible();

  // The job runs every few seconds in this run; the dialog shows its export once it has.
  const exports = dialog.getByRole("row").filter({ has: page.getByRole("button", { name: "Download" }) });
  await expect(async () => {
    await dialog.getByRole("button", { name: "Close" }).first().click();
    await page.getByRole("button", { name: "Retention", exact: true }).click();
    await expect(exports).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(exports.getByRole("cell").nth(2)).toHaveText("3");

  const downloading = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^audit-piquetickets-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.jsonl$/);
  const text = await readFile((await download.path())!, "utf8");
  const lines = text.trimEnd().split("\n");
  const entries = lines.map((line) => JSON.parse(line) as { action: string; targetKey: string; actor: { email?: string } | null; at: string });
  expect(entries.map((entry) => entry.action).sort()).toEqual([...actions].sort());
  expect(entries.every((entry) => Date.parse(entry.at) < Date.now() - 365 * 86_400_000)).toBe(true);
  expect(text).toContain("former-admin@example.test");

  // They are gone from the log, and the purge wrote its own entry.
  const legacy = await (await api.get("/v1/workspaces/piquetickets/audit?action=legacy.")).json();
  expect(legacy.items).toEqual([]);
  const purged = await (await api.get("/v1/workspaces/piquetickets/audit?action=audit.purged")).json();
  expect(purged.items.length).toBeGreaterThan(0);

  // Back to keeping everything, for the other specs sharing this workspace.
  await dialog.getByLabel("Keep audit entries").selectOption("");
  await dialog.getByRole("button", { name: "Save period" }).click();
  await expect(dialog).toContainText("Currently kept forever");
  await api.dispose();
});
