import type { CreateServiceTokenBody } from "@ensign/contracts/access-tokens";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, production, staging, WS } from "../../../test/helpers/service-fixtures";
import { sha256 } from "../auth/secrets";
import type { ServiceTokenRow, ServiceTokensRepository } from "./access-tokens.repository";
import { createServiceTokensService } from "./service-tokens.service";

const DAY_MS = 86_400_000;

type StoredToken = ServiceTokenRow & { workspaceId: string; environmentId: string | null; secretHash: string };

/** The repository in memory: service tokens, the environments they may be scoped to, and archived workspaces. */
function fakeRepository() {
  const tokens: StoredToken[] = [];
  const environments = [staging, production].map(({ id, key }) => ({ workspaceId: WS, id, key }));
  const archived = new Set<string>();
  let ids = 0;

  const rowOf = ({ workspaceId: _w, environmentId: _e, secretHash: _h, ...row }: StoredToken): ServiceTokenRow => structuredClone(row);
  const find = (workspaceId: string, id: string) => tokens.find((t) => t.workspaceId === workspaceId && t.id === id);

  const repo: ServiceTokensRepository = {
    async list(_tx, workspaceId) {
      return tokens
        .filter((t) => t.workspaceId === workspaceId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map(rowOf);
    },
    async find(_tx, workspaceId, id) {
      const row = find(workspaceId, id);
      return row ? rowOf(row) : null;
    },
    async create(_tx, workspaceId, data) {
      const environment = environments.find((e) => e.id === data.environmentId);
      const row: StoredToken = {
        id: `tok-${++ids}`,
        workspaceId,
        ...data,
        createdAt: new Date(NOW),
        lastUsedAt: null,
        revokedAt: null,
        environment: environment ? { key: environment.key } : null,
      };
      tokens.push(row);
      return rowOf(row);
    },
    async revoke(_tx, workspaceId, id, at) {
      const row = find(workspaceId, id);
      if (!row || row.revokedAt) return false;
      row.revokedAt = at;
      return true;
    },
    async findEnvironment(_tx, workspaceId, key) {
      const found = environments.find((e) => e.workspaceId === workspaceId && e.key === key);
      return found ? { id: found.id, key: found.key } : null;
    },
    async findByHash(secretHash) {
      const row = tokens.find((t) => t.secretHash === secretHash);
      if (!row) return null;
      const { id, name, role, expiresAt, revokedAt, lastUsedAt, workspaceId, environmentId, environment } = structuredClone(row);
      return { id, name, role, expiresAt, revokedAt, lastUsedAt, workspaceId, environmentId, environment, workspace: { archivedAt: archived.has(workspaceId) ? new Date(NOW) : null } };
    },
    async touch(id, at, staleBefore) {
      const row = tokens.find((t) => t.id === id);
      if (row && (!row.lastUsedAt || row.lastUsedAt <= staleBefore)) row.lastUsedAt = at;
    },
  };
  const rows = {
    save() {
      const saved = structuredClone(tokens);
      return () => void tokens.splice(0, tokens.length, ...saved);
    },
  };
  return { repo, rows, tokens, archived };
}

describe("service tokens service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createServiceTokensService>;
  let clock: number;
  let touches: number;

  const later = (ms: number) => {
    clock += ms;
  };
  const body = (name: string, fields: Partial<CreateServiceTokenBody> = {}): CreateServiceTokenBody => ({ name, role: "editor", environment: null, expiresInDays: 30, ...fields });

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    clock = NOW;
    touches = 0;
    const touch = fake.repo.touch.bind(fake.repo);
    fake.repo.touch = async (...args) => {
      touches += 1;
      await touch(...args);
    };
    service = createServiceTokensService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => new Date(clock) });
  });

  it("creates a token whose secret is in the answer alone, kept as its hash, audited without either", async () => {
    const created = await service.create(WS, body("deploy bot", { role: "viewer", expiresInDays: 90 }), admin);
    expect(created).toMatchObject({ name: "deploy bot", role: "viewer", environment: null, createdBy: admin.email, expiresAt: new Date(NOW + 90 * DAY_MS).toISOString(), revokedAt: null });
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    expect(fake.tokens[0]!.secretHash).toBe(sha256(created.secret));
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        environment: null,
        action: "service_token.created",
        targetType: "service_token",
        targetId: created.id,
        targetKey: created.prefix,
        after: { name: "deploy bot", prefix: created.prefix, role: "viewer", environment: null, expiresAt: created.expiresAt },
      },
    ]);
    expect(JSON.stringify(writer.committed.audit)).not.toContain(created.secret);
    expect(JSON.stringify(writer.committed.audit)).not.toContain(fake.tokens[0]!.secretHash);
    expect(await service.list(WS)).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
  });

  it("scopes a token to an environment of the workspace, refusing one that does not exist", async () => {
    const scoped = await service.create(WS, body("ci", { environment: "staging" }), admin);
    expect(scoped.environment).toBe("staging");
    expect(fake.tokens[0]!.environmentId).toBe(staging.id);
    expect(writer.committed.audit[0]).toMatchObject({ environment: { id: staging.id, key: "staging" }, after: { environment: "staging" } });

    const unknown = await refusal(service.create(WS, body("ci", { environment: "qa" }), admin));
    expect({ code: unknown.code, message: unknown.message }).toEqual({ code: "NOT_FOUND", message: "Environment 'qa' was not found." });
    expect(fake.tokens).toHaveLength(1);
    expect((await refusal(service.create("ws-other", body("ci", { environment: "staging" }), admin))).code).toBe("NOT_FOUND");
  });

  it("revokes a token once, audited; revoking it again changes and records nothing", async () => {
    const created = await service.create(WS, body("ci"), admin);
    later(5_000);
    const revoked = await service.revoke(WS, created.id, admin);
    expect(revoked.revokedAt).toBe(new Date(clock).toISOString());
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: WS,
      action: "service_token.revoked",
      targetType: "service_token",
      targetId: created.id,
      targetKey: created.prefix,
      before: { name: "ci", prefix: created.prefix, role: "editor", environment: null, expiresAt: created.expiresAt, revokedAt: null },
      after: { revokedAt: new Date(clock).toISOString() },
    });

    later(5_000);
    const again = await service.revoke(WS, created.id, admin);
    expect(again.revokedAt).toBe(revoked.revokedAt);
    expect(writer.committed.audit).toHaveLength(2);
    expect((await refusal(service.revoke(WS, "tok-nope", admin))).code).toBe("NOT_FOUND");
    expect((await refusal(service.revoke("ws-other", created.id, admin))).code).toBe("NOT_FOUND");
  });

  it("authenticates a live token, and never a revoked or expired one, nor one of an archived workspace", async () => {
    const live = await service.create(WS, body("live", { expiresInDays: 1 }), admin);
    const revoked = await service.create(WS, body("revoked"), admin);
    await service.revoke(WS, revoked.id, admin);

    expect(await service.authenticate(live.secret)).toMatchObject({ id: live.id, workspaceId: WS, role: "editor" });
    expect(await service.authenticate(revoked.secret)).toBeUndefined();
    expect(await service.authenticate(`${live.secret}x`)).toBeUndefined();

    later(DAY_MS - 1);
    expect(await service.authenticate(live.secret)).toBeDefined();
    later(1);
    expect(await service.authenticate(live.secret)).toBeUndefined();

    clock = NOW;
    fake.archived.add(WS);
    expect(await service.authenticate(live.secret)).toBeUndefined();
  });

  it("records a token's use at most once a minute", async () => {
    const { secret } = await service.create(WS, body("ci"), admin);
    await service.authenticate(secret);
    expect(fake.tokens[0]!.lastUsedAt).toEqual(new Date(NOW));
    later(59_000);
    await service.authenticate(secret);
    expect({ touches, lastUsedAt: fake.tokens[0]!.lastUsedAt }).toEqual({ touches: 1, lastUsedAt: new Date(NOW) });
    later(1_000); // exactly a minute after the recorded use
    await service.authenticate(secret);
    expect({ touches, lastUsedAt: fake.tokens[0]!.lastUsedAt }).toEqual({ touches: 2, lastUsedAt: new Date(clock) });
  });
});
