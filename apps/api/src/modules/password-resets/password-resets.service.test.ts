import type { Role } from "@ensign/contracts/auth";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { NOW, WS } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import { verifyPassword } from "../auth/passwords";
import { sha256 } from "../auth/secrets";
import type { PasswordResetsRepository } from "./password-resets.repository";
import { createPasswordResetsService, type Issuer } from "./password-resets.service";

const TTL_MS = 3_600_000;
/** Another workspace, which the owner of `WS` owns too. */
const WS_OWNED = "ws-owned";
/** A workspace the owner of `WS` does not own. */
const WS_ELSEWHERE = "ws-elsewhere";

const ownerActor: Actor = { type: "user", id: "u-owner", email: "owner@example.test", role: "owner" };
const owner: Issuer = { userId: "u-owner", isSuperadmin: false };
const superadmin: Issuer = { userId: "u-super", isSuperadmin: true };
const origin = { ip: "127.0.0.1", userAgent: "unit", requestId: "req-1" };

interface StoredReset {
  id: string;
  workspaceId: string;
  userId: string;
  tokenHash: string;
  issuedById: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/** The repository in memory: users with their sessions, memberships across workspaces, and reset links. */
function fakeRepository() {
  const users = [
    { id: "u-owner", email: "owner@example.test", isSuperadmin: false, disabledAt: null as Date | null, passwordHash: "old" },
    { id: "u-ann", email: "ann@example.test", isSuperadmin: false, disabledAt: null as Date | null, passwordHash: "old" },
    { id: "u-bob", email: "bob@example.test", isSuperadmin: false, disabledAt: null as Date | null, passwordHash: "old" },
    { id: "u-super", email: "super@example.test", isSuperadmin: true, disabledAt: null as Date | null, passwordHash: "old" },
  ];
  const memberships: { id: string; workspaceId: string; userId: string; role: Role }[] = [
    { id: "m-owner", workspaceId: WS, userId: "u-owner", role: "owner" },
    { id: "m-owner-2", workspaceId: WS_OWNED, userId: "u-owner", role: "owner" },
    { id: "m-ann", workspaceId: WS, userId: "u-ann", role: "editor" },
    { id: "m-ann-2", workspaceId: WS_OWNED, userId: "u-ann", role: "viewer" },
    { id: "m-bob", workspaceId: WS, userId: "u-bob", role: "editor" },
    { id: "m-super", workspaceId: WS, userId: "u-super", role: "viewer" },
  ];
  const sessions = [
    { userId: "u-ann", revokedAt: null as Date | null },
    { userId: "u-ann", revokedAt: null as Date | null },
    { userId: "u-ann", revokedAt: new Date(NOW - 1) as Date | null },
  ];
  const archived = new Set<string>();
  const resets: StoredReset[] = [];
  let ids = 0;

  const isUsable = (row: StoredReset, now: Date) => !row.usedAt && !row.revokedAt && row.expiresAt > now;
  const findReset = (workspaceId: string, id: string) => resets.find((r) => r.workspaceId === workspaceId && r.id === id);
  const isOwnerOf = (userId: string, workspaceId: string) => memberships.some((m) => m.userId === userId && m.workspaceId === workspaceId && m.role === "owner");

  const repo: PasswordResetsRepository = {
    async member(_tx, workspaceId, memberId) {
      const found = memberships.find((m) => m.workspaceId === workspaceId && m.id === memberId);
      const user = found && users.find((u) => u.id === found.userId)!;
      return found && user ? { id: found.id, role: found.role, user: { id: user.id, email: user.email, isSuperadmin: user.isSuperadmin } } : null;
    },
    async membershipsBeyondOwnership(userId, ownerId) {
      return memberships.filter((m) => m.userId === userId && !isOwnerOf(ownerId, m.workspaceId)).length;
    },
    async revokeUnused(_tx, workspaceId, userId, now) {
      for (const r of resets) if (r.workspaceId === workspaceId && r.userId === userId && !r.usedAt && !r.revokedAt) r.revokedAt = now;
    },
    async create(_tx, workspaceId, data) {
      const row: StoredReset = { id: `reset-${++ids}`, workspaceId, ...data, usedAt: null, revokedAt: null };
      resets.push(row);
      return { id: row.id, expiresAt: row.expiresAt };
    },
    async findByTokenHash(tokenHash) {
      const row = resets.find((r) => r.tokenHash === tokenHash);
      if (!row) return null;
      const user = users.find((u) => u.id === row.userId)!;
      const { id, workspaceId, userId, expiresAt, usedAt, revokedAt } = row;
      return {
        id,
        workspaceId,
        userId,
        expiresAt,
        usedAt,
        revokedAt,
        user: { email: user.email, disabledAt: user.disabledAt },
        workspace: { archivedAt: archived.has(workspaceId) ? new Date(NOW) : null },
      };
    },
    async consume(_tx, workspaceId, id, now) {
      const row = findReset(workspaceId, id);
      if (!row || !isUsable(row, now)) return false;
      row.usedAt = now;
      return true;
    },
    async find(_tx, workspaceId, id) {
      const row = findReset(workspaceId, id);
      return row ? { usedAt: row.usedAt, revokedAt: row.revokedAt, expiresAt: row.expiresAt } : null;
    },
    async membershipOf(_tx, workspaceId, userId) {
      const found = memberships.find((m) => m.workspaceId === workspaceId && m.userId === userId);
      return found ? { id: found.id, role: found.role } : null;
    },
    async setPasswordAndEndSessions(_tx, userId, passwordHash, now) {
      users.find((u) => u.id === userId)!.passwordHash = passwordHash;
      const live = sessions.filter((s) => s.userId === userId && !s.revokedAt);
      for (const s of live) s.revokedAt = now;
      return live.length;
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ users, sessions, resets });
      return () => {
        users.splice(0, users.length, ...saved.users);
        sessions.splice(0, sessions.length, ...saved.sessions);
        resets.splice(0, resets.length, ...saved.resets);
      };
    },
  };
  return { repo, rows, users, memberships, sessions, resets, archived };
}

describe("password resets service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createPasswordResetsService>;
  let clock: number;

  const later = (ms: number) => {
    clock += ms;
  };
  const user = (id: string) => fake.users.find((u) => u.id === id)!;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    clock = NOW;
    service = createPasswordResetsService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, ttlMs: TTL_MS, now: () => new Date(clock) });
  });

  it("issues a link shown once and kept hashed, expiring after the time allowed, audited without the token", async () => {
    const issued = await service.issue(WS, owner, "m-bob", ownerActor);
    expect(issued).toEqual({ token: expect.any(String), email: "bob@example.test", expiresAt: new Date(NOW + TTL_MS).toISOString() });
    expect(fake.resets).toEqual([expect.objectContaining({ workspaceId: WS, userId: "u-bob", tokenHash: sha256(issued.token), issuedById: "u-owner" })]);
    expect(writer.committed.audit).toEqual([
      {
        actor: ownerActor,
        workspaceId: WS,
        action: "member.password_reset_issued",
        targetType: "member",
        targetId: "m-bob",
        targetKey: "bob@example.test",
        after: { email: "bob@example.test", expiresAt: issued.expiresAt },
      },
    ]);
    expect(JSON.stringify(writer.committed.audit)).not.toContain(issued.token);
    expect(await service.info(issued.token)).toEqual({ email: "bob@example.test", expiresAt: issued.expiresAt });
  });

  it("lets an owner reset a member whose every workspace they own", async () => {
    await service.issue(WS, owner, "m-ann", ownerActor);
    expect(fake.resets.map((r) => r.userId)).toEqual(["u-ann"]);
  });

  it("refuses an owner a member who also belongs to a workspace they do not own; the superadmin may", async () => {
    fake.memberships.push({ id: "m-bob-3", workspaceId: WS_ELSEWHERE, userId: "u-bob", role: "viewer" });
    const refused = await refusal(service.issue(WS, owner, "m-bob", ownerActor));
    expect({ code: refused.code, message: refused.message }).toEqual({
      code: "FORBIDDEN",
      message: "This user also belongs to a workspace you do not own; ask the platform superadmin to reset the password.",
    });
    expect(fake.resets).toEqual([]);
    expect(writer.committed.audit).toEqual([]);

    await service.issue(WS, superadmin, "m-bob", ownerActor);
    expect(fake.resets.map((r) => [r.userId, r.issuedById])).toEqual([["u-bob", "u-super"]]);
  });

  it("refuses an owner a superadmin's password, and answers 404 for someone not a member here", async () => {
    expect((await refusal(service.issue(WS, owner, "m-super", ownerActor))).code).toBe("FORBIDDEN");
    expect((await refusal(service.issue(WS, owner, "m-nobody", ownerActor))).code).toBe("NOT_FOUND");
    expect((await refusal(service.issue(WS, owner, "m-ann-2", ownerActor))).code).toBe("NOT_FOUND");
    expect(fake.resets).toEqual([]);
  });

  it("keeps only the newest link of a member working", async () => {
    const first = await service.issue(WS, owner, "m-bob", ownerActor);
    later(1_000);
    const second = await service.issue(WS, owner, "m-bob", ownerActor);
    expect((await refusal(service.info(first.token))).code).toBe("LINK_REVOKED");
    expect((await refusal(service.redeem(first.token, "a new long password", origin))).code).toBe("LINK_REVOKED");
    expect((await service.info(second.token)).email).toBe("bob@example.test");
  });

  it("sets the password, ends every session and uses the link up, together", async () => {
    const { token } = await service.issue(WS, owner, "m-ann", ownerActor);
    later(60_000);
    await service.redeem(token, "a new long password", origin);
    expect(await verifyPassword("a new long password", user("u-ann").passwordHash)).toBe(true);
    expect(fake.sessions.map((s) => s.revokedAt)).toEqual([new Date(clock), new Date(clock), new Date(NOW - 1)]);
    expect(fake.resets[0]!.usedAt).toEqual(new Date(clock));
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: { ...origin, type: "user", id: "u-ann", email: "ann@example.test", role: "editor" },
      workspaceId: WS,
      action: "member.password_reset",
      targetType: "member",
      targetId: "m-ann",
      targetKey: "ann@example.test",
      after: { email: "ann@example.test", sessionsEnded: 2 },
    });

    const again = await refusal(service.redeem(token, "yet another password", origin));
    expect(again.code).toBe("LINK_USED");
    expect(await verifyPassword("a new long password", user("u-ann").passwordHash)).toBe(true);
  });

  it("refuses an expired link, an unknown one, and links of a disabled user or an archived workspace", async () => {
    const { token } = await service.issue(WS, owner, "m-ann", ownerActor);
    later(TTL_MS - 1);
    expect((await service.info(token)).email).toBe("ann@example.test");
    later(1);
    expect((await refusal(service.info(token))).code).toBe("LINK_EXPIRED");
    expect((await refusal(service.redeem(token, "a new long password", origin))).code).toBe("LINK_EXPIRED");
    expect((await refusal(service.info("rst_not-a-real-token"))).code).toBe("NOT_FOUND");

    const { token: disabled } = await service.issue(WS, owner, "m-bob", ownerActor);
    user("u-bob").disabledAt = new Date(clock);
    expect((await refusal(service.redeem(disabled, "a new long password", origin))).code).toBe("NOT_FOUND");

    const { token: closing } = await service.issue(WS, owner, "m-ann", ownerActor);
    fake.archived.add(WS);
    expect((await refusal(service.info(closing))).code).toBe("NOT_FOUND");
    expect(fake.users.map((u) => u.passwordHash)).toEqual(["old", "old", "old", "old"]);
  });

  it("holds a link only while its user is still a member of the workspace that issued it", async () => {
    const { token } = await service.issue(WS, owner, "m-bob", ownerActor);
    fake.memberships.splice(fake.memberships.findIndex((m) => m.id === "m-bob"), 1);
    const left = await refusal(service.redeem(token, "a new long password", origin));
    expect({ code: left.code, message: left.message }).toEqual({ code: "LINK_REVOKED", message: "This reset link is no longer valid." });
    expect(user("u-bob").passwordHash).toBe("old");
    expect(fake.resets[0]!.usedAt).toBeNull();
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["member.password_reset_issued"]);
  });

  it("refuses a redemption when a newer link replaced this one after it was read", async () => {
    const { token } = await service.issue(WS, owner, "m-bob", ownerActor);
    const findByTokenHash = fake.repo.findByTokenHash.bind(fake.repo);
    fake.repo.findByTokenHash = async (hash) => {
      const resolved = await findByTokenHash(hash);
      await service.issue(WS, owner, "m-bob", ownerActor);
      return resolved;
    };
    expect((await refusal(service.redeem(token, "a new long password", origin))).code).toBe("LINK_REVOKED");
    expect(user("u-bob").passwordHash).toBe("old");
  });
});
