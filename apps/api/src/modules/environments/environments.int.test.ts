import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, allAuditText, createFlag, expectNo5xx, expectRoleMatrix, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import type { EnvironmentChange } from "../../infra/changes";
import type { ApiKeyRevokedMessage } from "../api-access/api-key-revocations";
import { generateApiKey } from "../auth/secrets";

describe("environments", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const changes: EnvironmentChange[] = [];
  const revoked: ApiKeyRevokedMessage[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/environments`;
    t.app.services.notifier.onLocalChange((batch) => changes.push(...batch));
    t.app.services.revocations.onLocalRevocation((message) => revoked.push(message));
  });
  afterAll(() => t.close());

  it("lists environments in order with totals, search and paging", async () => {
    const res = await t.app.inject({ method: "GET", url: base, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 3, page: 1, pageSize: 50 });
    expect(res.json().items.map((e: { key: string }) => e.key)).toEqual(["development", "staging", "production"]);
    expect(res.body).not.toContain("ecs_");

    const searched = await t.app.inject({ method: "GET", url: `${base}?search=PROD&pageSize=1`, headers: headers.viewer });
    expect(searched.json()).toMatchObject({ total: 1, items: [{ key: "production" }] });
    const paged = await t.app.inject({ method: "GET", url: `${base}?sort=key&order=desc&page=2&pageSize=2`, headers: headers.viewer });
    expect(paged.json()).toMatchObject({ total: 3, page: 2, items: [{ key: "development" }] });
  });

  it("creates an environment with a fresh secret and an off state for every existing flag", async () => {
    const envIds = world.ws.environments.map((e) => e.id);
    await createFlag(t, world.ws.id, "checkout", envIds);
    await createFlag(t, world.ws.id, "search", envIds);
    changes.length = 0;

    const res = await t.app.inject({
      method: "POST",
      url: base,
      headers: { ...headers.admin, "user-agent": "env-test" },
      payload: { key: "qa", name: "QA", color: "#22c55e" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ key: "qa", name: "QA", color: "#22c55e", sortOrder: 3, version: 1 });
    expect(res.body).not.toContain("ecs_");

    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: res.json().id } });
    expect(env.contextSecret).toMatch(/^ecs_/);
    expect(world.ws.environments.map((e) => e.contextSecret)).not.toContain(env.contextSecret);
    const states = await t.db.prisma.flagState.findMany({ where: { environmentId: env.id }, include: { flag: true } });
    expect(states.map((s) => [s.flag.key, s.enabled, s.fallthrough]).sort()).toEqual([
      ["checkout", false, { variant: "off" }],
      ["search", false, { variant: "off" }],
    ]);
    expect(changes).toEqual([expect.objectContaining({ environmentKey: "qa", environmentId: env.id })]);

    const [entry] = await auditOf(t.db, world.ws.id, "environment.created");
    expect(entry).toMatchObject({ actorRole: "admin", ip: "127.0.0.1", userAgent: "env-test", environmentKey: "qa", targetKey: "qa" });
    expect(entry!.after).toMatchObject({ key: "qa", name: "QA", flagStates: 2 });
    expect(await allAuditText(t)).not.toContain(env.contextSecret);
  });

  it("names every bad field and refuses a duplicate key", async () => {
    const bad = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "bad key!", name: "", color: "red", extra: 1 } });
    expect(issuePaths(bad)).toEqual(expect.arrayContaining(["body.key", "body.name", "body.color"]));
    const duplicate = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "staging", name: "Again" } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "ALREADY_EXISTS", message: "Environment 'staging' already exists." });
  });

  it("renames and reorders with If-Match, answering 428 without it and 412 when stale", async () => {
    const url = `${base}/staging`;
    expect((await t.app.inject({ method: "PATCH", url, headers: headers.admin, payload: { name: "Stage" } })).statusCode).toBe(428);
    const ok = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(1) }, payload: { name: "Stage", sortOrder: 7, color: null } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: "Stage", sortOrder: 7, version: 2 });
    expect(ok.headers.etag).toBe('"2"');
    const stale = await t.app.inject({ method: "PATCH", url, headers: { ...headers.owner, ...ifMatch(1) }, payload: { name: "Lost" } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.details).toEqual({ currentVersion: 2 });
    const [entry] = await auditOf(t.db, world.ws.id, "environment.updated");
    expect(entry).toMatchObject({ actorRole: "admin", before: { name: "staging", sortOrder: 1 }, after: { name: "Stage", sortOrder: 7 } });
  });

  it("lets exactly one of two racing writers win", async () => {
    const url = `${base}/development`;
    const [a, b] = await Promise.all(
      ["A", "B"].map((name) => t.app.inject({ method: "PATCH", url, headers: { ...headers.owner, ...ifMatch(1) }, payload: { name } })),
    );
    expect([a!.statusCode, b!.statusCode].sort()).toEqual([200, 412]);
    const env = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "development" } });
    expect(env.version).toBe(2);
  });

  it("bumps the snapshot when the token issuer changes", async () => {
    const before = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "production" } });
    const res = await t.app.inject({
      method: "PATCH",
      url: `${base}/production`,
      headers: { ...headers.owner, ...ifMatch(before.version) },
      payload: { contextIssuer: "https://auth.example.test/", contextJwksUrl: "https://auth.example.test/.well-known/jwks.json" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().snapshotVersion).toBe(before.snapshotVersion + 1);
    const insecure = await t.app.inject({ method: "PATCH", url: `${base}/production`, headers: { ...headers.owner, ...ifMatch(2) }, payload: { contextJwksUrl: "http://x.test/jwks" } });
    expect(issuePaths(insecure)).toEqual(["body.contextJwksUrl"]);
    // The API never fetches keys from its own host, the private network or cloud metadata.
    for (const contextJwksUrl of ["https://127.0.0.1/jwks", "https://localhost:8443/jwks", "https://169.254.169.254/latest/meta-data", "https://10.0.0.5/jwks", "https://[::1]/jwks"]) {
      const internal = await t.app.inject({ method: "PATCH", url: `${base}/production`, headers: { ...headers.owner, ...ifMatch(2) }, payload: { contextJwksUrl } });
      expect(internal.statusCode, contextJwksUrl).toBe(400);
      expect(issuePaths(internal)).toEqual(["body.contextJwksUrl"]);
    }
  });

  it("creates an environment requiring signed context tokens, and takes only a boolean for the setting", async () => {
    const res = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "portal", name: "Portal", requireContextToken: true } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ key: "portal", requireContextToken: true });
    const [entry] = (await auditOf(t.db, world.ws.id, "environment.created")).filter((e) => e.targetKey === "portal");
    expect(entry!.after).toMatchObject({ requireContextToken: true });
    const workspace = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}`, headers: headers.viewer });
    expect(workspace.json().environments.find((e: { key: string }) => e.key === "portal")).toMatchObject({ requireContextToken: true });
    for (const value of [null, "yes", 1]) {
      const bad = await t.app.inject({ method: "PATCH", url: `${base}/portal`, headers: { ...headers.owner, ...ifMatch(1) }, payload: { requireContextToken: value } });
      expect(issuePaths(bad)).toEqual(["body.requireContextToken"]);
    }
  });

  it("marks an environment as production on creation or by an edit, audited, without touching evaluation", async () => {
    const live = await t.app.inject({ method: "POST", url: base, headers: headers.admin, payload: { key: "live-eu", name: "Live EU", isProduction: true } });
    expect(live.json()).toMatchObject({ key: "live-eu", isProduction: true });
    const sandbox = await t.app.inject({ method: "POST", url: base, headers: headers.admin, payload: { key: "sandbox", name: "Sandbox" } });
    expect(sandbox.json()).toMatchObject({ key: "sandbox", isProduction: false });

    const marked = await t.app.inject({ method: "PATCH", url: `${base}/sandbox`, headers: { ...headers.admin, ...ifMatch(1) }, payload: { isProduction: true } });
    expect(marked.statusCode).toBe(200);
    expect(marked.json()).toMatchObject({ isProduction: true, version: 2, snapshotVersion: sandbox.json().snapshotVersion });
    const [entry] = (await auditOf(t.db, world.ws.id, "environment.updated")).filter((e) => e.targetKey === "sandbox");
    expect(entry).toMatchObject({ actorRole: "admin", before: { isProduction: false }, after: { isProduction: true } });
    const workspace = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}`, headers: headers.viewer });
    expect(workspace.json().environments.find((e: { key: string }) => e.key === "sandbox")).toMatchObject({ isProduction: true });

    const byEditor = await t.app.inject({ method: "PATCH", url: `${base}/sandbox`, headers: { ...headers.editor, ...ifMatch(2) }, payload: { isProduction: false } });
    expect(byEditor.statusCode).toBe(403);
    const bad = await t.app.inject({ method: "PATCH", url: `${base}/sandbox`, headers: { ...headers.admin, ...ifMatch(2) }, payload: { isProduction: "yes" } });
    expect(issuePaths(bad)).toEqual(["body.isProduction"]);
  });

  it("shows the context secret only to key managers, uncached, and audits the reading without the value", async () => {
    const res = await t.app.inject({ method: "GET", url: `${base}/production/context-secret`, headers: headers.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const env = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "production" } });
    expect(res.json()).toEqual({ environment: "production", secret: env.contextSecret, version: env.version });
    const [entry] = await auditOf(t.db, world.ws.id, "environment.context_secret_viewed");
    expect(entry).toMatchObject({ actorRole: "admin", environmentKey: "production", before: null, after: null });
  });

  it("rotates the context secret, bumping the snapshot and auditing without either value", async () => {
    const env = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "production" } });
    changes.length = 0;
    const url = `${base}/production/context-secret/rotate`;
    expect((await t.app.inject({ method: "POST", url, headers: headers.owner })).statusCode).toBe(428);
    const res = await t.app.inject({ method: "POST", url, headers: { ...headers.owner, ...ifMatch(env.version) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().secret).toMatch(/^ecs_/);
    expect(res.json().secret).not.toBe(env.contextSecret);
    const after = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(after.contextSecret).toBe(res.json().secret);
    expect(after.snapshotVersion).toBe(env.snapshotVersion + 1);
    expect(changes).toEqual([expect.objectContaining({ environmentId: env.id, version: after.snapshotVersion })]);
    const audit = await allAuditText(t);
    expect(audit).toContain("environment.context_secret_rotated");
    expect(audit).not.toContain(env.contextSecret);
    expect(audit).not.toContain(after.contextSecret);
  });

  it("deletes an environment only when confirmed, with everything in it, and revokes its keys everywhere", async () => {
    const qa = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "qa" } });
    const key = generateApiKey("server");
    const apiKey = await t.db.prisma.apiKey.create({
      data: { workspaceId: world.ws.id, environmentId: qa.id, kind: "server", name: "ci", prefix: key.prefix, secretHash: key.hash },
    });
    await t.db.prisma.identity.create({ data: { workspaceId: world.ws.id, environmentId: qa.id, key: "u1", traits: { stage: 1 } } });
    const url = `${base}/qa`;

    const unconfirmed = await t.app.inject({ method: "DELETE", url, headers: { ...headers.owner, ...ifMatch(1) }, payload: { confirm: "production" } });
    expect(issuePaths(unconfirmed)).toEqual(["body.confirm"]);
    const missing = await t.app.inject({ method: "DELETE", url, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(missing.statusCode).toBe(400);
    expect(await t.db.prisma.environment.count({ where: { id: qa.id } })).toBe(1);

    changes.length = 0;
    const res = await t.app.inject({ method: "DELETE", url, headers: { ...headers.owner, ...ifMatch(1) }, payload: { confirm: "qa" } });
    expect(res.statusCode).toBe(204);
    expect(await t.db.prisma.flagState.count({ where: { environmentId: qa.id } })).toBe(0);
    expect(await t.db.prisma.apiKey.count({ where: { id: apiKey.id } })).toBe(0);
    expect(await t.db.prisma.identity.count({ where: { environmentId: qa.id } })).toBe(0);
    expect(changes).toEqual([expect.objectContaining({ environmentId: qa.id, environmentKey: "qa" })]);
    expect(revoked).toEqual([expect.objectContaining({ environmentId: qa.id, reason: "environment_deleted", keys: [{ id: apiKey.id, secretHash: key.hash }] })]);
    const [entry] = await auditOf(t.db, world.ws.id, "environment.deleted");
    expect(entry).toMatchObject({ actorRole: "owner", targetKey: "qa", before: { key: "qa", flagStates: 2, identities: 1, apiKeys: 1 } });
  });

  it("refuses to delete the last environment", async () => {
    const lone = await createWorkspace(t.db);
    await t.db.prisma.environment.deleteMany({ where: { workspaceId: lone.id, key: { not: "production" } } });
    const owner = await memberHeaders(t.app, t.db, lone.id, "owner");
    const res = await t.app.inject({
      method: "DELETE",
      url: `/v1/workspaces/${lone.slug}/environments/production`,
      headers: { ...owner, ...ifMatch(1) },
      payload: { confirm: "production" },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/at least one environment/);
    expect(await t.db.prisma.environment.count({ where: { workspaceId: lone.id } })).toBe(1);
  });

  it("checks every route's roles", async () => {
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "get", method: "GET", url: `${base}/production`, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "create", method: "POST", url: base, payload: { key: "" }, allowed: ["owner", "admin"], allowedStatus: 400 },
      { name: "update", method: "PATCH", url: `${base}/production`, payload: { name: 5 }, allowed: ["owner", "admin"], allowedStatus: 400 },
      { name: "delete", method: "DELETE", url: `${base}/production`, payload: { confirm: 5 }, allowed: ["owner", "admin"], allowedStatus: 400 },
      { name: "secret", method: "GET", url: `${base}/nope/context-secret`, allowed: ["owner", "admin"], allowedStatus: 404 },
      { name: "rotate", method: "POST", url: `${base}/production/context-secret/rotate`, allowed: ["owner", "admin"], allowedStatus: 428 },
    ]);
  });

  it("never reaches another workspace's environments, and changes nothing there", async () => {
    const theirs = await t.db.prisma.environment.create({
      data: { workspaceId: world.other.id, key: "theirs", name: "Theirs", contextSecret: "ecs_theirs_secret_value" },
    });
    const url = `${base}/theirs`;
    const attempts = [
      { method: "GET" as const, url },
      { method: "PATCH" as const, url, payload: { name: "Mine" }, headers: ifMatch(1) },
      { method: "DELETE" as const, url, payload: { confirm: "theirs" }, headers: ifMatch(1) },
      { method: "GET" as const, url: `${url}/context-secret` },
      { method: "POST" as const, url: `${url}/context-secret/rotate`, headers: ifMatch(1) },
    ];
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: { ...attempt.headers, ...headers.owner } });
      expect({ ...attempt, status: res.statusCode }).toEqual({ ...attempt, status: 404 });
    }
    const viaOther = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.other.slug}/environments/theirs/context-secret`, headers: headers.owner });
    expect(viaOther.statusCode).toBe(404);
    expect(await t.db.prisma.environment.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: "Theirs", version: 1, contextSecret: "ecs_theirs_secret_value" });
  });

  it("documents every workspace administration route in the OpenAPI document", async () => {
    const spec = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(spec.statusCode).toBe(200);
    const paths = Object.keys(spec.json().paths).map((path) => path.replace("/v1/workspaces/{workspace}", ""));
    expect(paths).toEqual(
      expect.arrayContaining([
        "/environments/{env}/context-secret/rotate",
        "/members/{memberId}",
        "/modules/{module}",
        "/segments/{segment}",
        "/api-keys",
        "/environments/{env}/api-keys/{id}/revoke",
        "/environments/{env}/identities/{key}/traits",
        "/audit",
        "/flags/{key}/audit",
        "/export",
        "/import",
      ]),
    );
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, { ...headers.owner, ...ifMatch(1) }, [
      { method: "POST", url: base, payload: "not json", headers: { "content-type": "application/json" } },
      { method: "POST", url: base, payload: [] as unknown as string },
      { method: "POST", url: base, payload: { key: "x".repeat(10_000), name: "n" } },
      { method: "GET", url: `${base}?page=-1&pageSize=100000&sort=drop` },
      { method: "GET", url: `${base}/${"%00".repeat(3)}` },
      { method: "PATCH", url: `${base}/production`, payload: { sortOrder: 1e20 } },
      { method: "PATCH", url: `${base}/production`, payload: { contextJwksUrl: "javascript:alert(1)" } },
      { method: "DELETE", url: `${base}/production`, payload: { confirm: ["production"] } },
      { method: "POST", url: `${base}/production/context-secret/rotate`, headers: { "if-match": "W/\"abc\"" } },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    const secrets = (await t.db.prisma.environment.findMany()).map((env) => env.contextSecret);
    await expectCompleteAudit(t, world.ws.id, secrets);
  });
});
