import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading, recordingWriter } from "../../../test/helpers/recording-writer";
import { editor, flagRow, memoryFlagLookups, NOW, production, recordingLimits, staging, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { EnvironmentRow, FlagRow } from "../../infra/db/lookups.repository";
import type { OverrideKey, TenantOverrideRow } from "./overrides.repository";
import type { TenantOverridesRepository, TenantRef } from "./tenant-overrides.repository";
import { createTenantOverridesService, type OverridePowers } from "./tenant-overrides.service";

const mayLock: OverridePowers = { canLock: true };
const mayNotLock: OverridePowers = { canLock: false };

type StoredRow = TenantOverrideRow & { workspaceId: string; environmentId: string };

/** The repository in memory: one workspace's flags, environments, tenants and tenant overrides. */
function fakeRepository(flags: FlagRow[], environments: EnvironmentRow[], tenants: TenantRef[]) {
  const rows: StoredRow[] = [];
  let ids = 0;
  const inScope = (workspaceId: string) => rows.filter((row) => row.workspaceId === workspaceId);
  const matches = (row: StoredRow, key: OverrideKey) => row.flagId === key.flagId && row.environmentId === key.environmentId && row.tenantId === key.tenantId;
  const strip = ({ workspaceId: _w, environmentId: _e, ...row }: StoredRow): TenantOverrideRow => ({ ...row, tenant: { ...row.tenant } });
  const repo: TenantOverridesRepository = {
    ...memoryFlagLookups(flags, environments),
    async findTenant(_tx, workspaceId, key) {
      return workspaceId === WS ? (tenants.find((t) => t.key === key) ?? null) : null;
    },
    async find(_tx, workspaceId, key) {
      const row = inScope(workspaceId).find((r) => matches(r, key));
      return row ? strip(row) : null;
    },
    async list(_tx, workspaceId, filter, skip, take) {
      const search = filter.search?.toLowerCase();
      const found = inScope(workspaceId)
        .filter((r) => r.flagId === filter.flagId && r.environmentId === filter.environmentId)
        .filter((r) => filter.locked === undefined || r.locked === filter.locked)
        .filter((r) => filter.source === undefined || r.source === filter.source)
        .filter((r) => filter.variant === undefined || r.variant === filter.variant)
        .filter((r) => !search || [r.tenant.key, r.tenant.name].some((text) => text.toLowerCase().includes(search)))
        .sort((a, b) => a.tenant.key.localeCompare(b.tenant.key));
      return { total: found.length, items: found.slice(skip, skip + take).map(strip) };
    },
    async create(_tx, workspaceId, key, data) {
      if (inScope(workspaceId).some((r) => matches(r, key))) throw new Error("unique violation");
      const tenant = tenants.find((t) => t.id === key.tenantId)!;
      const at = new Date(NOW);
      const row: StoredRow = { id: `to-${++ids}`, workspaceId, ...key, ...data, version: 1, createdAt: at, updatedAt: at, tenant: { key: tenant.key, name: tenant.name } };
      rows.push(row);
      return strip(row);
    },
    ...versionedWrites(rows),
  };
  return { repo, rows };
}

describe("tenant overrides service", () => {
  const arizona: TenantRef = { id: "tenant-arizona", key: "arizona", name: "Arizona Realty" };
  const brooklyn: TenantRef = { id: "tenant-brooklyn", key: "brooklyn", name: "Brooklyn Homes" };
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let limited: string[][];
  let service: ReturnType<typeof createTenantOverridesService>;
  const ref = (tenant = "arizona", flagKey = "checkout", env = "production") => ({ flag: flagKey, env, tenant });

  beforeEach(() => {
    fake = fakeRepository([flagRow("checkout"), flagRow("legacy", { archivedAt: new Date(NOW - 1000) })], [staging, production], [arizona, brooklyn]);
    writer = recordingWriter();
    const { limits, checked } = recordingLimits();
    limited = checked;
    service = createTenantOverridesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, limits, now: () => NOW });
  });

  it("sets an override as the workspace's: checked against the environment's limits, audited with its tenant, bumped in its environment only", async () => {
    const { override, isCreated } = await service.set(WS, ref(), { variant: "on", expiresAt: "2026-06-02T00:00:00Z" }, undefined, mayNotLock, editor);
    expect(isCreated).toBe(true);
    expect(override).toMatchObject({
      flag: "checkout",
      environment: "production",
      tenant: { key: "arizona", name: "Arizona Realty" },
      variant: "on",
      source: "workspace_admin",
      locked: false,
      isExpired: false,
      version: 1,
      updatedBy: editor.email,
    });
    expect(limited).toEqual([[production.id]]);
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({
        actor: editor,
        workspaceId: WS,
        environment: production,
        tenant: arizona,
        action: "tenant_override.set",
        targetType: "tenant_override",
        targetKey: "checkout",
        before: null,
        after: { variant: "on", locked: false, source: "workspace_admin", expiresAt: "2026-06-02T00:00:00.000Z" },
      }),
    ]);
  });

  it("replaces an existing override only with the version read, auditing before and after", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, mayNotLock, editor);
    expect(await codeOf(service.set(WS, ref(), { variant: "off" }, undefined, mayNotLock, editor))).toBe("PRECONDITION_REQUIRED");
    expect(await codeOf(service.set(WS, ref(), { variant: "off" }, 7, mayNotLock, editor))).toBe("VERSION_MISMATCH");
    const { override, isCreated } = await service.set(WS, ref(), { variant: "off" }, 1, mayNotLock, editor);
    expect({ isCreated, variant: override.variant, version: override.version }).toEqual({ isCreated: false, variant: "off", version: 2 });
    expect(writer.committed.audit.map((r) => [r.action, r.before, r.after])).toEqual([
      ["tenant_override.set", null, { variant: "on", locked: false, source: "workspace_admin", expiresAt: null }],
      ["tenant_override.set", { variant: "on", locked: false, source: "workspace_admin", expiresAt: null }, { variant: "off", locked: false, source: "workspace_admin", expiresAt: null }],
    ]);
    expect(writer.committed.bumped).toEqual([[production.id], [production.id]]);
    // Replacing never grows the environment: only the creation was checked against its limits.
    expect(limited).toHaveLength(1);
  });

  it("takes over a tenant admin's choice as the workspace's", async () => {
    const created = await service.set(WS, ref(), { variant: "on" }, undefined, mayNotLock, editor);
    fake.rows[0]!.source = "tenant_admin";
    const { override } = await service.set(WS, ref(), { variant: "on" }, created.override.version, mayNotLock, editor);
    expect({ source: override.source, version: override.version }).toEqual({ source: "workspace_admin", version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({ before: { source: "tenant_admin" }, after: { source: "workspace_admin" } });
  });

  it("records and bumps nothing when the override is set to what it already is", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, mayNotLock, editor);
    const { override, isCreated } = await service.set(WS, ref(), { variant: "on" }, 1, mayNotLock, editor);
    expect({ isCreated, version: override.version }).toEqual({ isCreated: false, version: 1 });
    expect(writer.committed.audit).toHaveLength(1);
    expect(writer.committed.bumped).toHaveLength(1);
  });

  it("refuses unknown variants, past expiries, archived and unknown flags, unknown tenants and environments, and other workspaces, writing nothing", async () => {
    const set = (r: ReturnType<typeof ref>, variant = "on", expiresAt?: string, workspaceId = WS) =>
      codeOf(service.set(workspaceId, r, { variant, ...(expiresAt ? { expiresAt } : {}) }, undefined, mayLock, editor));
    expect(await set(ref(), "maybe")).toBe("VALIDATION_FAILED");
    expect(await set(ref(), "on", "2026-06-01T11:59:59Z")).toBe("VALIDATION_FAILED");
    expect(await set(ref("arizona", "legacy"))).toBe("CONFLICT");
    expect(await set(ref("arizona", "missing"))).toBe("NOT_FOUND");
    expect(await set(ref("chicago"))).toBe("NOT_FOUND");
    expect(await set(ref("arizona", "checkout", "qa"))).toBe("NOT_FOUND");
    expect(await set(ref(), "on", undefined, "ws-other")).toBe("NOT_FOUND");
    expect(fake.rows).toEqual([]);
    expect(limited).toEqual([]);
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
  });

  it("lets only those who may lock lock an override, or change or clear a locked one; an absent lock keeps the current one", async () => {
    expect(await codeOf(service.set(WS, ref(), { variant: "on", locked: true }, undefined, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(fake.rows).toEqual([]);

    const locked = await service.set(WS, ref(), { variant: "on", locked: true }, undefined, mayLock, editor);
    expect(locked.override.locked).toBe(true);
    expect(await codeOf(service.set(WS, ref(), { variant: "off" }, 1, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(await codeOf(service.set(WS, ref(), { variant: "off", locked: false }, 1, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(await codeOf(service.clear(WS, ref(), undefined, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(fake.rows.map((r) => [r.variant, r.locked, r.version])).toEqual([["on", true, 1]]);

    const changed = await service.set(WS, ref(), { variant: "off" }, 1, mayLock, editor);
    expect({ variant: changed.override.variant, locked: changed.override.locked }).toEqual({ variant: "off", locked: true });
    await service.clear(WS, ref(), undefined, mayLock, editor);
    expect(fake.rows).toEqual([]);
  });

  it("locks and unlocks an existing override, audited, with If-Match optional but checked when sent", async () => {
    expect(await codeOf(service.setLocked(WS, ref(), true, undefined, editor))).toBe("NOT_FOUND");
    await service.set(WS, ref(), { variant: "on" }, undefined, mayNotLock, editor);
    expect(await codeOf(service.setLocked(WS, ref(), true, 5, editor))).toBe("VERSION_MISMATCH");

    const locked = await service.setLocked(WS, ref(), true, undefined, editor);
    expect({ locked: locked.locked, version: locked.version }).toEqual({ locked: true, version: 2 });
    const again = await service.setLocked(WS, ref(), true, 2, editor);
    expect(again.version).toBe(2);
    const unlocked = await service.setLocked(WS, ref(), false, 2, editor);
    expect({ locked: unlocked.locked, version: unlocked.version }).toEqual({ locked: false, version: 3 });

    expect(writer.committed.audit.slice(1).map((r) => [r.action, r.before, r.after])).toEqual([
      ["tenant_override.locked", { variant: "on", locked: false, source: "workspace_admin", expiresAt: null }, { variant: "on", locked: true, source: "workspace_admin", expiresAt: null }],
      ["tenant_override.unlocked", { variant: "on", locked: true, source: "workspace_admin", expiresAt: null }, { variant: "on", locked: false, source: "workspace_admin", expiresAt: null }],
    ]);
    expect(writer.committed.bumped).toEqual([[production.id], [production.id], [production.id]]);
  });

  it("clears an override so the tenant follows the flag again, with If-Match optional but checked when sent", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, mayNotLock, editor);
    await service.set(WS, ref("arizona", "checkout", "staging"), { variant: "off" }, undefined, mayNotLock, editor);
    expect(await codeOf(service.clear(WS, ref(), 3, mayNotLock, editor))).toBe("VERSION_MISMATCH");
    await service.clear(WS, ref(), 1, mayNotLock, editor);
    expect(fake.rows.map((r) => r.environmentId)).toEqual([staging.id]);
    expect(await codeOf(service.clear(WS, ref(), undefined, mayNotLock, editor))).toBe("NOT_FOUND");
    expect(await codeOf(service.get(WS, ref()))).toBe("NOT_FOUND");
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "tenant_override.cleared",
      environment: production,
      tenant: arizona,
      before: { variant: "on", locked: false, source: "workspace_admin", expiresAt: null },
      after: null,
    });
    expect(writer.committed.bumped).toEqual([[production.id], [staging.id], [production.id]]);
  });

  it("lists a flag's overrides in one environment by tenant key, narrowed by the query", async () => {
    await service.set(WS, ref("brooklyn"), { variant: "off", locked: true }, undefined, mayLock, editor);
    await service.set(WS, ref("arizona"), { variant: "on" }, undefined, mayNotLock, editor);
    await service.set(WS, ref("arizona", "checkout", "staging"), { variant: "off" }, undefined, mayNotLock, editor);
    const list = (query: object) => service.list(WS, "checkout", "production", { page: 1, pageSize: 10, ...query });

    const all = await list({});
    expect({ total: all.total, tenants: all.items.map((i) => i.tenant.key), environments: all.items.map((i) => i.environment) }).toEqual({
      total: 2,
      tenants: ["arizona", "brooklyn"],
      environments: ["production", "production"],
    });
    expect((await list({ locked: true })).items.map((i) => i.tenant.key)).toEqual(["brooklyn"]);
    expect((await list({ variant: "on" })).items.map((i) => i.tenant.key)).toEqual(["arizona"]);
    expect((await list({ search: "HOMES" })).items.map((i) => i.tenant.key)).toEqual(["brooklyn"]);
    expect((await list({ source: "tenant_admin" })).total).toBe(0);
    expect(await codeOf(service.list(WS, "checkout", "qa", { page: 1, pageSize: 10 }))).toBe("NOT_FOUND");
  });
});
