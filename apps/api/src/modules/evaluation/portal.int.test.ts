import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant, publishChange } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

const hs256 = (secret: string, claims: Record<string, unknown>, exp = Math.floor(Date.now() / 1000) + 300) =>
  new SignJWT({ ...claims, exp }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("portal endpoint and signed context tokens", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prod: { id: string; contextSecret: string };
  let client: string;
  let jwks: Server;
  let issuerKey: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    // The issuer's JWKS is served on loopback here, as an on-premises identity provider's would be on a private address.
    t = await createTestApp({ config: { OUTBOUND_ALLOW: "127.0.0.1" } });
    ws = await createWorkspace(t.db);
    prod = ws.environments[2]!;
    for (const key of ["arizona-comedy", "desert-jazz"]) await createTenant(t.db, ws.id, key);
    const states = (allow: string[]) => ({ [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: allow } });
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: states(["arizona-comedy"]) });
    await createFlag(t.db, ws.id, { key: "ai_agents_enabled", states: states(["desert-jazz"]) });
    await createFlag(t.db, ws.id, {
      key: "beta.tools",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [{ conditions: [{ attribute: "role", operator: "equals", values: ["owner"] }], serve: { variant: "on" } }] } },
    });
    client = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;

    issuerKey = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(issuerKey.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwks = createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    jwks.close();
    await t.close();
  });

  const flags = (query: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "GET", url: `/v1/flags?${query}`, headers: { ...apiKeyHeaders(client), ...headers } });

  it("evaluates every flag for the parameters' context, with camelCase keys on request", async () => {
    const res = await flags("targetingKey=u1&tenantKey=arizona-comedy&keys=camel");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      environment: "production",
      flags: {
        knowledgeBaseEnabled: { value: true, variant: "on", reason: "TARGETING_MATCH" },
        aiAgentsEnabled: { value: false, reason: "DEFAULT" },
        betaTools: { value: false },
      },
    });
    const json = await flags(`context=${encodeURIComponent(JSON.stringify({ targetingKey: "u1", role: "owner" }))}`);
    expect(json.json().flags["beta.tools"]).toMatchObject({ value: true });
  });

  it("answers 304 to If-None-Match while the answer is the same", async () => {
    const first = await flags("targetingKey=u1&tenantKey=desert-jazz");
    const second = await flags("targetingKey=u1&tenantKey=desert-jazz", { "if-none-match": first.headers.etag as string });
    expect(second.statusCode).toBe(304);
    const other = await flags("targetingKey=u1&tenantKey=arizona-comedy", { "if-none-match": first.headers.etag as string });
    expect(other.statusCode).toBe(200);
  });

  it("takes the context from a signed token only: what the browser adds is ignored", async () => {
    const token = await hs256(prod.contextSecret, { sub: "alex", tenantKey: "arizona-comedy", attributes: { plan: "pro" } });
    const res = await flags("tenantKey=desert-jazz&role=owner", { "x-ensign-context": token });
    expect(res.statusCode).toBe(200);
    expect(res.json().flags).toMatchObject({ knowledge_base_enabled: { value: true }, ai_agents_enabled: { value: false }, "beta.tools": { value: false } });
    const byQuery = await flags(`contextToken=${token}&context=${encodeURIComponent('{"tenantKey":"desert-jazz"}')}`);
    expect(byQuery.json().flags.knowledge_base_enabled.value).toBe(true);
  });

  it("refuses tampered, expired, foreign, unsigned and incomplete tokens with 401", async () => {
    const valid = await hs256(prod.contextSecret, { sub: "alex", tenantKey: "arizona-comedy" });
    const [header, , signature] = valid.split(".");
    const otherTenant = `${header}.${b64({ sub: "alex", tenantKey: "desert-jazz", exp: Math.floor(Date.now() / 1000) + 300 })}.${signature}`;
    const cases: Record<string, string> = {
      otherTenant,
      expired: await hs256(prod.contextSecret, { sub: "alex", tenantKey: "arizona-comedy" }, Math.floor(Date.now() / 1000) - 10),
      otherEnvironmentsSecret: await hs256(ws.environments[0]!.contextSecret, { sub: "alex", tenantKey: "arizona-comedy" }),
      algNone: `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "alex", tenantKey: "desert-jazz", exp: 9_999_999_999 })}.`,
      noExpiry: await new SignJWT({ sub: "alex" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(prod.contextSecret)),
      notAJwt: "garbage",
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await flags("", { "x-ensign-context": token });
      expect({ name, status: res.statusCode, code: res.json().error?.code }).toEqual({ name, status: 401, code: "UNAUTHENTICATED" });
      const ofrep = await t.app.inject({
        method: "POST",
        url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
        headers: { ...apiKeyHeaders(client), "x-ensign-context": token },
        payload: { context: { tenantKey: "arizona-comedy" } },
      });
      expect({ name, status: ofrep.statusCode }).toEqual({ name, status: 401 });
    }
  });

  it("accepts RS256 tokens of the environment's configured issuer, fetched from its JWKS", async () => {
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    await t.db.prisma.environment.update({ where: { id: prod.id }, data: { contextIssuer: "https://portal.example", contextJwksUrl: url } });
    const [change] = await publishChange(t.app, t.db, ws.id, [prod.id]);
    await t.app.services.snapshots.refresh(prod.id, change!.version);
    const sign = (issuer: string) =>
      new SignJWT({ tenantKey: "desert-jazz" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setSubject("sam")
        .setIssuer(issuer)
        .setExpirationTime("5m")
        .sign(issuerKey.privateKey);
    const ok = await flags("", { "x-ensign-context": await sign("https://portal.example") });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().flags.ai_agents_enabled.value).toBe(true);
    const wrongIssuer = await flags("", { "x-ensign-context": await sign("https://evil.example") });
    expect(wrongIssuer.statusCode).toBe(401);
  });

  it("refuses an oversized or malformed context with 400", async () => {
    const res = await flags(`context=${encodeURIComponent("{nope")}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues[0].path).toBe("query.context");
    const deep = await flags(`context=${encodeURIComponent(JSON.stringify({ a: { b: { c: { d: { e: { f: 1 } } } } } }))}`);
    expect(deep.statusCode).toBe(400);
  });
});
