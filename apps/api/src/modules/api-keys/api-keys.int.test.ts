import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, allAuditText, expectNo5xx, expectRoleMatrix, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { HANG_GUARD_MS } from "../../../test/helpers/wait";
import { sha256 } from "../auth/secrets";
import { API_KEY_REVOKED_CHANNEL, type ApiKeyRevokedMessage } from "../api-access/api-key-revocations";

describe("API keys", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/environments/production/api-keys`;
  });
  afterAll(() => t.close());

  it("shows a new key's secret once, storing only its hash and prefix", async () => {
    const res = await t.app.inject({ method: "POST", url: base, headers: { ...headers.admin, "user-agent": "keys-test" }, payload: { name: "Backend", kind: "server" } });
    expect(res.statusCode).toBe(201);
    expect(res.headers["cache-control"]).toBe("no-store");
    const created = res.json();
    secrets.push(created.secret);
    expect(created).toMatchObject({ name: "Backend", kind: "server", environment: "production", revokedAt: null, lastUsedAt: null });
    expect(created.secret).toMatch(/^ens_srv_[A-Za-z0-9_-]{43}$/);
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    expect(created).not.toHaveProperty("secretHash");

    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretHash).toBe(sha256(created.secret));
    expect(JSON.stringify(row)).not.toContain(created.secret);
    const userEmail = (await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: headers.admin })).json().email;
    expect(row.createdBy).toBe(userEmail);

    const client = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { name: "Portal", kind: "client" } });
    expect(client.json().secret).toMatch(/^ens_cli_/);
    secrets.push(client.json().secret);

    const [entry] = await auditOf(t.db, world.ws.id, "api_key.created");
    expect(entry).toMatchObject({ actorRole: "admin", userAgent: "keys-test", environmentKey: "production", after: { name: "Backend", kind: "server", prefix: created.prefix } });
  });

  it("lists keys without secrets or hashes, per environment and workspace-wide", async () => {
    await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.ws.slug}/environments/staging/api-keys`, headers: headers.owner, payload: { name: "Staging", kind: "server" } });
    const res = await t.app.inject({ method: "GET", url: `${base}?sort=name&order=asc`, headers: headers.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 2, items: [{ name: "Backend" }, { name: "Portal" }] });
    for (const secret of secrets) expect(res.body).not.toContain(secret);
    expect(res.body).not.toMatch(/secretHash|"secret"/);

    const all = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/api-keys?kind=server`, headers: headers.admin });
    expect(all.json().items.map((k: { name: string; environment: string }) => [k.name, k.environment]).sort()).toEqual([
      ["Backend", "production"],
      ["Staging", "staging"],
    ]);
    const one = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/api-keys?environment=staging&search=stag`, headers: headers.admin });
    expect(one.json().total).toBe(1);
  });

  it("revokes a key, announcing it to every replica once", async () => {
    const key = await t.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: world.ws.id, name: "Backend" } });
    const heard: ApiKeyRevokedMessage[] = [];
    let revokedAt: string | undefined;
    const unsubscribe = await t.cache.subscribe(API_KEY_REVOKED_CHANNEL, (text) => heard.push(JSON.parse(text)));
    try {
      const before = Date.now();
      const res = await t.app.inject({ method: "POST", url: `${base}/${key.id}/revoke`, headers: headers.admin });
      expect(res.statusCode).toBe(200);
      revokedAt = res.json().revokedAt;
      // Stamped by this request (a second's leeway for the database's clock), not earlier.
      expect(Date.parse(revokedAt!)).toBeGreaterThanOrEqual(before - 1_000);
      await expect.poll(() => heard.length, { timeout: HANG_GUARD_MS }).toBe(1);
      expect(heard[0]).toMatchObject({ workspaceId: world.ws.id, environmentId: key.environmentId, reason: "revoked", keys: [{ id: key.id, secretHash: key.secretHash }] });

      const again = await t.app.inject({ method: "POST", url: `${base}/${key.id}/revoke`, headers: headers.admin });
      expect(again.statusCode).toBe(200);
      expect(again.json().revokedAt).toBe(res.json().revokedAt);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toHaveLength(1);
    } finally {
      await unsubscribe();
    }
    const stored = await t.app.services.auth.findApiKeyByHash(key.secretHash);
    expect(stored?.revokedAt).toBeInstanceOf(Date);
    const entries = await auditOf(t.db, world.ws.id, "api_key.revoked");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorRole: "admin", targetId: key.id, before: { revokedAt: null }, after: { revokedAt } });
    const active = await t.app.inject({ method: "GET", url: `${base}?includeRevoked=false`, headers: headers.admin });
    expect(active.json().items.map((k: { name: string }) => k.name)).toEqual(["Portal"]);
  });

  it("never writes a key's secret or hash into the audit log", async () => {
    const audit = await allAuditText(t);
    const keys = await t.db.prisma.apiKey.findMany();
    for (const secret of secrets) expect(audit).not.toContain(secret);
    for (const key of keys) expect(audit).not.toContain(key.secretHash);
  });

  it("names bad fields", async () => {
    const res = await t.app.inject({ method: "POST", url: base, headers: headers.admin, payload: { name: "", kind: "root" } });
    expect(issuePaths(res)).toEqual(expect.arrayContaining(["body.name", "body.kind"]));
    const unknownEnv = await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.ws.slug}/environments/nope/api-keys`, headers: headers.admin, payload: { name: "x", kind: "client" } });
    expect(unknownEnv.statusCode).toBe(404);
  });

  it("checks every route's roles", async () => {
    const managers = ["owner", "admin"] as const;
    const key = await t.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: world.ws.id, name: "Portal" } });
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: managers, allowedStatus: 200 },
      { name: "list all", method: "GET", url: `/v1/workspaces/${world.ws.slug}/api-keys`, allowed: managers, allowedStatus: 200 },
      { name: "create", method: "POST", url: base, payload: { kind: "server" }, allowed: managers, allowedStatus: 400 },
      { name: "revoke", method: "POST", url: `${base}/00000000-0000-7000-8000-000000000000/revoke`, allowed: managers, allowedStatus: 404 },
    ]);
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).toBeNull();
  });

  it("never revokes another workspace's key, nor one of another environment", async () => {
    const otherEnv = world.other.environments[2]!;
    const theirs = await t.db.prisma.apiKey.create({
      data: { workspaceId: world.other.id, environmentId: otherEnv.id, kind: "server", name: "Theirs", prefix: "ens_srv_theirs", secretHash: "h-theirs" },
    });
    const res = await t.app.inject({ method: "POST", url: `${base}/${theirs.id}/revoke`, headers: headers.owner });
    expect(res.statusCode).toBe(404);
    const staging = await t.db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: world.ws.id, name: "Staging" } });
    const wrongEnv = await t.app.inject({ method: "POST", url: `${base}/${staging.id}/revoke`, headers: headers.owner });
    expect(wrongEnv.statusCode).toBe(404);
    const listed = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/api-keys`, headers: headers.owner });
    expect(listed.body).not.toContain("Theirs");
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: theirs.id } })).revokedAt).toBeNull();
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: staging.id } })).revokedAt).toBeNull();
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, headers.owner, [
      { method: "POST", url: `${base}/not-a-uuid/revoke` },
      { method: "POST", url: `${base}/00000000-0000-0000-0000-000000000000/revoke`, payload: { force: true } },
      { method: "POST", url: base, payload: { name: "n".repeat(1_000), kind: "server", secret: "mine" } },
      { method: "GET", url: `${base}?includeRevoked=maybe&kind=both` },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id, secrets);
  });
});
