import type { ListApiKeysQuery } from "@ensign/contracts/api-keys";
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, production, staging, WS } from "../../../test/helpers/service-fixtures";
import type { ApiKeysRepository, ApiKeyWithHash } from "./api-keys.repository";
import { createApiKeysService } from "./api-keys.service";

type StoredKey = ApiKeyWithHash & { workspaceId: string };

/** The repository in memory: one workspace's environments and API keys, hashes included. */
function fakeRepository() {
  const keys: StoredKey[] = [];
  let ids = 0;
  const withoutHash = ({ workspaceId: _w, secretHash: _h, ...row }: StoredKey) => ({ ...row });
  const repo: ApiKeysRepository = {
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS ? ([production, staging].find((e) => e.key === key) ?? null) : null;
    },
    async list(_tx, workspaceId, query, environmentId) {
      const found = keys
        .filter((k) => k.workspaceId === workspaceId && (!environmentId || k.environmentId === environmentId))
        .filter((k) => query.includeRevoked || k.revokedAt === null)
        .sort((a, b) => a.name.localeCompare(b.name));
      return { rows: found.map(withoutHash), total: found.length };
    },
    async find(_tx, workspaceId, environmentId, id) {
      const row = keys.find((k) => k.workspaceId === workspaceId && k.environmentId === environmentId && k.id === id);
      return row ? (({ workspaceId: _w, ...rest }) => ({ ...rest }))(row) : null;
    },
    async create(_tx, workspaceId, data) {
      const environment = [production, staging].find((e) => e.id === data.environmentId)!;
      const row: StoredKey = { workspaceId, id: `key-${++ids}`, ...data, createdAt: new Date(NOW), lastUsedAt: null, revokedAt: null, environment: { key: environment.key } };
      keys.push(row);
      return withoutHash(row);
    },
    async revoke(_tx, workspaceId, id, at) {
      const row = keys.find((k) => k.workspaceId === workspaceId && k.id === id && k.revokedAt === null);
      if (!row) return false;
      row.revokedAt = at;
      return true;
    },
  };
  return { repo, keys };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const query = (fields: Partial<ListApiKeysQuery> = {}): ListApiKeysQuery => ({ page: 1, pageSize: 10, includeRevoked: true, sort: "name", order: "asc", ...fields });

describe("api keys service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createApiKeysService>;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter();
    service = createApiKeysService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => NOW });
  });

  it("creates a key whose secret is answered once and stored only as its hash, audited without either", async () => {
    const created = await service.create(WS, "production", { name: "Backend", kind: "server" }, admin);
    expect(created.secret).toMatch(/^ens_srv_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: "Backend", kind: "server", prefix: created.secret.slice(0, 14), environment: "production", createdBy: admin.email, revokedAt: null });
    expect(fake.keys.map((k) => [k.environmentId, k.secretHash])).toEqual([[production.id, sha256(created.secret)]]);
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        environment: production,
        action: "api_key.created",
        targetType: "api_key",
        targetId: created.id,
        targetKey: created.prefix,
        after: { name: "Backend", kind: "server", prefix: created.prefix, environment: "production" },
      },
    ]);
    expect(JSON.stringify(writer.committed)).not.toContain(created.secret.slice(14));
    expect(writer.committed.bumped).toEqual([]);
  });

  it("revokes a key once: stored, audited and announced after the commit with its hash; a second revocation changes nothing", async () => {
    const created = await service.create(WS, "staging", { name: "Web", kind: "client" }, admin);
    const revoked = await service.revoke(WS, "staging", created.id, admin);
    expect(revoked.revokedAt).toBe(new Date(NOW).toISOString());
    expect(writer.revoked).toEqual([
      { workspaceId: WS, environmentId: staging.id, keys: [{ id: created.id, secretHash: sha256(created.secret) }], reason: "revoked", at: new Date(NOW).toISOString() },
    ]);
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "api_key.revoked",
      environment: staging,
      before: { name: "Web", kind: "client", prefix: created.prefix, environment: "staging", revokedAt: null },
      after: { revokedAt: new Date(NOW).toISOString() },
    });

    const again = await service.revoke(WS, "staging", created.id, admin);
    expect(again.revokedAt).toBe(new Date(NOW).toISOString());
    expect(writer.revoked).toHaveLength(1);
    expect(writer.committed.audit).toHaveLength(2);
  });

  it("finds a key only in its own environment and workspace", async () => {
    const created = await service.create(WS, "staging", { name: "Web", kind: "client" }, admin);
    expect((await refusal(service.revoke(WS, "production", created.id, admin))).code).toBe("NOT_FOUND");
    expect((await refusal(service.revoke(WS, "qa", created.id, admin))).message).toBe("Environment 'qa' was not found.");
    expect((await refusal(service.revoke("ws-other", "staging", created.id, admin))).code).toBe("NOT_FOUND");
    expect(fake.keys[0]!.revokedAt).toBeNull();
    expect(writer.revoked).toEqual([]);
  });

  it("lists the workspace's keys, or one environment's, never with a hash", async () => {
    await service.create(WS, "production", { name: "Backend", kind: "server" }, admin);
    await service.create(WS, "staging", { name: "Web", kind: "client" }, admin);
    const all = await service.list(WS, query());
    expect(all.items.map((k) => [k.name, k.environment])).toEqual([
      ["Backend", "production"],
      ["Web", "staging"],
    ]);
    expect(JSON.stringify(all)).not.toContain(fake.keys[0]!.secretHash);
    const staged = await service.list(WS, query(), "staging");
    expect({ total: staged.total, names: staged.items.map((k) => k.name) }).toEqual({ total: 1, names: ["Web"] });
    expect((await refusal(service.list(WS, query(), "qa"))).code).toBe("NOT_FOUND");
  });
});
