import type { Role } from "@ensign/contracts/auth";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, versionedWrites, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import type { MemberRow, MembersRepository } from "./members.repository";
import { createMembersService } from "./members.service";

type StoredMember = MemberRow & { workspaceId: string };

const tenants = [{ id: "tenant-goodwin", key: "goodwin", name: "Goodwin" }];

/** The repository in memory: one workspace's memberships and tenants, and how often the owners were locked. */
function fakeRepository() {
  const members: StoredMember[] = [];
  let ownerLocks = 0;
  const { inScope, strip } = workspaceRows(members);
  const repo: MembersRepository = {
    async list(_tx, workspaceId, query) {
      const found = inScope(workspaceId)
        .filter((m) => !query.role || m.role === query.role)
        .sort((a, b) => a.user.email.localeCompare(b.user.email));
      return { rows: found.map(strip), total: found.length };
    },
    async find(_tx, workspaceId, id) {
      const row = inScope(workspaceId).find((m) => m.id === id);
      return row ? strip(row) : null;
    },
    async tenantByKey(_tx, workspaceId, key) {
      const tenant = workspaceId === WS ? tenants.find((t) => t.key === key) : undefined;
      return tenant ? { id: tenant.id, key: tenant.key } : null;
    },
    async lockOwners(_tx, workspaceId) {
      ownerLocks += 1;
      return inScope(workspaceId).filter((m) => m.role === "owner").length;
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const row = inScope(workspaceId).find((m) => m.id === id && m.version === expectedVersion);
      if (!row) return null;
      Object.assign(row, { role: data.role, tenant: tenants.find((t) => t.id === data.tenantId) ?? null, version: row.version + 1 });
      return strip(row);
    },
    delete: versionedWrites(members).delete,
  };
  function add(name: string, role: Role) {
    const at = new Date(NOW);
    members.push({ workspaceId: WS, id: `m-${name}`, userId: `u-${name}`, role, version: 1, createdAt: at, updatedAt: at, user: { email: `${name}@example.test`, name, lastLoginAt: null }, tenant: null });
  }
  return { repo, members, add, ownerLocks: () => ownerLocks };
}

const owner: Actor = { type: "user", id: "u-olga", email: "olga@example.test", role: "owner" };

describe("members service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createMembersService>;
  const roles = () => fake.members.map((m) => [m.user.name, m.role, m.version]);

  beforeEach(() => {
    fake = fakeRepository();
    fake.add("olga", "owner");
    fake.add("ed", "editor");
    writer = recordingWriter();
    service = createMembersService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
  });

  it("changes a role under the version read, binding a tenant admin to their tenant, audited before and after", async () => {
    expect((await refusal(service.changeRole(WS, "admin", "m-ed", 3, { role: "viewer" }, admin))).code).toBe("VERSION_MISMATCH");
    const changed = await service.changeRole(WS, "admin", "m-ed", 1, { role: "tenant_admin", tenantKey: "goodwin" }, admin);
    expect(changed).toMatchObject({ role: "tenant_admin", tenant: { key: "goodwin" }, version: 2 });
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        action: "member.role_changed",
        targetType: "member",
        targetId: "m-ed",
        targetKey: "ed@example.test",
        tenant: { id: "tenant-goodwin", key: "goodwin" },
        before: { email: "ed@example.test", role: "editor", tenantKey: null },
        after: { email: "ed@example.test", role: "tenant_admin", tenantKey: "goodwin" },
      },
    ]);
    expect(writer.committed.bumped).toEqual([]);
    const unknown = await refusal(service.changeRole(WS, "admin", "m-ed", 2, { role: "tenant_admin", tenantKey: "harbor" }, admin));
    expect(unknown.details).toEqual({ issues: [{ path: "body.tenantKey", message: "no tenant with this key" }] });
  });

  it("lets only owners grant or remove the owner role", async () => {
    expect((await refusal(service.changeRole(WS, "admin", "m-ed", 1, { role: "owner" }, admin))).code).toBe("FORBIDDEN");
    expect((await refusal(service.changeRole(WS, "admin", "m-olga", 1, { role: "editor" }, admin))).code).toBe("FORBIDDEN");
    expect((await refusal(service.remove(WS, "admin", "m-olga", 1, admin))).code).toBe("FORBIDDEN");
    await service.changeRole(WS, "owner", "m-ed", 1, { role: "owner" }, owner);
    expect(roles()).toEqual([
      ["olga", "owner", 1],
      ["ed", "owner", 2],
    ]);
  });

  it("keeps the workspace's last owner, counting the owners under a lock", async () => {
    const last = await refusal(service.changeRole(WS, "owner", "m-olga", 1, { role: "admin" }, owner));
    expect(last.code).toBe("CONFLICT");
    expect(last.message).toBe("This is the workspace's last owner; make someone else an owner first.");
    expect((await refusal(service.remove(WS, "owner", "m-olga", 1, owner))).code).toBe("CONFLICT");
    expect(fake.ownerLocks()).toBe(2);
    expect(writer.committed.audit).toEqual([]);

    fake.add("otto", "owner");
    await service.changeRole(WS, "owner", "m-olga", 1, { role: "admin" }, owner);
    expect(roles()[0]).toEqual(["olga", "admin", 2]);
  });

  it("removes a member under the version read, audited; other workspaces find no one", async () => {
    expect((await refusal(service.remove(WS, "admin", "m-ed", 2, admin))).code).toBe("VERSION_MISMATCH");
    await service.remove(WS, "admin", "m-ed", 1, admin);
    expect(roles()).toEqual([["olga", "owner", 1]]);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({ actor: admin, action: "member.removed", targetId: "m-ed", tenant: null, before: { email: "ed@example.test", role: "editor", tenantKey: null } }),
    ]);
    expect((await refusal(service.get("ws-other", "m-olga"))).code).toBe("NOT_FOUND");
    const page = await service.list(WS, { page: 1, pageSize: 10, sort: "email", order: "asc" });
    expect(page.items.map((m) => [m.email, m.role])).toEqual([["olga@example.test", "owner"]]);
  });
});
