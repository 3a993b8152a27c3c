import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { createFlag, envId } from "../helpers/tenancy-fixtures";
import { waitUntil } from "../helpers/wait";
import { createWorld, type World } from "./world";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A context token as the customer's backend signs it: HS256 with the environment's secret. */
const contextToken = (secret: string, claims: Record<string, unknown>, expiresIn: string | number = "5m") =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
function rawToken(header: object, claims: object, secret?: string, hash = "sha256") {
  const head = `${b64(header)}.${b64(claims)}`;
  return `${head}.${secret ? createHmac(hash, secret).update(head).digest("base64url") : ""}`;
}

/**
 * API keys and signed context tokens. A key answers for its own environment and nothing else; a
 * client key never reaches a server-key route; a revoked key is refused at once; a context token
 * is honoured only when signed with the key's environment's current secret, and its claims
 * replace whatever context the caller sent.
 */
describe("API keys and context tokens", () => {
  let t: TestApp;
  let world: World;
  let secretA: string;
  let attacks = 0;
  const lags: number[] = [];
  const key = (name: keyof World["keys"]) => ({ "x-api-key": world.keys[name].secret });

  /** `kb` for a context on the portal endpoint and on OFREP, as the caller would read it. */
  async function kbFor(headers: Record<string, string>, query: string, body?: object) {
    const portal = await t.app.inject({ method: "GET", url: `/v1/flags?${query}`, headers });
    const ofrep = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/kb", headers, payload: body ?? { context: Object.fromEntries(new URLSearchParams(query)) } });
    return { portal, ofrep };
  }

  /** Until both endpoints answer `status` (a change reaches the replica's snapshot asynchronously); the milliseconds it took go to the log. */
  async function untilRefused(headers: Record<string, string>, query: string, status = 401) {
    const lag = await waitUntil(async () => {
      const { portal, ofrep } = await kbFor(headers, query);
      return portal.statusCode === status && ofrep.statusCode === status;
    }, undefined, 5);
    lags.push(Math.round(lag));
  }

  beforeAll(async () => {
    // The safety-net poll an hour away: a setting takes effect through the replica's own change feed.
    t = await createTestApp({ config: { SNAPSHOT_POLL_INTERVAL: "1h" } });
    world = await createWorld(t);
    await createFlag(t.db, world.a, { key: "only-in-a", fallthrough: "on" });
    secretA = world.a.environments.find((env) => env.key === "production")!.contextSecret;
  });
  afterAll(() => {
    console.info(`API key and context token attacks checked: ${attacks}; security settings took effect on this replica after ${lags.join(", ")} ms`);
    return t.close();
  });

  it("answers for the key's own environment and workspace, whatever the request names", async () => {
    const tenant = world.a.tenantA.key;
    const production = await t.app.inject({ method: "GET", url: `/v1/flags?tenantKey=${tenant}&targetingKey=u`, headers: key("clientKey") });
    expect(production.json()).toMatchObject({ environment: "production", flags: { kb: { value: true } } });

    attacks++;
    const development = await t.app.inject({ method: "GET", url: `/v1/flags?tenantKey=${tenant}&targetingKey=u&environment=production&env=production`, headers: key("otherEnvClientKey") });
    expect(development.statusCode).toBe(200);
    expect(development.json()).toMatchObject({ environment: "development", flags: { kb: { value: false } } });

    attacks++;
    const otherWorkspace = await t.app.inject({ method: "GET", url: `/v1/flags?tenantKey=${tenant}&targetingKey=u&workspace=${world.a.slug}`, headers: key("otherWorkspaceClientKey") });
    expect(otherWorkspace.statusCode).toBe(200);
    expect(Object.keys(otherWorkspace.json().flags)).not.toContain("only-in-a");
    const single = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/only-in-a", headers: key("otherWorkspaceServerKey"), payload: { context: { targetingKey: "u" } } });
    expect(single.statusCode).toBe(404);
    expect(single.json()).toMatchObject({ key: "only-in-a", errorCode: "FLAG_NOT_FOUND" });

    attacks++;
    const config = await t.app.inject({ method: "GET", url: "/v1/config", headers: key("otherWorkspaceServerKey") });
    expect(config.statusCode).toBe(200);
    expect(config.body).not.toContain(world.a.tenantA.key);
    expect(config.body).not.toContain("only-in-a");
    expect(config.body).not.toContain(world.a.id);
  });

  it("keeps client keys off the server-key routes", async () => {
    for (const headers of [key("clientKey"), key("otherEnvClientKey")]) {
      attacks += 3;
      for (const url of ["/v1/config", `/v1/config?apiKey=${headers["x-api-key"]}`]) {
        const res = await t.app.inject({ method: "GET", url, headers: url.includes("apiKey") ? {} : headers });
        expect({ url, status: res.statusCode, code: res.json().error.code }).toEqual({ url, status: 403, code: "FORBIDDEN" });
      }
      const traits = await t.app.inject({ method: "PUT", url: "/v1/identities/intruder/traits", headers, payload: { traits: { stage: "admin" } } });
      expect(traits.statusCode).toBe(403);
    }
    expect(await t.db.prisma.identity.count({ where: { key: "intruder" } })).toBe(0);
    // The stream a client key may open carries versions only, never rules or values.
    attacks++;
    const base = await t.app.listen({ host: "127.0.0.1", port: 0 });
    const controller = new AbortController();
    const stream = await fetch(`${base}/v1/stream`, { headers: key("clientKey"), signal: controller.signal });
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const data = JSON.parse(/data: (.*)/.exec(first)![1]!);
    expect(Object.keys(data).sort()).toEqual(["environment", "version"]);
  });

  it("refuses a revoked key at once on every evaluation route, in a header or the query", async () => {
    const owner = world.headers.owner;
    const created = await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.a.slug}/environments/production/api-keys`, headers: owner, payload: { name: "Doomed", kind: "server" } });
    const { id, secret } = created.json() as { id: string; secret: string };
    const requests = [
      { method: "GET", url: "/v1/flags?targetingKey=u" },
      { method: "GET", url: "/v1/config" },
      { method: "GET", url: "/ofrep/v1/configuration" },
      { method: "POST", url: "/ofrep/v1/evaluate/flags/kb", payload: { context: { targetingKey: "u" } } },
      { method: "POST", url: "/ofrep/v1/evaluate/flags", payload: { context: { targetingKey: "u" } } },
      { method: "PUT", url: "/v1/identities/someone/traits", payload: { traits: { a: 1 } } },
    ] as const;
    for (const request of requests) expect((await t.app.inject({ ...request, headers: { "x-api-key": secret } })).statusCode).toBeLessThan(300);

    const revoked = await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.a.slug}/environments/production/api-keys/${id}/revoke`, headers: owner });
    expect(revoked.statusCode).toBe(200);
    for (const request of requests) {
      for (const headers of [{ "x-api-key": secret }, { authorization: `Bearer ${secret}` }]) {
        attacks++;
        const res = await t.app.inject({ ...request, headers });
        expect({ url: request.url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url: request.url, status: 401, code: "UNAUTHENTICATED" });
      }
    }
    for (const url of [`/v1/stream?apiKey=${secret}`, `/v1/config?apiKey=${secret}`, `/v1/flags?targetingKey=u&apiKey=${secret}`]) {
      attacks++;
      expect((await t.app.inject({ method: "GET", url })).statusCode).toBe(401);
    }
  });

  it("refuses keys that are almost right", async () => {
    const secret = world.keys.serverKey.secret;
    const near = {
      truncated: secret.slice(0, -1),
      "one character changed": `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`,
      "upper-cased": secret.toUpperCase(),
      "other prefix": secret.replace("ens_srv_", "ens_cli_"),
      "its stored hash": world.keys.serverKey.hash,
      "its id": world.keys.serverKey.id,
      "with a trailing space": `${secret} `,
      "the context secret": secretA,
    };
    for (const [name, candidate] of Object.entries(near)) {
      attacks++;
      const res = await t.app.inject({ method: "GET", url: "/v1/config", headers: { "x-api-key": candidate } });
      expect({ name, status: res.statusCode }).toEqual({ name, status: 401 });
    }
  });

  it("lets a valid context token decide the context: the query, the context parameter and the OFREP body cannot name another producer", async () => {
    const mine = world.a.tenantA.key;
    const theirs = world.a.tenantB.key;
    // tenantA has `kb` on (an override), tenantB has it off; the token says tenantB.
    const token = await contextToken(secretA, { sub: "bea@b", tenantKey: theirs });
    const headers = { ...key("clientKey"), "x-ensign-context": token };
    for (const query of [`targetingKey=ana&tenantKey=${mine}`, `context=${encodeURIComponent(JSON.stringify({ targetingKey: "ana", tenantKey: mine }))}`]) {
      attacks++;
      const { portal, ofrep } = await kbFor(headers, query, { context: { targetingKey: "ana", tenantKey: mine } });
      expect(portal.json().flags.kb.value).toBe(false);
      expect(ofrep.json()).toMatchObject({ key: "kb", value: false });
    }
    attacks++;
    const inQuery = await t.app.inject({ method: "GET", url: `/v1/flags?tenantKey=${mine}&contextToken=${token}`, headers: key("clientKey") });
    expect(inQuery.json().flags.kb.value).toBe(false);
    // Without the token the same client key may still choose, unless the environment requires tokens (below).
    expect((await kbFor(key("clientKey"), `targetingKey=ana&tenantKey=${mine}`)).portal.json().flags.kb.value).toBe(true);
  });

  it("refuses context tokens that are forged, expired, altered, or signed for another environment or workspace", async () => {
    const claims = { sub: "ana@a", tenantKey: world.a.tenantA.key };
    const exp = nowSeconds() + 300;
    const development = world.a.environments.find((env) => env.key === "development")!.contextSecret;
    const otherWorkspace = world.b.environments.find((env) => env.key === "production")!.contextSecret;
    const valid = await contextToken(secretA, claims);
    const [header, , signature] = valid.split(".");
    const forged: Record<string, string> = {
      "signed with development's secret": await contextToken(development, claims),
      "signed with another workspace's secret": await contextToken(otherWorkspace, claims),
      "signed with the session secret": await contextToken(TEST_JWT_SECRET, claims),
      expired: await contextToken(secretA, claims, nowSeconds() - 10),
      "without an expiry": rawToken({ alg: "HS256", typ: "JWT" }, claims, secretA),
      "without a subject": await contextToken(secretA, { tenantKey: world.a.tenantA.key }),
      "alg none": rawToken({ alg: "none", typ: "JWT" }, { ...claims, exp }),
      HS512: rawToken({ alg: "HS512", typ: "JWT" }, { ...claims, exp }, secretA, "sha512"),
      "RS256 without an issuer set up": rawToken({ alg: "RS256", typ: "JWT" }, { ...claims, exp }, secretA),
      "tenant changed after signing": `${header}.${b64({ ...claims, tenantKey: world.a.tenantB.key, exp })}.${signature}`,
      "not a JWT": "definitely-not-a-token",
    };
    for (const [name, token] of Object.entries(forged)) {
      attacks++;
      const { portal, ofrep } = await kbFor({ ...key("clientKey"), "x-ensign-context": token }, "targetingKey=ana");
      expect({ name, portal: portal.statusCode, ofrep: ofrep.statusCode, code: portal.json().error?.code }).toEqual({ name, portal: 401, ofrep: 401, code: "UNAUTHENTICATED" });
    }
  });

  it("refuses a token signed with a rotated-away secret once the change reaches the snapshot", async () => {
    const owner = world.headers.owner;
    const token = await contextToken(secretA, { sub: "ana@a", tenantKey: world.a.tenantA.key });
    const headers = { ...key("clientKey"), "x-ensign-context": token };
    expect((await kbFor(headers, "targetingKey=ana")).portal.statusCode).toBe(200);
    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: envId(world.a) } });
    const rotated = await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.a.slug}/environments/production/context-secret/rotate`, headers: { ...owner, "if-match": `"${env.version}"` } });
    expect(rotated.statusCode).toBe(200);
    secretA = rotated.json().secret;
    attacks++;
    await untilRefused(headers, "targetingKey=ana");
  });

  it("in an environment that requires tokens, refuses a client key that brings none, and serves server keys", async () => {
    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: envId(world.a) } });
    const required = await t.app.inject({
      method: "PATCH",
      url: `/v1/workspaces/${world.a.slug}/environments/production`,
      headers: { ...world.headers.owner, "if-match": `"${env.version}"` },
      payload: { requireContextToken: true },
    });
    expect(required.statusCode).toBe(200);
    for (const query of ["targetingKey=ana", `targetingKey=ana&tenantKey=${world.a.tenantA.key}`]) {
      attacks++;
      await untilRefused(key("clientKey"), query);
    }
    attacks++;
    expect((await t.app.inject({ method: "GET", url: `/v1/stream?apiKey=${world.keys.clientKey.secret}` })).statusCode).toBe(401);
    expect((await kbFor(key("serverKey"), "targetingKey=ana")).portal.statusCode).toBe(200);
    const token = await contextToken(secretA, { sub: "ana@a", tenantKey: world.a.tenantA.key });
    const withToken = await kbFor({ ...key("clientKey"), "x-ensign-context": token }, "targetingKey=ana");
    expect(withToken.portal.json().flags.kb.value).toBe(true);
  });
});
