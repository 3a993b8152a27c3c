import fc from "fast-check";
import { SignJWT } from "jose";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplicas, createTestApp, type TestApp } from "../../../test/helpers/app";
import { createApiKey, createFlag, createTenant, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

const BODY_LIMIT = 65_536;
const ORIGIN = "https://portal.example";

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The evaluation endpoints run through the application's one request pipeline: a hook added
 * once to the application sees every request (OFREP single and bulk, the portal endpoint, the SDK
 * config, traits), with its request id, CORS, the API-key guard and the metrics of every other
 * route — hostile requests included.
 */
describe("the evaluation request pipeline", () => {
  let t: TestApp;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  /** Request id → route pattern, as a hook added once to the application saw each request. */
  const seen = new Map<string, string>();
  /** Request ids whose answer the application's onResponse hook saw. */
  const answered = new Set<string>();
  let keys: Record<string, Record<string, string>>;
  let tokens: Record<string, string>;

  const send = (call: Call) =>
    new Promise<Answer>((resolve, reject) => {
      const headers = call.body === undefined ? call.headers : { ...call.headers, "content-length": String(Buffer.byteLength(call.body)) };
      const req = httpRequest({ host: "127.0.0.1", port, method: call.method, path: call.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end(call.body);
    });

  beforeAll(async () => {
    t = await createTestApp({
      config: { EVAL_RATE_LIMIT: "1000000", CORS_ORIGINS: ORIGIN },
      prepare: (app) => {
        app.addHook("onRequest", (request, _reply, done) => {
          seen.set(request.id, request.routeOptions.url ?? "unmatched");
          done();
        });
        app.addHook("onResponse", (request, _reply, done) => {
          answered.add(request.id);
          done();
        });
      },
    });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as AddressInfo).port;

    const ws = await createWorkspace(t.db);
    const [, staging, prod] = ws.environments as [unknown, { id: string; contextSecret: string }, { id: string; contextSecret: string }];
    await t.db.prisma.environment.update({ where: { id: staging.id }, data: { requireContextToken: true } });
    await t.db.prisma.environment.update({ where: { id: prod.id }, data: { requireContextToken: false } });
    await createTenant(t.db, ws.id, "arizona-comedy", { plan: "pro" });
    await createTenant(t.db, ws.id, "desert-jazz", { plan: "standard" });
    for (const env of [staging.id, prod.id]) {
      await createFlag(t.db, ws.id, { key: `kb_${env === prod.id ? "prod" : "staging"}`, states: { [env]: { enabled: true } } });
    }
    await createFlag(t.db, ws.id, {
      key: "knowledge_base_enabled",
      states: {
        [prod.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["arizona-comedy"] },
        [staging.id]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["desert-jazz"] },
      },
    });
    await createFlag(t.db, ws.id, {
      key: "banner_text",
      type: "string",
      variants: [
        { key: "hello", value: 'Hello \u2603 "quoted"' },
        { key: "bye", value: "Bye" },
      ],
      states: { [prod.id]: { enabled: true, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "equals", values: ["pro"] }], serve: { variant: "bye" } }] } },
    });
    await createFlag(t.db, ws.id, { key: "limits", type: "json", variants: [{ key: "default", value: { seats: 100, tiers: ["a", "b"] } }], states: { [prod.id]: { enabled: true } } });
    await createFlag(t.db, ws.id, { key: "retired", archived: true, states: { [prod.id]: { enabled: true } } });

    const client = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
    const server = (await createApiKey(t.db, ws.id, prod.id, "server")).secret;
    const stagingClient = (await createApiKey(t.db, ws.id, staging.id, "client")).secret;
    const stagingServer = (await createApiKey(t.db, ws.id, staging.id, "server")).secret;
    keys = {
      none: {},
      client: { "x-api-key": client },
      server: { "x-api-key": server },
      bearer: { authorization: `Bearer ${server}` },
      both: { "x-api-key": client, authorization: `Bearer ${server}` },
      malformed: { "x-api-key": "nope" },
      unknown: { "x-api-key": `ens_cli_${"A".repeat(43)}` },
      basic: { authorization: "Basic dXNlcjpwYXNz" },
      stagingClient: { "x-api-key": stagingClient },
      stagingServer: { "x-api-key": stagingServer },
    };
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode(staging.contextSecret));
    tokens = {
      staging: await sign({ sub: "alex", tenantKey: "desert-jazz" }),
      otherSecret: await new SignJWT({ sub: "alex" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode("x".repeat(40))),
      garbage: "not-a-token",
    };
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  const context = fc.record(
    {
      targetingKey: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant("u".repeat(300))),
      tenantKey: fc.constantFrom("arizona-comedy", "desert-jazz", "nobody", ""),
      role: fc.oneof(fc.constantFrom("owner", "viewer"), fc.constant(null), fc.boolean()),
      plan: fc.string({ maxLength: 6 }),
      nested: fc.jsonValue({ maxDepth: 6 }),
    },
    { requiredKeys: [] },
  );

  const paths = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("knowledge_base_enabled", "banner_text", "limits", "retired", "no_such_flag", "kb_prod", "kb_staging").map((key) => `/ofrep/v1/evaluate/flags/${key}`) },
    { weight: 3, arbitrary: fc.constant("/ofrep/v1/evaluate/flags") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "/ofrep/v1/evaluate/flags/",
        "/ofrep/v1/evaluate/flags?x=1",
        "/ofrep/v1/evaluate/flags/banner_text?x=1",
        "/ofrep/v1/evaluate/flags/banner%5Ftext",
        `/ofrep/v1/evaluate/flags/${encodeURIComponent("ünïcode")}`,
        "/ofrep/v1/evaluate/flags/with.dots-and~tilde",
        `/ofrep/v1/evaluate/flags/${"y".repeat(500)}`,
        `/ofrep/v1/evaluate/flags/${"y".repeat(501)}`,
        "/ofrep/v1/evaluate/flags/a/b",
        "/ofrep/v1/evaluate/flagsx",
      ),
    },
  );

  const bodies = fc.oneof(
    { weight: 8, arbitrary: context.map((ctx) => JSON.stringify({ context: ctx })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((ctx) => JSON.stringify({ context: ctx })) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "",
        "{}",
        "{not json",
        "null",
        "[]",
        "42",
        '"a string"',
        "true",
        '{"context":null}',
        '{"__proto__":{"polluted":1},"context":{}}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        `${"[".repeat(70)}${"]".repeat(70)}`,
        `{"context":${'{"a":'.repeat(6)}1${"}".repeat(6)}}`,
        JSON.stringify({ context: { big: "x".repeat(20_000) } }),
        JSON.stringify({ context: { a: "x".repeat(BODY_LIMIT) } }),
        JSON.stringify({ context: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, i])) }),
        '{"context":{"targetingKey":"\\ud83d\\ude00 smile"}}',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  const calls = fc
    .record({
      method: fc.oneof({ weight: 12, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("GET", "PUT") }),
      path: paths,
      key: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom("client", "server", "bearer") },
        { weight: 2, arbitrary: fc.constantFrom("none", "both", "malformed", "unknown", "basic", "stagingClient", "stagingServer") },
      ),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8") },
        { weight: 2, arbitrary: fc.constantFrom(undefined, "application/JSON", "application/json;charset=utf-8", "text/plain", "application/x-www-form-urlencoded") },
      ),
      body: bodies,
      origin: fc.constantFrom(undefined, ORIGIN, "https://evil.example"),
      token: fc.constantFrom(undefined, undefined, "staging", "otherSecret", "garbage"),
      ifNoneMatch: fc.constantFrom(undefined, undefined, "*", '"stale"'),
      requestId: fc.option(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { nil: undefined }),
    })
    .map(({ method, path, key, contentType, body, origin, token, ifNoneMatch, requestId }): Call => {
      const headers: Record<string, string> = { ...keys[key] };
      if (contentType !== undefined) headers["content-type"] = contentType;
      if (origin !== undefined) headers.origin = origin;
      if (token !== undefined) headers["x-ensign-context"] = tokens[token]!;
      if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
      if (requestId !== undefined) headers["x-request-id"] = requestId;
      return { method, path, headers, body: method === "GET" ? undefined : body };
    });

  it("runs every OFREP request, hostile ones included, through the application's hooks, answering in OFREP's or the API's shape", async () => {
    let sequence = 0;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(calls, async (call) => {
        // Unique per call, even where the generated id repeats one sent before: the checks below
        // look up what the hooks saw by id.
        const id = `${call.headers["x-request-id"] ?? "pipe"}-${++sequence}`;
        const res = await send({ ...call, headers: { ...call.headers, "x-request-id": id } });
        statuses.add(res.status);
        expect(res.status).toBeLessThan(500);
        expect(res.headers["x-request-id"]).toBe(id);
        expect(res.headers["x-content-type-options"]).toBe("nosniff");
        // Fastify's router refuses an over-long flag key (414) before any hook runs.
        if (res.status !== 414) {
          expect(seen.has(id)).toBe(true);
          await expect.poll(() => answered.has(id)).toBe(true);
        }
        if (call.headers.origin === ORIGIN && seen.get(id)?.startsWith("/ofrep/v1/evaluate/flags")) expect(res.headers["access-control-allow-origin"]).toBe(ORIGIN);
        if (call.headers.origin === "https://evil.example") expect(res.headers["access-control-allow-origin"]).toBeUndefined();
        if (res.status === 304 || res.status === 414) return;
        const body = JSON.parse(res.body) as Record<string, unknown>;
        if (res.status === 200) expect(body).toHaveProperty(call.path.split("?")[0]!.endsWith("/flags") ? "flags" : "value");
        else if (res.status === 401 || res.status === 403 || res.status === 413 || res.status === 415) expect(body).toMatchObject({ error: { code: expect.any(String), requestId: id } });
        else if ((res.status === 400 || res.status === 404) && "error" in body) expect(body).toMatchObject({ error: { requestId: id } });
        else expect(body).toHaveProperty("errorCode");
      }),
      {
        numRuns: 300,
        examples: [
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags", headers: { ...keys.client, "content-type": "application/json" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags", headers: { ...keys.client, "content-type": "application/json", "if-none-match": "*" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.server, "content-type": "application/json" }, body: "{not json" }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.unknown, "content-type": "application/json" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/no_such_flag", headers: { ...keys.client, "content-type": "application/json" }, body: '{"context":{}}' }],
        ],
      },
    );
    expect([200, 304, 400, 401, 404].every((status) => statuses.has(status))).toBe(true);
  });

  it("counts every evaluation endpoint in the HTTP metrics by route pattern, as any other route", async () => {
    const calls: [Call, string][] = [
      [{ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.server, "content-type": "application/json" }, body: "{}" }, "/ofrep/v1/evaluate/flags/:key"],
      [{ method: "POST", path: "/ofrep/v1/evaluate/flags", headers: { ...keys.server, "content-type": "application/json" }, body: "{}" }, "/ofrep/v1/evaluate/flags"],
      [{ method: "GET", path: "/v1/flags?tenantKey=arizona-comedy", headers: { ...keys.server }, body: undefined }, "/v1/flags"],
      [{ method: "GET", path: "/v1/config", headers: { ...keys.server }, body: undefined }, "/v1/config"],
    ];
    const counted = async (route: string, method: string) => {
      const metrics = await t.app.services.metrics.registry.getSingleMetricAsString("ensign_http_requests_total");
      const line = metrics.split("\n").find((l) => l.includes(`route="${route}"`) && l.includes(`method="${method}"`) && l.includes('status="200"'));
      return line ? Number(line.split(" ").at(-1)) : 0;
    };
    for (const [call, route] of calls) {
      const before = await counted(route, call.method);
      const id = `metrics-${route.replace(/[^a-z]/g, "")}`;
      const res = await send({ ...call, headers: { ...call.headers, "x-request-id": id } });
      expect(res.status).toBe(200);
      expect(seen.get(id)).toBe(route);
      await expect.poll(() => counted(route, call.method)).toBe(before + 1);
    }
  });
});

describe("bulk answers' ETags", () => {
  it("are the same on every replica, stay while this context's answers stay, and change when they change", async () => {
    const replicas = await createReplicas(2, { EVAL_RATE_LIMIT: "1000000" });
    try {
      const [a, b] = replicas.apps as [TestApp, TestApp];
      const ws = await createWorkspace(a.db);
      const prod = ws.environments[2]!.id;
      await createFlag(a.db, ws.id, { key: "alpha", states: { [prod]: { enabled: true }, [ws.environments[0]!.id]: { enabled: true } } });
      await createFlag(a.db, ws.id, { key: "beta", states: { [prod]: { enabled: true, fallthrough: { variant: "off" }, tenantAllow: ["arizona-comedy"] } } });
      const server = (await createApiKey(a.db, ws.id, prod, "server")).secret;
      const bulk = async (app: TestApp, tenantKey: string, ifNoneMatch?: string) =>
        app.app.inject({
          method: "POST",
          url: "/ofrep/v1/evaluate/flags",
          headers: { "x-api-key": server, "content-type": "application/json", ...(ifNoneMatch ? { "if-none-match": ifNoneMatch } : {}) },
          payload: JSON.stringify({ context: { targetingKey: "u1", tenantKey } }),
        });
      const portal = async (app: TestApp, tenantKey: string) => app.app.inject({ method: "GET", url: `/v1/flags?tenantKey=${tenantKey}`, headers: { "x-api-key": server } });

      const first = await bulk(a, "arizona-comedy");
      expect(first.statusCode).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
      // Another replica gives the same answer the same ETag, and honours it.
      expect((await bulk(b, "arizona-comedy")).headers.etag).toBe(etag);
      expect((await bulk(b, "arizona-comedy", etag)).statusCode).toBe(304);
      // Another context with other answers has another ETag.
      const other = await bulk(a, "desert-jazz");
      expect(other.headers.etag).not.toBe(etag);
      expect(JSON.parse(other.body)).not.toEqual(JSON.parse(first.body));

      // A change that leaves this context's answers as they were keeps the ETag (and the client's cache)…
      await toggleFlag(a.app, a.db, ws.id, ws.environments[0]!.id, "alpha", false);
      await expect.poll(async () => (await bulk(a, "arizona-comedy", etag)).statusCode).toBe(304);
      // …a change of one of them changes it, on every replica.
      const portalBefore = (await portal(a, "arizona-comedy")).headers.etag;
      await toggleFlag(a.app, a.db, ws.id, prod, "alpha", false);
      for (const replica of [a, b]) await expect.poll(async () => (await bulk(replica, "arizona-comedy", etag)).statusCode).toBe(200);
      const changed = await bulk(b, "arizona-comedy");
      expect(JSON.parse(changed.body).flags[0]).toMatchObject({ key: "alpha", value: false, reason: "DISABLED" });
      expect((await bulk(a, "arizona-comedy")).headers.etag).toBe(changed.headers.etag);
      // The portal's answer names the snapshot version, so its ETag follows every version.
      expect((await portal(a, "arizona-comedy")).headers.etag).not.toBe(portalBefore);
    } finally {
      await replicas.close();
    }
  });
});
