import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../../../test/helpers/app";
import { createUser, login, PASSWORD } from "../../../test/helpers/fixtures";
import { inOneLoginWindow } from "../../../test/helpers/wait";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
function signHs256(payload: object, secret: string, header: object = { alg: "HS256", typ: "JWT" }) {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

function expectErrorShape(body: unknown, code: string) {
  expect(body).toMatchObject({ error: { code, message: expect.any(String), requestId: expect.any(String) } });
}

describe("auth", () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t.db, { email: "ada@example.test" });
  });
  afterAll(() => t.close());

  it("signs in with the right password and returns the user, an access token and a refresh cookie", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "ADA@example.test", password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, user: { id: user.id, email: "ada@example.test", memberships: [] } });
    expect(body.user.passwordHash).toBeUndefined();
    const cookie = res.cookies.find((c) => c.name === "ensign_refresh");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/v1/auth" });

    const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe("ada@example.test");
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const wrong = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "ada@example.test", password: "nope-nope-nope" } });
    const unknown = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "who@example.test", password: PASSWORD } });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expectErrorShape(res.json(), "INVALID_CREDENTIALS");
    }
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it("refuses a disabled user", async () => {
    const disabled = await createUser(t.db, { disabled: true });
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: disabled.email, password: PASSWORD } });
    expect(res.statusCode).toBe(401);
  });

  it("answers 401 in the error shape without a token, with garbage, expired, forged, alg:none and tampered tokens", async () => {
    const { token } = await login(t.app, "ada@example.test");
    const [, payloadPart] = token.split(".");
    const claims = JSON.parse(Buffer.from(payloadPart!, "base64url").toString());
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      garbage: "Bearer not-a-jwt",
      expired: `Bearer ${signHs256({ ...claims, iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }, TEST_JWT_SECRET)}`,
      wrongKey: `Bearer ${signHs256(claims, "another-secret-that-is-also-long-enough!!")}`,
      algNone: `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
      tamperedSubject: `Bearer ${token.split(".")[0]}.${b64({ ...claims, sub: "00000000-0000-0000-0000-000000000000" })}.${token.split(".")[2]}`,
      otherSession: `Bearer ${signHs256({ ...claims, sid: "00000000-0000-0000-0000-000000000000" }, TEST_JWT_SECRET)}`,
      wrongType: `Bearer ${signHs256({ ...claims, typ: "refresh" }, TEST_JWT_SECRET)}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: authorization ? { authorization } : {} });
      expect({ name, status: res.statusCode }).toEqual({ name, status: 401 });
      expectErrorShape(res.json(), "UNAUTHENTICATED");
    }
    const expired = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: { authorization: cases.expired! } });
    expect(expired.json().error.message).toMatch(/expired/);
  });

  it("rotates refresh tokens, and a replayed one ends the session", async () => {
    const first = await login(t.app, "ada@example.test");
    const refreshed = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", cookies: { ensign_refresh: first.refreshToken! } });
    expect(refreshed.statusCode).toBe(200);
    const second = refreshed.cookies.find((c) => c.name === "ensign_refresh")!.value;
    expect(second).not.toBe(first.refreshToken);

    const replay = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: first.refreshToken } });
    expect(replay.statusCode).toBe(401);
    // The replay revoked the session: the newer token and its access token are dead too.
    const after = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: second } });
    expect(after.statusCode).toBe(401);
    const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: { authorization: `Bearer ${refreshed.json().accessToken}` } });
    expect(me.statusCode).toBe(401);
  });

  it("logs out: the access token and the refresh token stop working", async () => {
    const session = await login(t.app, "ada@example.test");
    const out = await t.app.inject({ method: "POST", url: "/v1/auth/logout", headers: session.headers });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: session.headers })).statusCode).toBe(401);
    const refresh = await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: session.refreshToken } });
    expect(refresh.statusCode).toBe(401);
  });

  it("refuses the token of a user who was deleted", async () => {
    const doomed = await createUser(t.db);
    const session = await login(t.app, doomed.email);
    await t.db.prisma.user.delete({ where: { id: doomed.id } });
    expect((await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: session.headers })).statusCode).toBe(401);
  });
});

describe("login rate limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { LOGIN_RATE_LIMIT: "3" } });
  });
  afterAll(() => t.close());

  it("answers 429 with Retry-After once an address hammers an account", async () => {
    const attempt = () =>
      t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email: "target@example.test", password: "guess-guess-guess" } });
    await inOneLoginWindow();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await attempt();
    expect(limited.headers["retry-after"]).toBeDefined();
    expectErrorShape(limited.json(), "RATE_LIMITED");
  });
});
