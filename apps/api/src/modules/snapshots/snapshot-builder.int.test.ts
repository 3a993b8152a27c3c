import { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { buildSnapshot } from "./snapshot-builder";
import { snapshotsRepository } from "./snapshots.repository";

describe("snapshot builder", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let devId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    [devId, , prodId] = ws.environments.map((e) => e.id) as [string, string, string];
    const fin = await t.db.prisma.module.create({ data: { workspaceId: ws.id, key: "FIN", name: "Finance" } });
    const acme = await createTenant(t.db, ws.id, "acme", { plan: "pro", region: "north" });
    await createTenant(t.db, ws.id, "beta-co");
    await t.db.prisma.tenantModule.create({ data: { workspaceId: ws.id, tenantId: acme.id, moduleId: fin.id, enabled: false } });
    await createFlag(t.db, ws.id, { key: "base", states: { [prodId]: { enabled: true } } });
    const flag = await createFlag(t.db, ws.id, {
      key: "invoices",
      module: "FIN",
      dependsOn: ["base"],
      states: {
        [prodId]: {
          enabled: true,
          fallthrough: { split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } },
          tenantAllow: ["beta-co"],
          tenantDeny: ["acme"],
          rules: [
            { name: "first", conditions: [{ attribute: "role", operator: "equals", values: ["owner"] }], serve: { variant: "on" } },
            { conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "off" } },
          ],
        },
        [devId]: { enabled: false },
      },
    });
    await createFlag(t.db, ws.id, { key: "old", archived: true });
    const soon = new Date(Date.now() + 3_600_000);
    await t.db.prisma.tenantOverride.createMany({
      data: [
        { workspaceId: ws.id, flagId: flag.id, environmentId: prodId, tenantId: acme.id, variant: "on", source: "workspace_admin", locked: true, expiresAt: soon },
        { workspaceId: ws.id, flagId: flag.id, environmentId: devId, tenantId: acme.id, variant: "off", source: "workspace_admin" },
      ],
    });
    await t.db.prisma.userOverride.createMany({
      data: [
        { workspaceId: ws.id, flagId: flag.id, environmentId: prodId, userKey: "u1", variant: "on" },
        { workspaceId: ws.id, flagId: flag.id, environmentId: prodId, userKey: "expired", variant: "on", expiresAt: new Date(Date.now() - 1000) },
      ],
    });
    await t.db.prisma.segment.create({
      data: { workspaceId: ws.id, key: "vip", name: "VIP", includedTenants: ["acme"], rules: [{ conditions: [{ attribute: "plan", operator: "equals", values: ["pro"] }] }] },
    });
    await t.db.prisma.identity.create({ data: { workspaceId: ws.id, environmentId: prodId, key: "u1", traits: { stage: "onboarded" } } });
    await t.db.prisma.identity.create({ data: { workspaceId: ws.id, environmentId: devId, key: "u2", traits: {} } });
  });
  afterAll(() => t.close());

  it("reads everything one environment evaluates with, and nothing of the others", async () => {
    const rows = await snapshotsRepository.load(t.db.sql, prodId);
    const snapshot = buildSnapshot(rows!);
    expect(EnvironmentSnapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({ schemaVersion: 1, workspace: ws.slug, environment: "production", version: 1 });
    expect(snapshot.flags.map((f) => [f.key, f.archived])).toEqual([
      ["base", false],
      ["invoices", false],
      ["old", true],
    ]);
    const invoices = snapshot.flags[1]!;
    expect(invoices).toMatchObject({ module: "FIN", dependsOn: ["base"], offVariant: "off", onVariant: "on", deprecated: false });
    expect(invoices.state).toMatchObject({
      enabled: true,
      tenantAllow: ["beta-co"],
      tenantDeny: ["acme"],
      fallthrough: { split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } },
      tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true }],
      userOverrides: [{ userKey: "u1", variant: "on", expiresAt: null }],
    });
    expect(invoices.state.rules.map((r) => r.name ?? null)).toEqual(["first", null]);
    expect(snapshot.flags[2]!.state).toMatchObject({ enabled: false, rules: [], fallthrough: { variant: "off" }, version: 0 });
    expect(snapshot.tenants).toEqual([
      { key: "acme", attributes: { plan: "pro", region: "north" }, disabledModules: ["FIN"] },
      { key: "beta-co", attributes: {}, disabledModules: [] },
    ]);
    expect(snapshot.segments).toMatchObject([{ key: "vip", includedTenants: ["acme"], rules: [{ conditions: [{ attribute: "plan" }] }] }]);
    // Identities stay in PostgreSQL: the snapshot only knows that the environment has some.
    expect(snapshot.identities).toEqual([]);
    expect(rows!.environment.has_identities).toBe(true);
    expect((await snapshotsRepository.load(t.db.sql, ws.environments[1]!.id))!.environment.has_identities).toBe(false);
  });

  it("answers null for an environment that does not exist", async () => {
    expect(await snapshotsRepository.load(t.db.sql, "00000000-0000-7000-8000-000000000000")).toBeNull();
  });
});
