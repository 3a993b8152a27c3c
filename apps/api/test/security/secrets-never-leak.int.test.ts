import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loggerOptions } from "../../src/app";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { login, PASSWORD } from "../helpers/fixtures";
import { createWorld, type World } from "./world";

/**
 * Passwords, API key secrets, context signing secrets, refresh and access tokens and context
 * tokens go through every path that could spill them — sign-in (right and wrong), member
 * creation, key creation, secret reads and rotation, evaluation with keys in headers and the
 * query, event streams, errors — while the server logs at `trace` with its production logger.
 * Then the literal strings are searched for in the logs, in every response other than the one
 * that hands the secret out, in exports, audit entries, list responses, error messages, and in
 * everything the replica wrote to Redis.
 */
describe("secrets never leak", () => {
  let t: TestApp;
  let world: World;
  let base: string;
  const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
  const logs: string[] = [];
  /** Every response seen, with the secrets it may legitimately carry. */
  const seen: { what: string; text: string; mayCarry: Set<string> }[] = [];
  const secrets = new Map<string, string>();

  async function call(what: string, options: InjectOptions, mayCarry: string[] = []): Promise<LightMyRequestResponse> {
    const res = await t.app.inject({ ...options, headers: { "user-agent": "leak-test", ...options.headers } });
    const { "set-cookie": _cookie, ...headers } = res.headers;
    seen.push({ what: `${what} (${res.statusCode})`, text: `${JSON.stringify(headers)}\n${res.body}`, mayCarry: new Set(mayCarry) });
    return res;
  }

  beforeAll(async () => {
    const stream = { write: (line: string) => void logs.push(line) };
    t = await createTestApp({ cachePrefix, logger: { ...loggerOptions("trace"), stream } });
    world = await createWorld(t);
    base = await t.app.listen({ host: "127.0.0.1", port: 0 });
    secrets.set("the users' password", PASSWORD);
    secrets.set("the session signing secret", TEST_JWT_SECRET);
    for (const [name, key] of Object.entries(world.keys)) secrets.set(`${name} secret`, key.secret);
    for (const env of world.a.environments) secrets.set(`${env.key} context secret`, env.contextSecret);
  });
  afterAll(() => t.close());

  it("goes through every path a secret takes", async () => {
    const ws = `/v1/workspaces/${world.a.slug}`;
    const owner = world.headers.owner;

    // Sign-in: right, wrong, malformed, oversized; refresh in the cookie and the body.
    const wrong = `wrong-password-${randomBytes(6).toString("hex")}`;
    secrets.set("a guessed password", wrong);
    await call("wrong password", { method: "POST", url: "/v1/auth/login", payload: { email: world.emails.viewer, password: wrong } });
    await call("unknown email", { method: "POST", url: "/v1/auth/login", payload: { email: "nobody@example.test", password: wrong } });
    await call("oversized password", { method: "POST", url: "/v1/auth/login", payload: { email: world.emails.viewer, password: `${wrong}${"x".repeat(300)}` } });
    await call("malformed body", { method: "POST", url: "/v1/auth/login", headers: { "content-type": "application/json" }, payload: `{"email":"${world.emails.viewer}","password":"${wrong}"` });
    await call("password as email", { method: "POST", url: "/v1/auth/login", payload: { email: wrong, password: PASSWORD } });
    const signIn = await login(t.app, world.emails.editor);
    secrets.set("a refresh token", signIn.refreshToken!);
    const refreshed = await call("refresh by cookie", { method: "POST", url: "/v1/auth/refresh", cookies: { ensign_refresh: signIn.refreshToken! } });
    const rotatedRefresh = refreshed.cookies.find((c) => c.name === "ensign_refresh")!.value;
    secrets.set("a rotated refresh token", rotatedRefresh);
    const accessToken = refreshed.json().accessToken as string;
    seen.at(-1)!.mayCarry.add(accessToken);
    const again = await call("refresh by body", { method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: rotatedRefresh } });
    seen.at(-1)!.mayCarry.add(again.json().accessToken);
    await call("replayed refresh", { method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: signIn.refreshToken } });

    // An invitation (the one response that shows its link), accepted by a new member with an
    // initial password; a refused acceptance with a short password.
    const initial = `initial-${randomBytes(8).toString("hex")}`;
    secrets.set("a new member's initial password", initial);
    const invited = await call("invitation created", { method: "POST", url: `${ws}/invitations`, headers: owner, payload: { email: `new-${randomBytes(3).toString("hex")}@example.test`, role: "viewer" } });
    const inviteToken = (invited.json().acceptUrl as string).split("/invite/")[1]!;
    secrets.set("an invitation token", inviteToken);
    seen.at(-1)!.mayCarry.add(inviteToken);
    await call("invitation looked up", { method: "POST", url: "/v1/invitations/lookup", payload: { token: inviteToken } });
    await call("invitation refused", { method: "POST", url: "/v1/invitations/accept-new", payload: { token: inviteToken, name: "Short", password: "short-pw" } });
    await call("invitation accepted", { method: "POST", url: "/v1/invitations/accept-new", payload: { token: inviteToken, name: "New", password: initial } });
    await call("invitations listed", { method: "GET", url: `${ws}/invitations?status=all`, headers: owner });

    // A password-reset link (shown once) and the new password set with it.
    const resetPassword = `reset-${randomBytes(8).toString("hex")}`;
    secrets.set("a password set by a reset link", resetPassword);
    const viewerMembership = await t.db.prisma.membership.findFirstOrThrow({ where: { workspaceId: world.a.id, user: { email: world.emails.viewer } } });
    const issued = await call("reset link issued", { method: "POST", url: `${ws}/members/${viewerMembership.id}/password-reset`, headers: owner });
    const resetToken = (issued.json().resetUrl as string).split("/reset/")[1]!;
    secrets.set("a password-reset token", resetToken);
    seen.at(-1)!.mayCarry.add(resetToken);
    await call("reset link looked up", { method: "POST", url: "/v1/password-resets/lookup", payload: { token: resetToken } });
    await call("reset link redeemed", { method: "POST", url: "/v1/password-resets/redeem", payload: { token: resetToken, newPassword: resetPassword } });
    await call("reset link replayed", { method: "POST", url: "/v1/password-resets/redeem", payload: { token: resetToken, newPassword: resetPassword } });

    // Keys: created (the one response that shows the secret), listed, used, revoked.
    const created = await call("key created", { method: "POST", url: `${ws}/environments/production/api-keys`, headers: owner, payload: { name: "Backend", kind: "server" } });
    const serverSecret = created.json().secret as string;
    secrets.set("a new server key", serverSecret);
    seen.at(-1)!.mayCarry.add(serverSecret);
    await call("keys listed", { method: "GET", url: `${ws}/api-keys`, headers: owner });
    await call("environment keys listed", { method: "GET", url: `${ws}/environments/production/api-keys`, headers: owner });

    // Access tokens: created (the one response that shows each), listed, used on admin writes, revoked.
    const pat = await call("personal token created", { method: "POST", url: "/v1/auth/tokens", headers: owner, payload: { name: "script" } });
    const patSecret = pat.json().secret as string;
    secrets.set("a personal access token", patSecret);
    seen.at(-1)!.mayCarry.add(patSecret);
    const svc = await call("service token created", { method: "POST", url: `${ws}/service-tokens`, headers: owner, payload: { name: "ci", role: "editor", environment: "production" } });
    const svcSecret = svc.json().secret as string;
    secrets.set("a service token", svcSecret);
    seen.at(-1)!.mayCarry.add(svcSecret);
    await call("personal tokens listed", { method: "GET", url: "/v1/auth/tokens", headers: owner });
    await call("service tokens listed", { method: "GET", url: `${ws}/service-tokens`, headers: owner });
    const flagState = `${ws}/flags/kb/environments/production`;
    for (const [what, secret] of [["personal", patSecret], ["service", svcSecret]] as const) {
      const version = (await t.app.inject({ method: "GET", url: flagState, headers: owner })).json().version;
      await call(`flag toggled with a ${what} token`, { method: "PUT", url: `${flagState}/enabled`, headers: { authorization: `Bearer ${secret}`, "if-match": `"${version}"` }, payload: { enabled: true } });
      await call(`${what} token refused elsewhere`, { method: "PUT", url: `${ws}/flags/kb/environments/development/enabled`, headers: { authorization: `Bearer ${secret}` }, payload: { enabled: "x" } });
    }
    await call("personal token revoked", { method: "DELETE", url: `/v1/auth/tokens/${pat.json().id}`, headers: owner });
    await call("service token revoked", { method: "DELETE", url: `${ws}/service-tokens/${svc.json().id}`, headers: owner });
    await call("revoked personal token used", { method: "GET", url: ws, headers: { authorization: `Bearer ${patSecret}` } });
    await call("revoked service token used", { method: "GET", url: ws, headers: { authorization: `Bearer ${svcSecret}` } });

    // Context secrets: read and rotated (those answers show them), then used to sign tokens.
    const production = world.a.environments.find((env) => env.key === "production")!;
    await call("context secret read", { method: "GET", url: `${ws}/environments/production/context-secret`, headers: owner }, [production.contextSecret]);
    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: production.id } });
    const rotated = await call("context secret rotated", { method: "POST", url: `${ws}/environments/production/context-secret/rotate`, headers: { ...owner, "if-match": `"${env.version}"` } });
    const newSecret = rotated.json().secret as string;
    secrets.set("a rotated context secret", newSecret);
    seen.at(-1)!.mayCarry.add(newSecret);
    const contextToken = await new SignJWT({ sub: "ana", tenantKey: world.a.tenantA.key }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(newSecret));
    secrets.set("a context token", contextToken);

    // Evaluation with keys and tokens everywhere a caller may put them, good and bad.
    const client = world.keys.clientKey.secret;
    const bogusKey = `ens_srv_${randomBytes(32).toString("base64url").slice(0, 43)}`;
    secrets.set("a guessed key", bogusKey);
    await call("flags, key in header", { method: "GET", url: "/v1/flags?targetingKey=u", headers: { "x-api-key": client } });
    await call("flags, key in query", { method: "GET", url: `/v1/flags?targetingKey=u&apiKey=${client}&contextToken=${contextToken}` });
    await call("config, key as bearer", { method: "GET", url: "/v1/config", headers: { authorization: `Bearer ${serverSecret}` } });
    await call("config, key in query", { method: "GET", url: `/v1/config?apiKey=${serverSecret}` });
    await call("config, client key refused", { method: "GET", url: `/v1/config?apiKey=${client}` });
    await call("guessed key", { method: "GET", url: `/v1/config?apiKey=${bogusKey}` });
    await call("guessed key in header", { method: "POST", url: "/ofrep/v1/evaluate/flags", headers: { "x-api-key": bogusKey }, payload: { context: { targetingKey: "u" } } });
    await call("ofrep with token", { method: "POST", url: "/ofrep/v1/evaluate/flags/kb", headers: { "x-api-key": client, "x-ensign-context": contextToken }, payload: { context: {} } });
    await call("ofrep with a stale token", { method: "POST", url: "/ofrep/v1/evaluate/flags/kb", headers: { "x-api-key": client, "x-ensign-context": `${contextToken}x` }, payload: { context: {} } });
    await call("traits", { method: "PUT", url: "/v1/identities/ana/traits", headers: { "x-api-key": serverSecret }, payload: { traits: { stage: "onboarded" } } });
    for (const url of [`/v1/stream?apiKey=${client}&contextToken=${contextToken}`, `${ws}/events?accessToken=${accessToken}`]) {
      const controller = new AbortController();
      const res = await fetch(`${base}${url}`, { signal: controller.signal, headers: { "user-agent": "leak-test" } });
      expect(res.status).toBe(200);
      controller.abort();
    }

    // Revocation, export, audit, lists: what an admin reads back afterwards.
    await call("key revoked", { method: "POST", url: `${ws}/environments/production/api-keys/${created.json().id}/revoke`, headers: owner });
    await call("revoked key used", { method: "GET", url: "/v1/config", headers: { "x-api-key": serverSecret } });
    await call("export", { method: "GET", url: `${ws}/export`, headers: owner });
    await call("audit", { method: "GET", url: `${ws}/audit?limit=200`, headers: owner });
    await call("members", { method: "GET", url: `${ws}/members`, headers: owner });
    await call("environments", { method: "GET", url: `${ws}/environments`, headers: owner });
    await call("environment", { method: "GET", url: `${ws}/environments/production`, headers: owner });
    await call("workspaces", { method: "GET", url: "/v1/workspaces", headers: owner });
    await call("me", { method: "GET", url: "/v1/auth/me", headers: owner });
    await call("identity", { method: "GET", url: `${ws}/environments/production/identities/ana`, headers: owner });
    await call("live evaluation", { method: "POST", url: `${ws}/environments/production/evaluate`, headers: owner, payload: { context: { targetingKey: "ana" } } });
    await call("openapi", { method: "GET", url: "/docs/json" });
    secrets.set("an access token", accessToken);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs.length).toBeGreaterThan(50);
  });

  it("finds none of them in the logs", () => {
    const text = logs.join("");
    for (const [name, secret] of secrets) expect({ name, isLogged: text.includes(secret) }).toEqual({ name, isLogged: false });
    expect(text).not.toMatch(/scrypt\$|ens_(srv|cli)_[A-Za-z0-9_-]{43}|ecs_[A-Za-z0-9_-]{43}/);
    // The logs do record the requests, just without their credentials: evaluation requests
    // without their query at all, other requests without the credential parameters.
    expect(text).toContain('"url":"/v1/config?[redacted]"');
    expect(text).toContain('"url":"/v1/stream?[redacted]"');
    expect(text).toContain("accessToken=[redacted]");
  });

  it("finds none of them in any response but the one that hands it out", () => {
    const leaks: string[] = [];
    for (const response of seen) {
      for (const [name, secret] of secrets) if (!response.mayCarry.has(secret) && response.text.includes(secret)) leaks.push(`${name} in ${response.what}`);
      if (/scrypt\$|passwordHash|secretHash/.test(response.text)) leaks.push(`a hash in ${response.what}`);
    }
    expect(leaks).toEqual([]);
    expect(seen.length).toBeGreaterThan(30);
  });

  it("finds none of them in the audit log", async () => {
    const rows = await t.db.prisma.auditEntry.findMany();
    expect(rows.length).toBeGreaterThan(3);
    const text = JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? String(value) : value));
    for (const [name, secret] of secrets) expect({ name, isAudited: text.includes(secret) }).toEqual({ name, isAudited: false });
    expect(text).not.toMatch(/scrypt\$/);
  });

  it("finds none of them in Redis", async () => {
    const redis = new Redis(inject("redisUrl"));
    try {
      const keys = await redis.keys(`${cachePrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      let text = keys.join("\n");
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === "string") text += await redis.get(key);
        else if (type === "hash") text += JSON.stringify(await redis.hgetall(key));
        else if (type === "list") text += (await redis.lrange(key, 0, -1)).join("\n");
        else if (type === "set") text += (await redis.smembers(key)).join("\n");
      }
      for (const [name, secret] of secrets) expect({ name, isCached: text.includes(secret) }).toEqual({ name, isCached: false });
      for (const email of Object.values(world.emails)) expect(text).not.toContain(email);
    } finally {
      redis.disconnect();
    }
  });
});
