import type { Role } from "@ensign/contracts/auth";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, WS } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import { sha256 } from "../auth/secrets";
import type { InvitationRow, InvitationsRepository } from "./invitations.repository";
import { createInvitationsService } from "./invitations.service";

type StoredInvitation = InvitationRow & { tokenHash: string };

const TTL_MS = 7 * 24 * 3_600_000;
const owner: Actor = { type: "user", id: "u-0", email: "owner@example.test", role: "owner" };
const origin = { ip: "127.0.0.1", userAgent: "unit", requestId: "req-1" };

/** The repository in memory: invitations, users, memberships and tenants, with the workspaces links lead to. */
function fakeRepository() {
  const invitations: StoredInvitation[] = [];
  const users: { id: string; email: string; name: string; passwordHash: string }[] = [];
  const memberships: { id: string; workspaceId: string; userId: string; role: Role; tenantId: string | null }[] = [];
  const tenants = [{ workspaceId: WS, id: "tenant-goodwin", key: "goodwin", name: "Goodwin" }];
  const workspaces = new Map([[WS, { slug: "acme", name: "Acme", archivedAt: null as Date | null }]]);
  let ids = 0;

  const isPending = (row: StoredInvitation, now: Date) => !row.acceptedAt && !row.revokedAt && row.expiresAt > now;
  const rowOf = ({ tokenHash: _hash, ...row }: StoredInvitation): InvitationRow => structuredClone(row);
  const find = (workspaceId: string, id: string) => invitations.find((i) => i.workspaceId === workspaceId && i.id === id);
  const emailOf = (userId: string) => users.find((u) => u.id === userId)?.email;

  const repo: InvitationsRepository = {
    async list(_tx, workspaceId, query, now) {
      const found = invitations
        .filter((i) => i.workspaceId === workspaceId && (query.status === "all" || (query.status === "pending" && isPending(i, now))))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      return { rows: found.map(rowOf), total: found.length };
    },
    async find(_tx, workspaceId, id) {
      const row = find(workspaceId, id);
      return row ? rowOf(row) : null;
    },
    async findPendingFor(_tx, workspaceId, email, now) {
      const row = invitations.find((i) => i.workspaceId === workspaceId && i.email === email && isPending(i, now));
      return row ? { id: row.id } : null;
    },
    async create(_tx, workspaceId, data) {
      const tenant = tenants.find((t) => t.id === data.tenantId);
      const { tenantId: _t, invitedById: _by, ...columns } = data;
      const row: StoredInvitation = {
        id: `inv-${++ids}`,
        workspaceId,
        ...columns,
        acceptedAt: null,
        revokedAt: null,
        tenant: tenant ? { id: tenant.id, key: tenant.key, name: tenant.name } : null,
      };
      invitations.push(row);
      return rowOf(row);
    },
    async consume(_tx, workspaceId, id, now) {
      const row = find(workspaceId, id);
      if (!row || !isPending(row, now)) return false;
      row.acceptedAt = now;
      return true;
    },
    async revoke(_tx, workspaceId, id, now) {
      const row = find(workspaceId, id);
      if (!row || !isPending(row, now)) return false;
      row.revokedAt = now;
      return true;
    },
    async memberByEmail(_tx, workspaceId, email) {
      const found = memberships.find((m) => m.workspaceId === workspaceId && emailOf(m.userId) === email);
      return found ? { id: found.id } : null;
    },
    async tenantByKey(_tx, workspaceId, key) {
      const found = tenants.find((t) => t.workspaceId === workspaceId && t.key === key);
      return found ? { id: found.id, key: found.key } : null;
    },
    async findUserByEmail(_tx, email) {
      const found = users.find((u) => u.email === email);
      return found ? { id: found.id, email: found.email } : null;
    },
    async createUser(_tx, data) {
      const user = { id: `user-${++ids}`, ...data };
      users.push(user);
      return { id: user.id, email: user.email };
    },
    async createMembership(_tx, workspaceId, data) {
      const membership = { id: `mem-${++ids}`, workspaceId, ...data };
      memberships.push(membership);
      return { id: membership.id };
    },
    async findByTokenHash(tokenHash) {
      const row = invitations.find((i) => i.tokenHash === tokenHash);
      if (!row) return null;
      return { ...rowOf(row), tenantId: row.tenant?.id ?? null, workspace: { ...workspaces.get(row.workspaceId)! } };
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ invitations, users, memberships });
      return () => {
        invitations.splice(0, invitations.length, ...saved.invitations);
        users.splice(0, users.length, ...saved.users);
        memberships.splice(0, memberships.length, ...saved.memberships);
      };
    },
  };
  return { repo, rows, invitations, users, memberships, workspaces };
}

describe("invitations service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createInvitationsService>;
  let clock: number;

  const later = (ms: number) => {
    clock += ms;
  };
  const invite = (email: string, role: Role = "editor", by: { role: Role; actor: Actor } = { role: "admin", actor: admin }, tenantKey?: string) =>
    service.create(WS, by.role, { email, role, ...(tenantKey ? { tenantKey } : {}) }, by.actor);
  const stored = (email: string) => fake.invitations.find((i) => i.email === email)!;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    clock = NOW;
    service = createInvitationsService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, ttlMs: TTL_MS, now: () => new Date(clock) });
  });

  it("invites with a token shown once and only its hash kept, expiring after the time allowed, audited without the token", async () => {
    const { invitation, token } = await invite("ann@example.test");
    expect(invitation).toMatchObject({ email: "ann@example.test", role: "editor", status: "pending", invitedBy: admin.email, expiresAt: new Date(NOW + TTL_MS).toISOString() });
    expect(stored("ann@example.test").tokenHash).toBe(sha256(token));
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        action: "invitation.created",
        targetType: "invitation",
        targetId: invitation.id,
        targetKey: "ann@example.test",
        tenant: null,
        after: { email: "ann@example.test", role: "editor", tenantKey: null, expiresAt: invitation.expiresAt },
      },
    ]);
    expect(JSON.stringify(writer.committed.audit)).not.toContain(token);
  });

  it("lets only owners invite to, or revoke an invitation to, the owner role", async () => {
    expect((await refusal(invite("boss@example.test", "owner"))).code).toBe("FORBIDDEN");
    const { invitation } = await invite("boss@example.test", "owner", { role: "owner", actor: owner });
    expect((await refusal(service.revoke(WS, "admin", invitation.id, admin))).code).toBe("FORBIDDEN");
    expect(stored("boss@example.test").revokedAt).toBeNull();
    await service.revoke(WS, "owner", invitation.id, owner);
    expect(stored("boss@example.test").revokedAt).toEqual(new Date(NOW));
  });

  it("names a tenant admin's tenant, refusing one that does not exist", async () => {
    const unknown = await refusal(invite("ta@example.test", "tenant_admin", undefined, "nobody"));
    expect(unknown.code).toBe("VALIDATION_FAILED");
    expect(unknown.details).toEqual({ issues: [{ path: "body.tenantKey", message: "no tenant with this key" }] });
    const { invitation } = await invite("ta@example.test", "tenant_admin", undefined, "goodwin");
    expect(invitation.tenant).toMatchObject({ key: "goodwin" });
    expect(writer.committed.audit[0]).toMatchObject({ tenant: { id: "tenant-goodwin", key: "goodwin" }, after: { tenantKey: "goodwin" } });
  });

  it("refuses to invite a member, or an email with a pending invitation; an expired one no longer counts", async () => {
    await invite("ann@example.test");
    const pending = await refusal(invite("ann@example.test", "viewer"));
    expect({ code: pending.code, message: pending.message }).toEqual({
      code: "ALREADY_EXISTS",
      message: "ann@example.test already has a pending invitation; revoke it to send a new one.",
    });
    later(TTL_MS);
    const { invitation, token } = await invite("ann@example.test", "viewer");
    expect(invitation.role).toBe("viewer");
    await service.acceptAsNewUser(token, "Ann", "a long enough password", origin);
    expect((await refusal(invite("ann@example.test"))).message).toBe("ann@example.test is already a member of this workspace.");
    expect(fake.invitations).toHaveLength(2);
  });

  it("accepts a link once, for a new account, as the invitee", async () => {
    const { invitation, token } = await invite("ann@example.test", "editor");
    expect(await service.info(token)).toEqual({
      workspace: { slug: "acme", name: "Acme" },
      email: "ann@example.test",
      role: "editor",
      tenant: null,
      expiresAt: invitation.expiresAt,
    });
    later(60_000);
    expect(await service.acceptAsNewUser(token, "Ann", "a long enough password", origin)).toEqual({
      workspace: { slug: "acme", name: "Acme" },
      email: "ann@example.test",
      role: "editor",
    });
    const user = fake.users[0]!;
    expect({ email: user.email, name: user.name, hashed: user.passwordHash !== "a long enough password" }).toEqual({ email: "ann@example.test", name: "Ann", hashed: true });
    expect(fake.memberships).toEqual([{ id: expect.any(String), workspaceId: WS, userId: user.id, role: "editor", tenantId: null }]);
    expect(stored("ann@example.test").acceptedAt).toEqual(new Date(clock));
    expect(writer.committed.audit.at(-1)).toMatchObject({
      actor: { ...origin, type: "user", id: user.id, email: "ann@example.test", role: "editor" },
      action: "invitation.accepted",
      targetId: invitation.id,
      after: { email: "ann@example.test", role: "editor", membershipId: fake.memberships[0]!.id, userCreated: true },
    });

    expect((await refusal(service.acceptAsNewUser(token, "Ann", "another long password", origin))).code).toBe("LINK_USED");
    expect((await refusal(service.info(token))).code).toBe("LINK_USED");
    expect(fake.users).toHaveLength(1);
  });

  it("never sets the password of an account that already exists: its owner signs in and accepts", async () => {
    const { token } = await invite("bob@example.test");
    fake.users.push({ id: "user-bob", email: "bob@example.test", name: "Bob", passwordHash: "scrypt$kept" });
    const exists = await refusal(service.acceptAsNewUser(token, "Mallory", "a long enough password", origin));
    expect(exists.code).toBe("ALREADY_EXISTS");
    expect(fake.users).toEqual([{ id: "user-bob", email: "bob@example.test", name: "Bob", passwordHash: "scrypt$kept" }]);
    expect(stored("bob@example.test").acceptedAt).toBeNull();

    expect((await refusal(service.acceptAsUser(token, { id: "user-eve", email: "eve@example.test" }, origin))).code).toBe("FORBIDDEN");
    await service.acceptAsUser(token, { id: "user-bob", email: "bob@example.test" }, origin);
    expect(fake.memberships.map((m) => [m.userId, m.role])).toEqual([["user-bob", "editor"]]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "invitation.accepted", after: { userCreated: false } });
  });

  it("refuses to accept for an account already a member", async () => {
    const { token } = await invite("bob@example.test");
    fake.users.push({ id: "user-bob", email: "bob@example.test", name: "Bob", passwordHash: "x" });
    fake.memberships.push({ id: "mem-bob", workspaceId: WS, userId: "user-bob", role: "viewer", tenantId: null });
    const member = await refusal(service.acceptAsUser(token, { id: "user-bob", email: "bob@example.test" }, origin));
    expect({ code: member.code, message: member.message }).toEqual({ code: "ALREADY_EXISTS", message: "You are already a member of Acme." });
    expect(stored("bob@example.test").acceptedAt).toBeNull();
  });

  it("refuses expired, revoked and unknown links, and links into an archived workspace", async () => {
    const { token: expiring } = await invite("ann@example.test");
    const { invitation, token: revoked } = await invite("bob@example.test");
    await service.revoke(WS, "admin", invitation.id, admin);
    expect((await refusal(service.info(revoked))).code).toBe("LINK_REVOKED");
    expect((await refusal(service.acceptAsNewUser(revoked, "Bob", "a long enough password", origin))).code).toBe("LINK_REVOKED");
    expect((await refusal(service.info("inv_not-a-real-token"))).code).toBe("NOT_FOUND");

    later(TTL_MS - 1);
    expect((await service.info(expiring)).email).toBe("ann@example.test");
    later(1);
    expect((await refusal(service.info(expiring))).code).toBe("LINK_EXPIRED");
    expect((await refusal(service.acceptAsNewUser(expiring, "Ann", "a long enough password", origin))).code).toBe("LINK_EXPIRED");

    const { token: archived } = await invite("cat@example.test");
    fake.workspaces.get(WS)!.archivedAt = new Date(clock);
    expect((await refusal(service.info(archived))).code).toBe("NOT_FOUND");
    expect(fake.users).toEqual([]);
    expect(fake.memberships).toEqual([]);
  });

  it("refuses an acceptance when the invitation was revoked after its link was read, and writes nothing", async () => {
    const { invitation, token } = await invite("ann@example.test");
    const findByTokenHash = fake.repo.findByTokenHash.bind(fake.repo);
    // The link resolves as pending; by the time the acceptance writes, an admin has revoked it.
    fake.repo.findByTokenHash = async (hash) => {
      const resolved = await findByTokenHash(hash);
      await service.revoke(WS, "admin", invitation.id, admin);
      return resolved;
    };
    expect((await refusal(service.acceptAsNewUser(token, "Ann", "a long enough password", origin))).code).toBe("LINK_REVOKED");
    expect({ users: fake.users, memberships: fake.memberships }).toEqual({ users: [], memberships: [] });
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["invitation.created", "invitation.revoked"]);
  });

  it("revokes only pending invitations, audited", async () => {
    const { invitation } = await invite("ann@example.test");
    await service.revoke(WS, "admin", invitation.id, admin);
    expect(writer.committed.audit.at(-1)).toMatchObject({ actor: admin, action: "invitation.revoked", targetKey: "ann@example.test", before: { role: "editor" } });
    const again = await refusal(service.revoke(WS, "admin", invitation.id, admin));
    expect({ code: again.code, message: again.message }).toEqual({ code: "CONFLICT", message: "The invitation is revoked; only pending invitations can be revoked." });
    expect((await refusal(service.revoke(WS, "admin", "inv-nope", admin))).code).toBe("NOT_FOUND");
    expect((await refusal(service.revoke("ws-other", "admin", invitation.id, admin))).code).toBe("NOT_FOUND");
  });

  it("lists invitations with their status as of now", async () => {
    await invite("ann@example.test");
    later(TTL_MS);
    await invite("bob@example.test");
    const all = await service.list(WS, { page: 1, pageSize: 10, status: "all" });
    expect(all.items.map((i) => [i.email, i.status])).toEqual([
      ["bob@example.test", "pending"],
      ["ann@example.test", "expired"],
    ]);
    expect((await service.list(WS, { page: 1, pageSize: 10, status: "pending" })).total).toBe(1);
  });
});
