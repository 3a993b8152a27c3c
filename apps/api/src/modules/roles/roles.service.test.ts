import type { CreateRoleBody } from "@ensign/contracts/roles";
import { ROLE_LIMITS } from "@ensign/contracts/roles";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, versionedWrites, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import type { RoleRow, RolesRepository, RoleTenant, RoleUsage } from "./roles.repository";
import { createRolesService, type RoleOwner } from "./roles.service";

type StoredRole = RoleRow & { workspaceId: string };

/** The repository in memory: roles, the workspace's tenants, and which rules name each role key. */
function fakeRepository() {
  const roles: StoredRole[] = [];
  const tenants: (RoleTenant & { workspaceId: string })[] = [
    { workspaceId: WS, id: "t-acme", key: "acme" },
    { workspaceId: WS, id: "t-globex", key: "globex" },
  ];
  const usage = new Map<string, RoleUsage>();
  const flagCounts = new Map<string, number>();
  let ids = 0;
  let locks = 0;
  const { inScope, strip } = workspaceRows(roles);
  const writes = versionedWrites(roles);

  const repo: RolesRepository = {
    async all(_tx, workspaceId) {
      return inScope(workspaceId)
        .sort((a, b) => a.key.localeCompare(b.key))
        .map(strip);
    },
    async lock() {
      locks += 1;
    },
    async findTenant(_tx, workspaceId, by) {
      const found = tenants.find((t) => t.workspaceId === workspaceId && ("id" in by ? t.id === by.id : t.key === by.key));
      return found ? { id: found.id, key: found.key } : null;
    },
    async tenants(_tx, workspaceId, wanted) {
      return tenants.filter((t) => t.workspaceId === workspaceId && wanted.includes(t.id)).map(({ id, key }) => ({ id, key }));
    },
    async create(_tx, workspaceId, tenantId, data) {
      const at = new Date(NOW);
      const row: StoredRole = { workspaceId, tenantId, id: `role-${++ids}`, description: "", inherits: [], inheritedBy: [], version: 1, createdAt: at, updatedAt: at, ...data };
      roles.push(row);
      return strip(row);
    },
    async update(tx, workspaceId, id, expectedVersion, data) {
      if (!(await writes.update(tx, workspaceId, id, expectedVersion, data))) return null;
      return strip(roles.find((r) => r.id === id)!);
    },
    delete: writes.delete,
    async flagCounts(_tx, workspaceId) {
      return workspaceId === WS ? flagCounts : new Map();
    },
    async usage(_tx, workspaceId, key) {
      return (workspaceId === WS ? usage.get(key) : undefined) ?? { flags: [], segments: [] };
    },
  };
  const rows = {
    save() {
      const saved = structuredClone(roles);
      return () => void roles.splice(0, roles.length, ...saved);
    },
  };
  return { repo, rows, roles, usage, flagCounts, locks: () => locks };
}

const WORKSPACE: RoleOwner = { tenant: null };
const ACME: RoleOwner = { tenant: { key: "acme" } };
const GLOBEX: RoleOwner = { tenant: { key: "globex" } };

describe("roles service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createRolesService>;
  const role = (key: string, fields: Partial<CreateRoleBody> = {}): CreateRoleBody => ({ key, name: key, inherits: [], ...fields });
  const create = (owner: RoleOwner, key: string, fields: Partial<CreateRoleBody> = {}) => service.create(WS, owner, role(key, fields), admin);
  const keysOf = async (owner: RoleOwner) => (await service.list(WS, owner)).items.map((r) => [r.key, r.level, r.tenantKey]);

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createRolesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
  });

  it("creates roles under the workspace lock, audited, bumped in every environment, and lists each hierarchy by level", async () => {
    await create(WORKSPACE, "viewer");
    const editor = await create(WORKSPACE, "editor", { inherits: ["viewer"], description: "Edits" });
    expect(editor).toMatchObject({ key: "editor", level: 1, tenantKey: null, usedByFlags: 0, description: "Edits", version: 1 });
    await create(ACME, "night_shift", { inheritedBy: ["editor"] });
    expect(fake.locks()).toBe(3);
    expect(writer.committed.bumped).toEqual([["*"], ["*"], ["*"]]);
    expect(writer.committed.audit[1]).toEqual({
      actor: admin,
      workspaceId: WS,
      action: "role.created",
      targetType: "role",
      targetId: editor.id,
      targetKey: "editor",
      tenant: null,
      after: { key: "editor", name: "editor", description: "Edits", inherits: ["viewer"], inheritedBy: [] },
    });
    expect(writer.committed.audit[2]).toMatchObject({ targetKey: "night_shift", tenant: { id: "t-acme", key: "acme" } });

    fake.flagCounts.set("editor", 3);
    expect(await keysOf(WORKSPACE)).toEqual([
      ["viewer", 0, null],
      ["editor", 1, null],
    ]);
    // Placed under editor, acme's night shift is one of the roles editor inherits there.
    expect(await keysOf(ACME)).toEqual([
      ["night_shift", 0, "acme"],
      ["viewer", 0, null],
      ["editor", 1, null],
    ]);
    expect(await keysOf(GLOBEX)).toEqual([
      ["viewer", 0, null],
      ["editor", 1, null],
    ]);
    expect((await service.list(WS, WORKSPACE)).items.find((r) => r.key === "editor")!.usedByFlags).toBe(3);
  });

  it("names an unknown tenant by key to staff and as 'your tenant' to its tenant admin", async () => {
    const byKey = await refusal(service.list(WS, { tenant: { key: "initech" } }));
    expect({ code: byKey.code, message: byKey.message }).toEqual({ code: "NOT_FOUND", message: "Tenant 'initech' was not found." });
    const byId = await refusal(create({ tenant: { id: "t-gone" } }, "temp"));
    expect({ code: byId.code, message: byId.message }).toEqual({ code: "NOT_FOUND", message: "Your tenant was not found." });
    expect(await keysOf({ tenant: { id: "t-acme" } })).toEqual([]);
  });

  it("keeps a key to one role per hierarchy: tenants may share a key, never with the workspace", async () => {
    await create(WORKSPACE, "viewer");
    await create(ACME, "night_shift");
    await create(GLOBEX, "night_shift");
    const clash = await refusal(create(ACME, "viewer"));
    expect({ code: clash.code, message: clash.message }).toEqual({ code: "ALREADY_EXISTS", message: "Role 'viewer' already exists (defined by the workspace)." });
    const taken = await refusal(create(WORKSPACE, "night_shift"));
    expect(taken.message).toBe("Role 'night_shift' already exists (defined by tenant 'acme', tenant 'globex').");
    expect(fake.roles.map((r) => [r.key, r.tenantId])).toEqual([
      ["viewer", null],
      ["night_shift", "t-acme"],
      ["night_shift", "t-globex"],
    ]);
  });

  it("refuses roles naming themselves, roles outside their hierarchy, or inheritedBy on a workspace role, naming each field", async () => {
    await create(WORKSPACE, "viewer");
    await create(GLOBEX, "auditor");
    const bad = await refusal(create(ACME, "lead", { inherits: ["viewer", "auditor"], inheritedBy: ["lead"] }));
    expect(bad.code).toBe("VALIDATION_FAILED");
    expect(bad.details).toEqual({
      issues: [
        { path: "body.inherits.1", message: "there is no role 'auditor' for tenant 'acme' or the workspace" },
        { path: "body.inheritedBy.0", message: "a role cannot name itself" },
      ],
    });
    const placed = await refusal(create(WORKSPACE, "editor", { inheritedBy: ["viewer"] }));
    expect(placed.details).toEqual({ issues: [{ path: "body.inheritedBy", message: "only a tenant's own roles can be placed under a workspace role" }] });
    expect(fake.roles.map((r) => r.key)).toEqual(["viewer", "auditor"]);
    expect(writer.committed.audit).toHaveLength(2);
  });

  it("refuses a change that would close a cycle, in the workspace or through a tenant's roles", async () => {
    await create(WORKSPACE, "viewer");
    await create(WORKSPACE, "editor", { inherits: ["viewer"] });
    const cycle = await refusal(service.update(WS, WORKSPACE, "viewer", 1, { inherits: ["editor"] }, admin));
    expect(cycle.code).toBe("ROLE_CYCLE");
    expect(cycle.details).toEqual({ cycle: ["viewer", "editor", "viewer"] });

    await create(ACME, "lead", { inherits: ["editor"] });
    const through = await refusal(service.update(WS, ACME, "lead", 1, { inheritedBy: ["viewer"] }, admin));
    expect(through.code).toBe("ROLE_CYCLE");
    expect(through.message).toBe("Roles cannot inherit themselves: this change would make lead → editor → viewer → lead for tenant 'acme'.");
    expect(fake.roles.map((r) => [r.key, r.inherits, r.inheritedBy, r.version])).toEqual([
      ["viewer", [], [], 1],
      ["editor", ["viewer"], [], 1],
      ["lead", ["editor"], [], 1],
    ]);
  });

  it("updates only under the version read, audits what changed, and clears the description with null", async () => {
    await create(WORKSPACE, "viewer", { description: "Reads" });
    const stale = await refusal(service.update(WS, WORKSPACE, "viewer", 3, { name: "Reader" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });
    expect((await refusal(service.update(WS, ACME, "viewer", 1, { name: "Reader" }, admin))).message).toBe("Role 'viewer' of tenant 'acme' was not found.");

    const updated = await service.update(WS, WORKSPACE, "viewer", 1, { name: "Reader", description: null }, admin);
    expect(updated).toMatchObject({ name: "Reader", description: "", version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "role.updated", before: { name: "viewer", description: "Reads" }, after: { name: "Reader", description: "" } });
    expect(writer.committed.bumped).toHaveLength(2);
  });

  it("refuses to delete a role others inherit or rules name, unless another tenant defines the key", async () => {
    await create(WORKSPACE, "viewer");
    await create(ACME, "lead", { inherits: ["viewer"] });
    const inherited = await refusal(service.delete(WS, WORKSPACE, "viewer", 1, admin));
    expect({ code: inherited.code, message: inherited.message, details: inherited.details }).toEqual({
      code: "CONFLICT",
      message: "Role 'viewer' is inherited by lead: change it first.",
      details: { roles: ["lead"] },
    });

    fake.usage.set("lead", { flags: [], segments: ["staff"] });
    expect((await refusal(service.delete(WS, ACME, "lead", 1, admin))).message).toBe("Role 'lead' is used by the rules of segment staff.");
    fake.usage.set("lead", { flags: ["reports"], segments: ["staff"] });
    const used = await refusal(service.delete(WS, ACME, "lead", 1, admin));
    expect({ code: used.code, message: used.message, details: used.details }).toEqual({
      code: "CONFLICT",
      message: "Role 'lead' is used by the rules of flag reports, segment staff.",
      details: { flags: ["reports"], segments: ["staff"] },
    });

    // Rules naming 'lead' still find it in globex's hierarchy.
    await create(GLOBEX, "lead");
    expect((await refusal(service.delete(WS, ACME, "lead", 2, admin))).code).toBe("VERSION_MISMATCH");
    await service.delete(WS, ACME, "lead", 1, admin);
    expect(fake.roles.map((r) => [r.key, r.tenantId])).toEqual([
      ["viewer", null],
      ["lead", "t-globex"],
    ]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "role.deleted", targetKey: "lead", tenant: { key: "acme" }, before: { key: "lead", inherits: ["viewer"] } });
  });

  it(`refuses more than ${ROLE_LIMITS.rolesPerScope} roles in one scope, counting each tenant apart`, async () => {
    for (let i = 0; i < ROLE_LIMITS.rolesPerScope; i++) await create(ACME, `r${i}`);
    const tooMany = await refusal(create(ACME, "one_more"));
    expect({ code: tooMany.code, message: tooMany.message }).toEqual({ code: "LIMIT_EXCEEDED", message: `At most ${ROLE_LIMITS.rolesPerScope} roles per tenant.` });
    await create(GLOBEX, "one_more");
    await create(WORKSPACE, "viewer");
    expect(fake.roles).toHaveLength(ROLE_LIMITS.rolesPerScope + 2);
  });
});
