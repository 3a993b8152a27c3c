import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { createUser, login } from "../helpers/fixtures";
import { createWorld, type World } from "./world";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sign = (head: string, secret: string) => createHmac("sha256", secret).update(head).digest("base64url");
function signHs256(payload: object, secret = TEST_JWT_SECRET, header: object = { alg: "HS256", typ: "JWT" }) {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${sign(head, secret)}`;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
/** The token with other claims but the original signature: what an attacker can make without the secret. */
const tampered = (token: string, claims: object) => {
  const [header, , signature] = token.split(".");
  return `${header}.${b64({ ...claimsOf(token), ...claims })}.${signature}`;
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Attacks on sessions: forged and altered access tokens, and standing that changed after the
 * token was issued (a deleted or disabled user, a removed membership, a lowered role, a moved
 * tenant admin). Every change takes effect on the next request, never at expiry.
 */
describe("JWT and session attacks", () => {
  let t: TestApp;
  let world: World;
  let wsUrl: string;
  let flagStateUrl: string;
  let attacks = 0;

  async function status(headers: Record<string, string>, url = wsUrl, method: "GET" | "PUT" = "GET", payload?: object) {
    const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    return res;
  }

  /** Every forged credential gets 401 UNAUTHENTICATED on a workspace route and on `/v1/auth/me`. */
  async function expectRefused(name: string, headers: Record<string, string>) {
    attacks++;
    for (const url of [wsUrl, "/v1/auth/me"]) {
      const res = await status(headers, url);
      expect({ name, url, status: res.statusCode, code: res.json().error?.code }).toEqual({ name, url, status: 401, code: "UNAUTHENTICATED" });
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    world = await createWorld(t);
    wsUrl = `/v1/workspaces/${world.a.slug}`;
    flagStateUrl = `${wsUrl}/flags/kb/environments/production/enabled`;
  });
  afterAll(() => {
    console.info(`JWT and session attacks checked: ${attacks}`);
    return t.close();
  });

  it("refuses forged tokens: alg none, other algorithms, wrong keys, no signature, expired, not yet valid", async () => {
    const { token } = await login(t.app, world.emails.viewer);
    const claims = claimsOf(token);
    const environmentSecret = world.a.environments[2]!.contextSecret;
    const forged: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
      "alg None, capitalised": `${b64({ alg: "None", typ: "JWT" })}.${b64(claims)}.`,
      "alg none with the real signature": `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.${token.split(".")[2]}`,
      "HS512 with the real secret": (() => {
        const head = `${b64({ alg: "HS512", typ: "JWT" })}.${b64(claims)}`;
        return `${head}.${createHmac("sha512", TEST_JWT_SECRET).update(head).digest("base64url")}`;
      })(),
      "signed with another secret": signHs256(claims, "a-different-secret-that-is-long-enough-too"),
      "signed with an environment's context secret": signHs256(claims, environmentSecret),
      "signature stripped": `${token.split(".")[0]}.${token.split(".")[1]}.`,
      "signature of another token": `${token.split(".")[0]}.${token.split(".")[1]}.${sign("x.y", TEST_JWT_SECRET)}`,
      expired: signHs256({ ...claims, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }),
      "not valid yet": signHs256({ ...claims, nbf: nowSeconds() + 3600 }),
      "a refresh token's type": signHs256({ ...claims, typ: "refresh" }),
      "no session id": signHs256({ sub: claims.sub, typ: "access" }),
      "a key id pointing elsewhere": signHs256(claims, "attacker-controlled-secret-long-enough", { alg: "HS256", typ: "JWT", kid: "../../dev/null", jku: "https://attacker.example/jwks" }),
    };
    for (const [name, forgedToken] of Object.entries(forged)) await expectRefused(name, bearer(forgedToken));
  });

  it("refuses claims changed without re-signing: subject, session, role, workspace, tenant, superadmin, expiry", async () => {
    const { token } = await login(t.app, world.emails.viewer);
    const changes: Record<string, object> = {
      "another subject": { sub: world.userIds.owner },
      "another session": { sid: "00000000-0000-7000-8000-000000000000" },
      "a role": { role: "owner" },
      "a workspace": { workspace: world.b.slug, workspaceId: world.b.id },
      "a tenant": { tenantId: world.a.tenantB.id, tenantKey: world.a.tenantB.key },
      superadmin: { isSuperadmin: true },
      "a later expiry": { exp: nowSeconds() + 86_400 * 365 },
    };
    for (const [name, claims] of Object.entries(changes)) await expectRefused(`tampered: ${name}`, bearer(tampered(token, claims)));
  });

  it("refuses credentials in the wrong place: an API key or a refresh token as the bearer, the access token as a query parameter", async () => {
    const session = await login(t.app, world.emails.owner);
    await expectRefused("a server key as bearer", bearer(world.keys.serverKey.secret));
    await expectRefused("a server key in X-API-Key", { "x-api-key": world.keys.serverKey.secret });
    await expectRefused("the refresh token as bearer", bearer(session.refreshToken!));
    await expectRefused("the access token without Bearer", { authorization: session.token });
    attacks++;
    const query = await t.app.inject({ method: "GET", url: `${wsUrl}?accessToken=${session.token}` });
    expect(query.statusCode).toBe(401);
    // An access token is not a refresh token either.
    attacks++;
    const refresh = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: session.token.slice(0, 200) } });
    expect(refresh.statusCode).toBe(401);
  });

  it("ends a deleted user's and a disabled user's sessions at once", async () => {
    const deleted = await createUser(t.db);
    const disabled = await createUser(t.db);
    const superadmin = await createUser(t.db, { superadmin: true });
    const [deletedSession, disabledSession, superSession] = [await login(t.app, deleted.email), await login(t.app, disabled.email), await login(t.app, superadmin.email)];
    expect((await status(superSession.headers)).statusCode).toBe(200);

    await t.db.prisma.user.delete({ where: { id: deleted.id } });
    await t.db.prisma.user.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
    await expectRefused("a deleted user's token", deletedSession.headers);
    await expectRefused("a disabled user's token", disabledSession.headers);
    attacks++;
    const refreshed = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: disabledSession.refreshToken } });
    expect(refreshed.statusCode).toBe(401);

    // A superadmin stripped of the title loses it on the next request.
    attacks++;
    await t.db.prisma.user.update({ where: { id: superadmin.id }, data: { isSuperadmin: false } });
    expect((await status(superSession.headers)).statusCode).toBe(404);
  });

  it("applies a removed membership, a lowered role and a moved tenant admin on the next request", async () => {
    const member = await createUser(t.db);
    const ownerHeaders = world.headers.owner;
    const invited = await t.app.inject({ method: "POST", url: `${wsUrl}/invitations`, headers: ownerHeaders, payload: { email: member.email, role: "admin" } });
    expect(invited.statusCode).toBe(201);
    const session = await login(t.app, member.email);
    const token = (invited.json().acceptUrl as string).split("/invite/")[1];
    expect((await t.app.inject({ method: "POST", url: "/v1/invitations/accept", headers: session.headers, payload: { token } })).statusCode).toBe(201);
    const memberId = (await t.db.prisma.membership.findFirstOrThrow({ where: { userId: member.id, workspace: { slug: world.a.slug } } })).id;

    const toggle = () => status(session.headers, flagStateUrl, "PUT", { enabled: true });
    const state = await t.db.prisma.flagState.findFirstOrThrow({ where: { flagId: world.a.flag.id, environmentId: world.a.environments[2]!.id } });
    const toggleAs = (headers: Record<string, string>, version: number) =>
      t.app.inject({ method: "PUT", url: flagStateUrl, headers: { ...headers, "if-match": `"${version}"` }, payload: { enabled: true } });
    expect((await toggleAs(session.headers, state.version)).statusCode).toBe(200);

    // Lowered to viewer through the API: the same token may read but no longer write.
    attacks++;
    const lowered = await t.app.inject({ method: "PATCH", url: `${wsUrl}/members/${memberId}`, headers: { ...ownerHeaders, "if-match": '"1"' }, payload: { role: "viewer" } });
    expect(lowered.statusCode).toBe(200);
    expect((await toggle()).statusCode).toBe(403);
    expect((await status(session.headers)).statusCode).toBe(200);

    // Made a tenant admin of tenant A, then moved to tenant B: the tenant API follows at once.
    attacks++;
    const toTenantA = await t.app.inject({ method: "PATCH", url: `${wsUrl}/members/${memberId}`, headers: { ...ownerHeaders, "if-match": '"2"' }, payload: { role: "tenant_admin", tenantKey: world.a.tenantA.key } });
    expect(toTenantA.statusCode).toBe(200);
    expect((await status(session.headers)).statusCode).toBe(403);
    const featureA = await status(session.headers, "/v1/tenant/features/kb");
    expect(featureA.json()).toMatchObject({ key: "kb", enabled: true, override: { variant: "on" } });
    const toTenantB = await t.app.inject({ method: "PATCH", url: `${wsUrl}/members/${memberId}`, headers: { ...ownerHeaders, "if-match": '"3"' }, payload: { role: "tenant_admin", tenantKey: world.a.tenantB.key } });
    expect(toTenantB.statusCode).toBe(200);
    const featureB = await status(session.headers, "/v1/tenant/features/kb");
    expect(featureB.statusCode).toBe(200);
    expect(featureB.json()).toMatchObject({ key: "kb", enabled: false, override: null });

    // Removed: the workspace no longer exists for this token, nor does the tenant API.
    attacks++;
    const removed = await t.app.inject({ method: "DELETE", url: `${wsUrl}/members/${memberId}`, headers: { ...ownerHeaders, "if-match": '"4"' } });
    expect(removed.statusCode).toBe(204);
    expect((await status(session.headers)).statusCode).toBe(404);
    expect((await status(session.headers, "/v1/tenant/features")).statusCode).toBe(403);
    expect((await toggleAs(session.headers, state.version + 1)).statusCode).toBe(404);
  });

  it("rotates refresh tokens: a replayed one ends the session everywhere; sign-out ends both tokens", async () => {
    const first = await login(t.app, world.emails.editor);
    const rotated = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", cookies: { ensign_refresh: first.refreshToken! } });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.cookies.find((c) => c.name === "ensign_refresh")!.value;
    const secondAccess = bearer(rotated.json().accessToken);
    expect((await status(secondAccess)).statusCode).toBe(200);

    attacks++;
    const replay = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: first.refreshToken } });
    expect(replay.statusCode).toBe(401);
    await expectRefused("an access token of a session ended by a replay", secondAccess);
    await expectRefused("the first access token of that session", first.headers);
    attacks++;
    expect((await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: second } })).statusCode).toBe(401);

    const other = await login(t.app, world.emails.editor);
    expect((await t.app.inject({ method: "POST", url: "/v1/auth/logout", headers: other.headers })).statusCode).toBe(204);
    await expectRefused("an access token after sign-out", other.headers);
    attacks++;
    expect((await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: other.refreshToken } })).statusCode).toBe(401);

    // A session past its end refuses its access token too, whatever the token's own expiry.
    const lapsed = await login(t.app, world.emails.editor);
    await t.db.prisma.session.updateMany({ where: { user: { email: world.emails.editor }, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectRefused("an access token of an expired session", lapsed.headers);
  });
});
