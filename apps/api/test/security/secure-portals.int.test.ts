import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../src/seed/demo-data";
import { ifMatch } from "../helpers/admin";
import { auditOf } from "../helpers/rows";
import { createTestApp, type TestApp } from "../helpers/app";
import { apiKeyHeaders, createApiKey } from "../helpers/evaluation-fixtures";
import { createUser, createWorkspace, login, memberHeaders, unique } from "../helpers/fixtures";

const signed = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(secret));

/*
 * Secure portals by default: every environment Ensign creates (a new workspace's, a new
 * environment, the demo's) refuses client-key evaluations without a signed context token, so a
 * browser holding the public key cannot ask for another tenant's flags. Only an owner can opt an
 * environment out.
 */
describe("signed context tokens are required by default", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    admin = await memberHeaders(t.app, t.db, ws.id, "admin");
  });
  afterAll(() => t.close());

  const environmentUrl = (key = "") => `/v1/workspaces/${ws.slug}/environments${key ? `/${key}` : ""}`;

  it("gives a workspace created through the API environments that require tokens", async () => {
    const superadmin = (await login(t.app, (await createUser(t.db, { superadmin: true })).email)).headers;
    const slug = unique("secure");
    const res = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: superadmin, payload: { slug, name: "Secure" } });
    expect(res.statusCode).toBe(201);
    const environments = await t.db.prisma.environment.findMany({ where: { workspace: { slug } } });
    expect(environments.length).toBeGreaterThan(0);
    expect(environments.every((env) => env.requireContextToken)).toBe(true);
  });

  it("creates environments that refuse a client key naming a tenant or user without a token, and answer the token's identity only", async () => {
    const created = await t.app.inject({ method: "POST", url: environmentUrl(), headers: admin, payload: { key: "portal", name: "Portal" } });
    expect(created.statusCode).toBe(201);
    expect(created.json().requireContextToken).toBe(true);
    const env = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "portal" } });
    const client = (await createApiKey(t.db, ws.id, env.id, "client")).secret;
    const server = (await createApiKey(t.db, ws.id, env.id, "server")).secret;

    for (const url of ["/v1/flags?tenantKey=someone-else", "/v1/flags?targetingKey=someone", "/v1/flags"]) {
      const res = await t.app.inject({ method: "GET", url, headers: apiKeyHeaders(client) });
      expect({ url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url, status: 401, code: "UNAUTHENTICATED" });
    }
    const ofrep = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context: { targetingKey: "u", tenantKey: "someone-else" } } });
    expect(ofrep.statusCode).toBe(401);

    const token = await signed(env.contextSecret, { sub: "ana", tenantKey: "mine" });
    const withToken = await t.app.inject({ method: "GET", url: "/v1/flags?tenantKey=someone-else", headers: { ...apiKeyHeaders(client), "x-ensign-context": token } });
    expect(withToken.statusCode).toBe(200);
    // Server keys belong to trusted backends: they still choose the context.
    expect((await t.app.inject({ method: "GET", url: "/v1/flags?tenantKey=someone-else", headers: apiKeyHeaders(server) })).statusCode).toBe(200);
  });

  it("lets only an owner opt an environment out, audited; an admin may switch it back on", async () => {
    const byAdmin = await t.app.inject({ method: "POST", url: environmentUrl(), headers: admin, payload: { key: "open-by-admin", name: "Open", requireContextToken: false } });
    expect(byAdmin.statusCode).toBe(403);
    expect(byAdmin.json().error.message).toMatch(/^Only owners may let client keys of 'open-by-admin' evaluate without a signed context token/);
    expect(await t.db.prisma.environment.count({ where: { workspaceId: ws.id, key: "open-by-admin" } })).toBe(0);

    const current = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "portal" } });
    const refused = await t.app.inject({ method: "PATCH", url: environmentUrl("portal"), headers: { ...admin, ...ifMatch(current.version) }, payload: { requireContextToken: false } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("FORBIDDEN");
    expect(await t.db.prisma.environment.findFirstOrThrow({ where: { id: current.id } })).toMatchObject({ requireContextToken: true, version: current.version });

    const optedOut = await t.app.inject({ method: "PATCH", url: environmentUrl("portal"), headers: { ...owner, ...ifMatch(current.version) }, payload: { requireContextToken: false } });
    expect(optedOut.statusCode).toBe(200);
    expect(optedOut.json().requireContextToken).toBe(false);
    const [entry] = await auditOf(t.db, ws.id, "environment.updated");
    expect(entry).toMatchObject({ actorRole: "owner", environmentKey: "portal", before: { requireContextToken: true }, after: { requireContextToken: false } });
    const client = (await createApiKey(t.db, ws.id, current.id, "client")).secret;
    // Evaluation serves the new snapshot once this replica has reloaded it, asynchronously.
    await expect.poll(async () => (await t.app.inject({ method: "GET", url: "/v1/flags?tenantKey=someone-else", headers: apiKeyHeaders(client) })).statusCode, { timeout: 10_000 }).toBe(200);

    // Switching it back on needs no owner, and renaming an opted-out environment is not an opt-out.
    const rename = await t.app.inject({ method: "PATCH", url: environmentUrl("portal"), headers: { ...admin, ...ifMatch(current.version + 1) }, payload: { name: "Portal (open)" } });
    expect(rename.statusCode).toBe(200);
    const back = await t.app.inject({ method: "PATCH", url: environmentUrl("portal"), headers: { ...admin, ...ifMatch(current.version + 2) }, payload: { requireContextToken: true } });
    expect(back.statusCode).toBe(200);
    expect(back.json().requireContextToken).toBe(true);

    const byOwner = await t.app.inject({ method: "POST", url: environmentUrl(), headers: owner, payload: { key: "open-by-owner", name: "Open", requireContextToken: false } });
    expect(byOwner.statusCode).toBe(201);
    expect(byOwner.json().requireContextToken).toBe(false);
  });

  it("ships the demo so that seed 000's security tests pass: a producer reads only its own flags and cannot switch them", async () => {
    await seedDemo(t.db.prisma);
    const pique = await t.db.prisma.workspace.findUniqueOrThrow({ where: { slug: "piquetickets" }, include: { environments: true } });
    expect(pique.environments.map((env) => env.requireContextToken)).toEqual([true, true, true]);
    const production = pique.environments.find((env) => env.key === "production")!;
    const client = (await createApiKey(t.db, pique.id, production.id, "client")).secret;

    // The public key alone no longer reads Tucson Theatre Works' features.
    const snooping = await t.app.inject({ method: "GET", url: "/v1/flags?tenantKey=tucson-theatre-works", headers: apiKeyHeaders(client) });
    expect(snooping.statusCode).toBe(401);

    // With Arizona Comedy's own token, asking for Tucson's flags answers Arizona's (none switched on).
    const arizona = await signed(production.contextSecret, { sub: "alex@arizona", tenantKey: "arizona-comedy" });
    const own = await t.app.inject({ method: "GET", url: "/v1/flags?tenantKey=tucson-theatre-works", headers: { ...apiKeyHeaders(client), "x-ensign-context": arizona } });
    expect(own.statusCode).toBe(200);
    expect(own.json().flags).toMatchObject({ knowledge_base_enabled: { value: false }, ai_agents_enabled: { value: false } });
    const tucson = await signed(production.contextSecret, { sub: "terry@tucson", tenantKey: "tucson-theatre-works" });
    const theirs = await t.app.inject({ method: "GET", url: "/v1/flags", headers: { ...apiKeyHeaders(client), "x-ensign-context": tucson } });
    expect(theirs.json().flags).toMatchObject({ knowledge_base_enabled: { value: true }, ai_agents_enabled: { value: true } });

    const producer = (await login(t.app, "producer@arizona-comedy.test", "ensign-producer-demo")).headers;
    const toggle = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/knowledge_base_enabled", headers: producer, payload: { enabled: true } });
    expect(toggle.statusCode).toBe(403);

    // Seed 000: "verify non-admin users cannot access flag admin". The producer's login reaches
    // neither the workspace's flag administration nor its own tenant's overrides there.
    const flagAdmin = "/v1/workspaces/piquetickets/flags";
    const piqueOwner = (await login(t.app, "admin@ensign.local", "ensign-admin-demo")).headers;
    const state = await t.app.inject({ method: "GET", url: `${flagAdmin}/knowledge_base_enabled/environments/production`, headers: piqueOwner });
    const overrides = await t.db.prisma.tenantOverride.count({ where: { workspaceId: pique.id } });
    for (const attempt of [
      { method: "GET", url: flagAdmin },
      { method: "GET", url: `${flagAdmin}/knowledge_base_enabled` },
      { method: "PUT", url: `${flagAdmin}/knowledge_base_enabled/environments/production/tenant-overrides/arizona-comedy`, payload: { variant: "on" } },
      { method: "PUT", url: `${flagAdmin}/knowledge_base_enabled/environments/production/enabled`, payload: { enabled: false }, headers: { "if-match": state.headers.etag as string } },
      { method: "PATCH", url: `${flagAdmin}/knowledge_base_enabled`, payload: { tenantManageable: true } },
    ] as const) {
      const res = await t.app.inject({ ...attempt, headers: { ...producer, ...("headers" in attempt ? attempt.headers : {}) } });
      expect(res.statusCode, `${attempt.method} ${attempt.url}`).toBe(403);
    }
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: pique.id } })).toBe(overrides);
    const after = await t.app.inject({ method: "GET", url: `${flagAdmin}/knowledge_base_enabled`, headers: piqueOwner });
    expect(after.json()).toMatchObject({ tenantManageable: false });

    // "Test that missing flags fail gracefully": a flag the portal asks for that does not exist
    // answers the caller's default with FLAG_NOT_FOUND, not an error page.
    const missing = await t.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/no_such_feature",
      headers: { ...apiKeyHeaders(client), "x-ensign-context": arizona },
      payload: { context: {} },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ key: "no_such_feature", errorCode: "FLAG_NOT_FOUND" });
  });
});
