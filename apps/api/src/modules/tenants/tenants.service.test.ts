import { beforeEach, describe, expect, it } from "vitest";
import { recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, WS } from "../../../test/helpers/service-fixtures";
import type { TenantDependents, TenantModule, TenantRow, TenantsRepository } from "./tenants.repository";
import { createTenantsService } from "./tenants.service";

type StoredTenant = Omit<TenantRow, "modules"> & { workspaceId: string };
type Dependents = Omit<TenantDependents, "roles"> & { roles: (TenantDependents["roles"][number] & { tenantId: string })[] };

/** The repository in memory: tenants, their module switches, what goes with them, and where their keys are listed. */
function fakeRepository() {
  const tenants: StoredTenant[] = [];
  const switches: { tenantId: string; moduleId: string; enabled: boolean }[] = [];
  const modules: (TenantModule & { workspaceId: string })[] = [
    { workspaceId: WS, id: "mod-fin", key: "FIN", name: "Finance" },
    { workspaceId: WS, id: "mod-str", key: "STR", name: "Short-term rental" },
  ];
  const dependents: { tenantId: string; memberships: Dependents["memberships"]; invitations: Dependents["invitations"]; overrides: Dependents["overrides"] }[] = [];
  const roles: Dependents["roles"] = [];
  /** Tenant keys listed in allow/deny lists (`flagStates`) and segments. */
  const listed = { flagStates: [] as string[], segments: [] as string[] };
  let ids = 0;

  const rowOf = (tenant: StoredTenant): TenantRow => {
    const { workspaceId: _w, ...row } = structuredClone(tenant);
    return {
      ...row,
      modules: switches
        .filter((s) => s.tenantId === tenant.id)
        .map((s) => ({ enabled: s.enabled, module: { key: modules.find((m) => m.id === s.moduleId)!.key } })),
    };
  };
  const inScope = (workspaceId: string, id: string) => tenants.find((t) => t.workspaceId === workspaceId && t.id === id);
  const moduleOf = ({ id, key, name }: TenantModule) => ({ id, key, name });

  const repo: TenantsRepository = {
    async findByKey(_tx, workspaceId, key) {
      const row = tenants.find((t) => t.workspaceId === workspaceId && t.key === key);
      return row ? rowOf(row) : null;
    },
    async create(_tx, workspaceId, data) {
      if (tenants.some((t) => t.workspaceId === workspaceId && t.key === data.key)) return null;
      const at = new Date(NOW);
      const row: StoredTenant = { workspaceId, id: `tenant-${++ids}`, ...data, attributes: data.attributes as TenantRow["attributes"], version: 1, createdAt: at, updatedAt: at };
      tenants.push(row);
      return rowOf(row);
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const row = inScope(workspaceId, id);
      if (!row || row.version !== expectedVersion) return false;
      Object.assign(row, data, { version: row.version + 1 });
      return true;
    },
    async delete(_tx, workspaceId, id, expectedVersion) {
      const row = inScope(workspaceId, id);
      if (!row || row.version !== expectedVersion) return false;
      tenants.splice(tenants.indexOf(row), 1);
      return true;
    },
    async dependentsOf(_tx, _workspaceId, tenantId) {
      const found = dependents.find((d) => d.tenantId === tenantId);
      return {
        memberships: found?.memberships ?? [],
        invitations: found?.invitations ?? [],
        overrides: found?.overrides ?? [],
        roles: roles.filter((r) => r.tenantId === tenantId).map(({ tenantId: _t, ...role }) => role),
      };
    },
    async forgetTenantKey(_tx, _workspaceId, key) {
      const before = { flagStates: listed.flagStates.length, segments: listed.segments.length };
      listed.flagStates = listed.flagStates.filter((k) => k !== key);
      listed.segments = listed.segments.filter((k) => k !== key);
      return { flagStates: before.flagStates - listed.flagStates.length, segments: before.segments - listed.segments.length };
    },
    async setModule(_tx, workspaceId, tenantId, moduleId, enabled) {
      const existing = switches.find((s) => s.tenantId === tenantId && s.moduleId === moduleId);
      if (existing) existing.enabled = enabled;
      else switches.push({ tenantId, moduleId, enabled });
      const row = inScope(workspaceId, tenantId)!;
      row.version += 1;
    },
    async setModules(_tx, _workspaceId, tenantId, created) {
      for (const s of created) switches.push({ tenantId, ...s });
    },
    async modules(_tx, workspaceId) {
      return modules.filter((m) => m.workspaceId === workspaceId).map(moduleOf);
    },
    async findModule(_tx, workspaceId, key) {
      const found = modules.find((m) => m.workspaceId === workspaceId && m.key === key);
      return found ? moduleOf(found) : null;
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ tenants, switches, listed });
      return () => {
        tenants.splice(0, tenants.length, ...saved.tenants);
        switches.splice(0, switches.length, ...saved.switches);
        Object.assign(listed, saved.listed);
      };
    },
  };
  return { repo, rows, tenants, switches, dependents, roles, listed };
}

describe("tenants service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createTenantsService>;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createTenantsService({ writing: writer.writer, repo: fake.repo });
  });

  it("creates a tenant with its attributes and module switches, audited and bumped in every environment", async () => {
    const created = await service.create(WS, { key: "acme", name: "Acme", attributes: { plan: "pro" }, modules: { STR: false } }, admin);
    expect(created).toMatchObject({
      key: "acme",
      attributes: { plan: "pro" },
      modules: [
        { key: "FIN", name: "Finance", enabled: true },
        { key: "STR", name: "Short-term rental", enabled: false },
      ],
      version: 1,
    });
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        tenant: { id: created.id, key: "acme" },
        action: "tenant.created",
        targetType: "tenant",
        targetId: created.id,
        targetKey: "acme",
        after: { key: "acme", name: "Acme", attributes: { plan: "pro" }, disabledModules: ["STR"] },
      },
    ]);
    expect(writer.committed.bumped).toEqual([["*"]]);
  });

  it("refuses unknown modules, naming each, and a key already taken, creating nothing", async () => {
    const unknown = await refusal(service.create(WS, { key: "acme", name: "Acme", modules: { FIN: true, HR: false, OPS: true } }, admin));
    expect(unknown.code).toBe("VALIDATION_FAILED");
    expect(unknown.details).toEqual({
      issues: [
        { path: "body.modules.HR", message: "no module 'HR' in this workspace" },
        { path: "body.modules.OPS", message: "no module 'OPS' in this workspace" },
      ],
    });
    await service.create(WS, { key: "acme", name: "Acme" }, admin);
    const taken = await refusal(service.create(WS, { key: "acme", name: "Again", modules: { STR: false } }, admin));
    expect({ code: taken.code, message: taken.message }).toEqual({ code: "ALREADY_EXISTS", message: "Tenant 'acme' already exists." });
    expect(fake.tenants.map((t) => t.name)).toEqual(["Acme"]);
    expect(fake.switches).toEqual([]);
    expect(writer.committed.audit).toHaveLength(1);
  });

  it("edits under the version read, audits only what changed, and leaves an edit that changes nothing unrecorded", async () => {
    await service.create(WS, { key: "acme", name: "Acme", attributes: { plan: "pro" } }, admin);
    const stale = await refusal(service.update(WS, "acme", 2, { name: "Acme Inc" }, admin));
    expect({ code: stale.code, details: stale.details }).toEqual({ code: "VERSION_MISMATCH", details: { currentVersion: 1 } });

    const same = await service.update(WS, "acme", 1, { name: "Acme", attributes: { plan: "pro" } }, admin);
    expect(same.version).toBe(1);
    expect(writer.committed.audit).toHaveLength(1);

    const edited = await service.update(WS, "acme", 1, { attributes: null }, admin);
    expect(edited).toMatchObject({ attributes: {}, version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "tenant.updated", before: { attributes: { plan: "pro" } }, after: { attributes: {} } });
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
    expect((await refusal(service.update(WS, "initech", 1, { name: "x" }, admin))).code).toBe("NOT_FOUND");
  });

  it("switches a module only when its state changes, with an optional If-Match", async () => {
    await service.create(WS, { key: "acme", name: "Acme" }, admin);
    const unchanged = await service.setModule(WS, "acme", "FIN", true, undefined, admin);
    expect(unchanged.version).toBe(1);
    expect(writer.committed.audit).toHaveLength(1);

    expect((await refusal(service.setModule(WS, "acme", "FIN", false, 3, admin))).code).toBe("VERSION_MISMATCH");
    expect((await refusal(service.setModule(WS, "acme", "HR", false, undefined, admin))).message).toBe("Module 'HR' was not found.");
    const off = await service.setModule(WS, "acme", "FIN", false, 1, admin);
    expect(off).toMatchObject({ version: 2, modules: [{ key: "FIN", enabled: false }, { key: "STR", enabled: true }] });
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "tenant_module.disabled", targetId: "mod-fin", targetKey: "FIN", before: { enabled: true }, after: { enabled: false } });
    await service.setModule(WS, "acme", "FIN", true, undefined, admin);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "tenant_module.enabled", before: { enabled: false }, after: { enabled: true } });
  });

  it("deletes a tenant with what goes with it, one audit entry each, and takes its key out of lists", async () => {
    const acme = await service.create(WS, { key: "acme", name: "Acme" }, admin);
    fake.dependents.push({
      tenantId: acme.id,
      memberships: [{ id: "m-1", role: "tenant_admin", user: { email: "ta@acme.test" } }],
      invitations: [{ id: "i-1", email: "new@acme.test", role: "tenant_admin", expiresAt: new Date(NOW + 1000) }],
      overrides: [
        { id: "o-1", variant: "on", locked: true, source: "workspace_admin", expiresAt: null, flag: { key: "beta" }, environment: { id: "env-production", key: "production" } },
      ],
    });
    fake.roles.push({ tenantId: acme.id, id: "r-1", key: "night_shift", name: "Night shift", description: "", inherits: [], inheritedBy: [] });
    fake.listed.flagStates.push("acme", "globex");
    fake.listed.segments.push("acme");

    expect((await refusal(service.delete(WS, "acme", 2, admin))).code).toBe("VERSION_MISMATCH");
    await service.delete(WS, "acme", 1, admin);
    expect(fake.tenants).toEqual([]);
    expect(fake.listed).toEqual({ flagStates: ["globex"], segments: [] });
    const entries = writer.committed.audit.slice(1);
    expect(entries.map((e) => [e.action, e.targetKey])).toEqual([
      ["tenant.deleted", "acme"],
      ["member.removed", "ta@acme.test"],
      ["invitation.revoked", "new@acme.test"],
      ["tenant_override.cleared", "beta"],
      ["role.deleted", "night_shift"],
    ]);
    expect(entries[0]!.before).toMatchObject({ listedIn: { flagStates: 1, segments: 1 }, removed: { memberships: 1, overrides: 1 } });
    expect(entries[3]).toMatchObject({ environment: { id: "env-production", key: "production" }, before: { variant: "on", locked: true, removedWith: "tenant.deleted" } });
    expect(entries[4]!.before).toEqual({ key: "night_shift", name: "Night shift", description: "", inherits: [], inheritedBy: [], removedWith: "tenant.deleted" });
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
  });
});
