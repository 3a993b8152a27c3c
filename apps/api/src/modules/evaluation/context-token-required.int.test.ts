import { SignJWT } from "jose";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ifMatch } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createReplicas, createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { openStream } from "../../../test/helpers/sse";
import { waitUntil } from "../../../test/helpers/wait";

const signed = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(secret));

const REFUSED = { error: { code: "UNAUTHENTICATED", message: expect.stringMatching(/^This environment requires a signed context token/) } };

describe("environments that require signed context tokens (two replicas)", () => {
  let replicas: Awaited<ReturnType<typeof createReplicas>>;
  let a: TestApp;
  let b: TestApp;
  let bUrl: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prod: { id: string; contextSecret: string };
  let client: string;
  let server: string;
  let owner: Record<string, string>;
  let arizonaToken: string;

  beforeAll(async () => {
    // The safety-net poll an hour away: a setting that reaches replica B came by message.
    replicas = await createReplicas(2, { SNAPSHOT_POLL_INTERVAL: "1h" });
    [a, b] = replicas.apps as [TestApp, TestApp];
    await b.app.listen({ host: "127.0.0.1", port: 0 });
    bUrl = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(a.db);
    prod = ws.environments[2]!;
    for (const key of ["arizona-comedy", "desert-jazz"]) await createTenant(a.db, ws.id, key);
    await createFlag(a.db, ws.id, {
      key: "knowledge_base_enabled",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["desert-jazz"] } },
    });
    client = (await createApiKey(a.db, ws.id, prod.id, "client")).secret;
    server = (await createApiKey(a.db, ws.id, prod.id, "server")).secret;
    owner = await memberHeaders(a.app, a.db, ws.id, "owner");
    arizonaToken = await signed(prod.contextSecret, { sub: "ana@arizona", tenantKey: "arizona-comedy" });
  });
  afterAll(() => replicas.close());

  /** The portal endpoint on replica B, asking for the other producer's flags unless a token says otherwise. */
  const portal = (key: string, headers: Record<string, string> = {}, query = "targetingKey=ana&tenantKey=desert-jazz") =>
    b.app.inject({ method: "GET", url: `/v1/flags?${query}`, headers: { ...apiKeyHeaders(key), ...headers } });
  const ofrep = (key: string, path: string, headers: Record<string, string> = {}) =>
    b.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags${path}`, headers: { ...apiKeyHeaders(key), ...headers }, payload: { context: { targetingKey: "ana", tenantKey: "desert-jazz" } } });

  /** Sets the switch through replica A's admin API. */
  async function setRequired(value: boolean) {
    const env = await a.db.prisma.environment.findUniqueOrThrow({ where: { id: prod.id } });
    const res = await a.app.inject({
      method: "PATCH",
      url: `/v1/workspaces/${ws.slug}/environments/production`,
      headers: { ...owner, ...ifMatch(env.version) },
      payload: { requireContextToken: value },
    });
    expect(res.statusCode).toBe(200);
    return { res, before: env };
  }

  const untilStatus = (status: number) => waitUntil(async () => (await portal(client)).statusCode === status, undefined, 2);

  it("is off in an environment opted out of it: a client key may ask for any tenant's flags", async () => {
    const env = await a.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/environments/production`, headers: owner });
    expect(env.json().requireContextToken).toBe(false);
    const res = await portal(client);
    expect(res.statusCode).toBe(200);
    expect(res.json().flags.knowledge_base_enabled.value).toBe(true);
  });

  it("once turned on through replica A, replica B refuses client keys without a token once the change message reaches it; audited", async () => {
    const { res, before } = await setRequired(true);
    expect(res.json()).toMatchObject({ requireContextToken: true, snapshotVersion: before.snapshotVersion + 1, version: before.version + 1 });
    await untilStatus(401);
    expect((await portal(client)).json()).toMatchObject(REFUSED);
    const [entry] = await auditOf(a.db, ws.id, "environment.updated");
    expect(entry).toMatchObject({ actorRole: "owner", environmentKey: "production", before: { requireContextToken: false }, after: { requireContextToken: true } });
  });

  it("answers the portal endpoint from the token's claims only, and 401 for a token that does not verify here", async () => {
    const viaHeader = await portal(client, { "x-ensign-context": arizonaToken });
    expect(viaHeader.statusCode).toBe(200);
    // The token names arizona-comedy; the desert-jazz in the query is ignored.
    expect(viaHeader.json().flags.knowledge_base_enabled.value).toBe(false);
    const viaQuery = await portal(client, {}, `tenantKey=desert-jazz&contextToken=${arizonaToken}`);
    expect(viaQuery.json().flags.knowledge_base_enabled.value).toBe(false);

    const otherEnvironment = await signed(ws.environments[1]!.contextSecret, { sub: "ana", tenantKey: "desert-jazz" });
    const refused = await portal(client, { "x-ensign-context": otherEnvironment });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/context token is not valid/);
    expect((await portal(client, { "x-ensign-context": "" })).json()).toMatchObject(REFUSED);
  });

  it("refuses OFREP single and bulk evaluation without a token (401), and evaluates the token's context with one", async () => {
    for (const path of ["/knowledge_base_enabled", ""]) {
      const res = await ofrep(client, path);
      expect({ path, status: res.statusCode }).toEqual({ path, status: 401 });
      expect(res.json()).toMatchObject(REFUSED);
    }
    const single = await ofrep(client, "/knowledge_base_enabled", { "x-ensign-context": arizonaToken });
    expect(single.statusCode).toBe(200);
    expect(single.json()).toMatchObject({ key: "knowledge_base_enabled", value: false });
    const bulk = await ofrep(client, "", { "x-ensign-context": arizonaToken });
    expect(bulk.statusCode).toBe(200);
    // The push stream it offers carries the caller's token, as the stream requires it here.
    expect(bulk.json().eventStreams[0].url).toBe(`/v1/stream?format=ofrep&apiKey=${client}&contextToken=${arizonaToken}`);
  });

  it("opens a client key's change stream only with a valid token", async () => {
    expect((await openStream(`${bUrl}/v1/stream?apiKey=${client}`)).status).toBe(401);
    expect((await openStream(`${bUrl}/v1/stream?apiKey=${client}&contextToken=not.a.jwt`)).status).toBe(401);
    for (const stream of [
      await openStream(`${bUrl}/v1/stream?apiKey=${client}&contextToken=${arizonaToken}`),
      await openStream(`${bUrl}/v1/stream?apiKey=${client}`, { "x-ensign-context": arizonaToken }),
    ]) {
      expect(stream.status).toBe(200);
      expect(JSON.parse((await stream.next((e) => e.event === "change")).data!)).toMatchObject({ environment: "production" });
      stream.close();
    }
  });

  it("exempts server keys: trusted backends choose the context", async () => {
    const res = await portal(server);
    expect(res.statusCode).toBe(200);
    expect(res.json().flags.knowledge_base_enabled.value).toBe(true);
    expect((await ofrep(server, "/knowledge_base_enabled")).json()).toMatchObject({ value: true });
    expect((await ofrep(server, "")).statusCode).toBe(200);
    const stream = await openStream(`${bUrl}/v1/stream?apiKey=${server}`);
    expect(stream.status).toBe(200);
    stream.close();
  });

  it("travels in the shared snapshot copy; a copy that lacks it is rebuilt from PostgreSQL, never read as off", async () => {
    const version = b.app.services.snapshots.peek(prod.id)!.version;
    const copyKey = `snapshot:${prod.id}:${version}`;
    const c = await createTestApp({ database: replicas.database, cachePrefix: replicas.cachePrefix });
    try {
      await c.app.services.snapshots.refresh(prod.id, version);
      expect(c.app.services.snapshots.peek(prod.id)!.meta).toMatchObject({ requireContextToken: true });
      expect(c.app.services.snapshots.peek(prod.id)!.source).toBe("redis");
    } finally {
      await c.close();
    }
    const copy = JSON.parse((await b.cache.get(copyKey))!) as { meta: Record<string, unknown> };
    delete copy.meta.requireContextToken;
    await b.cache.set(copyKey, JSON.stringify(copy), 60_000);
    const d = await createTestApp({ database: replicas.database, cachePrefix: replicas.cachePrefix });
    try {
      await d.app.services.snapshots.refresh(prod.id, version);
      expect(d.app.services.snapshots.peek(prod.id)).toMatchObject({ source: "database", meta: { requireContextToken: true } });
    } finally {
      await d.close();
    }
  });

  it("lets client keys choose the context again once turned off", async () => {
    await setRequired(false);
    await untilStatus(200);
    expect((await portal(client)).json().flags.knowledge_base_enabled.value).toBe(true);
    expect((await ofrep(client, "/knowledge_base_enabled")).statusCode).toBe(200);
  });
});
