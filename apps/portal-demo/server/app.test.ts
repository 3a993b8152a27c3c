import { createHmac } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KEY, CONTEXT_SECRET, SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../../../packages/sdk/test/fake-ensign";
import { portalSnapshot } from "../../../packages/sdk/test/snapshots";
import { buildPortalServer } from "./app";
import { loadPortalConfig, PortalConfigError } from "./config";

let fake: FakeEnsign;
beforeAll(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterAll(() => fake.close());

async function portal(keys: { ENSIGN_SERVER_KEY?: string; ENSIGN_CLIENT_KEY?: string }) {
  const config = loadPortalConfig({ ENSIGN_URL: fake.url, ENSIGN_CONTEXT_SECRET: CONTEXT_SECRET, PORTAL_DIST: "/nonexistent", ...keys });
  return buildPortalServer(config, { logger: false });
}

async function signIn(app: FastifyInstance, producerKey: string) {
  const response = await app.inject({ method: "POST", url: "/api/session", payload: { producerKey } });
  expect(response.statusCode).toBe(200);
  const cookie = response.cookies.find((c) => c.name === "portal_session")!;
  return { cookie: `${cookie.name}=${cookie.value}` };
}

describe.each([
  ["local evaluation (server key)", { ENSIGN_SERVER_KEY: SERVER_KEY, ENSIGN_CLIENT_KEY: CLIENT_KEY }],
  ["remote evaluation (client key only)", { ENSIGN_CLIENT_KEY: CLIENT_KEY }],
])("portal demo backend with %s", (_name, keys) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await portal(keys);
  });
  afterAll(() => app.close());

  it("guards the AI Assistant API with requireFeature('ai_agents_enabled')", async () => {
    const tucson = await signIn(app, "tucson-theatre-works");
    const allowed = await app.inject({ url: "/api/ai-assistant/suggestions", headers: tucson });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().suggestions).toHaveLength(3);
    const arizona = await signIn(app, "arizona-comedy");
    const refused = await app.inject({ url: "/api/ai-assistant/suggestions", headers: arizona });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: "FEATURE_DISABLED", message: expect.stringMatching(/AI Assistant is not enabled/) });
    expect((await app.inject({ url: "/api/ai-assistant/suggestions" })).statusCode).toBe(403);
  });
});

describe("portal demo backend", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await portal({ ENSIGN_CLIENT_KEY: CLIENT_KEY });
  });
  afterAll(() => app.close());

  it("signs a producer in, and refuses unknown producers and forged cookies", async () => {
    expect((await app.inject({ url: "/api/session" })).statusCode).toBe(401);
    const bad = await app.inject({ method: "POST", url: "/api/session", payload: { producerKey: "nobody" } });
    expect(bad.statusCode).toBe(400);
    const headers = await signIn(app, "arizona-comedy");
    expect((await app.inject({ url: "/api/session", headers })).json()).toEqual({ producer: { key: "arizona-comedy", name: "Arizona Comedy" } });
    expect((await app.inject({ url: "/api/session", headers: { cookie: "portal_session=tucson-theatre-works" } })).statusCode).toBe(401);
  });

  it("mints an HS256 context token for the signed-in producer only", async () => {
    expect((await app.inject({ method: "POST", url: "/api/ensign-token" })).statusCode).toBe(401);
    const headers = await signIn(app, "arizona-comedy");
    const { token, expiresAt } = (await app.inject({ method: "POST", url: "/api/ensign-token", headers })).json();
    const [header, payload, signature] = token.split(".");
    expect(createHmac("sha256", CONTEXT_SECRET).update(`${header}.${payload}`).digest("base64url")).toBe(signature);
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    expect(claims).toMatchObject({ sub: "arizona-comedy:owner", tenantKey: "arizona-comedy", role: "producer" });
    expect(claims.exp - claims.iat).toBe(900);
    expect(new Date(expiresAt).getTime()).toBe(claims.exp * 1000);
  });

  it("tells the browser where Ensign is, never the server key", async () => {
    const withServerKey = await portal({ ENSIGN_SERVER_KEY: SERVER_KEY, ENSIGN_CLIENT_KEY: CLIENT_KEY });
    const body = (await withServerKey.inject({ url: "/api/config" })).body;
    expect(JSON.parse(body)).toEqual({ ensignUrl: fake.url, clientKey: CLIENT_KEY });
    expect(body).not.toContain(SERVER_KEY);
    await withServerKey.close();
  });

  it("refuses to start without its secrets", () => {
    expect(() => loadPortalConfig({ ENSIGN_CLIENT_KEY: CLIENT_KEY })).toThrow(PortalConfigError);
    expect(() => loadPortalConfig({ ENSIGN_CONTEXT_SECRET: "x" })).toThrow(/ENSIGN_CLIENT_KEY/);
  });
});
