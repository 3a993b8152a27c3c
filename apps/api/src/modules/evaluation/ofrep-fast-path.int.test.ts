import fc from "fast-check";
import { SignJWT } from "jose";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
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
  headers: Record<string, unknown>;
  body: string;
}

/** Headers that describe the connection rather than the answer. */
const CONNECTION_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);
const answerHeaders = (headers: IncomingHttpHeaders | Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !CONNECTION_HEADERS.has(name)));

/** Requests the fast path answers itself; everything else must reach Fastify. */
function isFastPathRequest(call: Call): boolean {
  const match = /^\/ofrep\/v1\/evaluate\/flags(?:\/([A-Za-z0-9_.~-]{1,500}))?$/.exec(call.path);
  const type = call.headers["content-type"];
  const isJson = type === "application/json" || type === "application/json; charset=utf-8";
  return call.method === "POST" && match !== null && isJson && Buffer.byteLength(call.body ?? "") <= BODY_LIMIT;
}

describe("OFREP fast path", () => {
  let t: TestApp;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  /** Request ids Fastify's own request pipeline saw. */
  const seenByFastify = new Set<string>();
  const logLines: Record<string, unknown>[] = [];
  let keys: Record<string, Record<string, string>>;
  let tokens: Record<string, string>;

  /** The request over real HTTP: the listening server, fast path in front. */
  const overHttp = (call: Call) =>
    new Promise<Answer>((resolve, reject) => {
      const headers = call.body === undefined ? call.headers : { ...call.headers, "content-length": String(Buffer.byteLength(call.body)) };
      const req = httpRequest({ host: "127.0.0.1", port, method: call.method, path: call.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: answerHeaders(res.headers), body: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end(call.body);
    });

  /** The same request through Fastify's routes only. */
  const throughFastify = async (call: Call): Promise<Answer> => {
    const res = await t.app.inject({ method: call.method as "POST", url: call.path, headers: call.headers, payload: call.body });
    return { status: res.statusCode, headers: answerHeaders(res.headers), body: res.body };
  };

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
        done();
      },
    });
    t = await createTestApp({
      config: { EVAL_RATE_LIMIT: "1000000", CORS_ORIGINS: ORIGIN },
      logger: { level: "warn", stream: sink },
      prepare: (app) =>
        app.addHook("onRequest", (request, _reply, done) => {
          seenByFastify.add(request.id);
          done();
        }),
    });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as AddressInfo).port;

    const ws = await createWorkspace(t.db);
    const [, staging, prod] = ws.environments as [unknown, { id: string; contextSecret: string }, { id: string; contextSecret: string }];
    await t.db.prisma.environment.update({ where: { id: staging.id }, data: { requireContextToken: true } });
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
        { key: "hello", value: "Hello \u2603 \"quoted\"" },
        { key: "bye", value: "Bye" },
      ],
      states: { [prod.id]: { enabled: true, rules: [{ conditions: [{ attribute: "tenant.plan", operator: "equals", values: ["pro"] }], serve: { variant: "bye" } }] } },
    });
    await createFlag(t.db, ws.id, { key: "limits", type: "json", variants: [{ key: "default", value: { seats: 100, tiers: ["a", "b"] } }], states: { [prod.id]: { enabled: true } } });
    await createFlag(t.db, ws.id, { key: "counted", states: { [prod.id]: { enabled: true } } });
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

  it("answers every request exactly as the Fastify routes do: status, body and headers", async () => {
    let sequence = 0;
    const fastStatuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(calls, async (call) => {
        // A request id of our own where the caller sends none, so the two answers can be compared whole.
        const id = call.headers["x-request-id"] ?? `eq-${++sequence}`;
        const sent = { ...call, headers: { ...call.headers, "x-request-id": id } };
        seenByFastify.delete(id);
        const viaHttp = await overHttp(sent);
        const isFast = isFastPathRequest(sent);
        // Fastify's router refuses an over-long flag key (414) before any hook runs.
        if (viaHttp.status !== 414) expect(seenByFastify.has(id)).toBe(!isFast);
        if (isFast) fastStatuses.push(viaHttp.status);
        const viaFastify = await throughFastify(sent);
        expect(viaHttp).toEqual(viaFastify);
        expect(viaHttp.status).toBeLessThan(500);
      }),
      {
        numRuns: 400,
        // Every kind of answer at least once, whatever the random draw: 200, 304, 400, 401, 404.
        examples: [
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags", headers: { ...keys.client, "content-type": "application/json" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags", headers: { ...keys.client, "content-type": "application/json", "if-none-match": "*" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.server, "content-type": "application/json" }, body: "{not json" }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.unknown, "content-type": "application/json" }, body: '{"context":{}}' }],
          [{ method: "POST", path: "/ofrep/v1/evaluate/flags/no_such_flag", headers: { ...keys.client, "content-type": "application/json" }, body: '{"context":{}}' }],
        ],
      },
    );
    // The fast path must have answered most of them, with every kind of answer, or the comparison says little.
    expect(fastStatuses.length).toBeGreaterThan(200);
    expect(new Set(fastStatuses)).toEqual(new Set([200, 304, 400, 401, 404]));
  });

  it("refuses a JSON body that is not an object with 400 PARSE_ERROR", async () => {
    for (const body of ["null", "[]", "42", '"a string"', "true"]) {
      for (const path of ["/ofrep/v1/evaluate/flags/banner_text", "/ofrep/v1/evaluate/flags"]) {
        const call: Call = { method: "POST", path, headers: { ...keys.client, "content-type": "application/json", "x-request-id": "not-an-object" }, body };
        const viaHttp = await overHttp(call);
        const failure = { errorCode: "PARSE_ERROR", errorDetails: "The body must be a JSON object." };
        expect({ status: viaHttp.status, body: JSON.parse(viaHttp.body) }).toEqual({ status: 400, body: path.endsWith("banner_text") ? { key: "banner_text", ...failure } : failure });
        expect(await throughFastify(call)).toEqual(viaHttp);
      }
    }
  });

  it("gives a request without X-Request-Id a new id, in the header and in error bodies", async () => {
    const res = await overHttp({ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    const id = res.headers["x-request-id"];
    expect(id).toMatch(/^[\w-]+-[0-9a-z]+$/);
    expect(JSON.parse(res.body)).toEqual({ error: { code: "UNAUTHENTICATED", message: expect.any(String), requestId: id } });
    const next = await overHttp({ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { "content-type": "application/json" }, body: "{}" });
    expect(next.headers["x-request-id"]).not.toBe(id);
  });

  it("counts fast-path evaluations in the flag statistics as the routes do", async () => {
    const call = (i: number): Call => ({
      method: "POST",
      path: "/ofrep/v1/evaluate/flags/counted",
      headers: { ...keys.client, "content-type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: `user-${i}` } }),
    });
    const evaluations = async () => {
      await t.app.services.statsFlusher.flush();
      const buckets = await t.db.prisma.flagStatBucket.findMany({ where: { flagKey: "counted" } });
      return buckets.reduce((sum, bucket) => sum + Number(bucket.evaluations), 0);
    };
    const before = await evaluations();
    for (let i = 0; i < 3; i++) expect((await overHttp(call(i))).status).toBe(200);
    await overHttp({ ...call(0), path: "/ofrep/v1/evaluate/flags" });
    await throughFastify(call(3));
    expect((await evaluations()) - before).toBe(5);
  });

  it("logs an unexpected failure with the request id and answers 500 in OFREP's shape, then keeps serving", async () => {
    const evaluation = t.app.services.evaluation;
    const one = evaluation.one;
    evaluation.one = () => {
      throw new Error("evaluation exploded");
    };
    try {
      const call: Call = {
        method: "POST",
        path: "/ofrep/v1/evaluate/flags/banner_text",
        headers: { ...keys.client, "content-type": "application/json", "x-request-id": "boom-1" },
        body: JSON.stringify({ context: {} }),
      };
      const viaHttp = await overHttp(call);
      expect(viaHttp.status).toBe(500);
      expect(JSON.parse(viaHttp.body)).toEqual({ errorDetails: "Something went wrong on our side." });
      expect(viaHttp.headers["x-request-id"]).toBe("boom-1");
      expect(await throughFastify(call)).toEqual(viaHttp);
      const logged = logLines.filter((line) => line.reqId === "boom-1");
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({ level: 50, msg: "unhandled error", err: { message: "evaluation exploded" } });
    } finally {
      evaluation.one = one;
    }
    const after = await overHttp({ method: "POST", path: "/ofrep/v1/evaluate/flags/banner_text", headers: { ...keys.client, "content-type": "application/json" }, body: "{}" });
    expect(after.status).toBe(200);
  });

  it("answers 429 with Retry-After past a key's budget, as the routes do", async () => {
    const limited = await createTestApp({ database: t.database, config: { EVAL_RATE_LIMIT: "2", CORS_ORIGINS: ORIGIN } });
    try {
      await limited.app.listen({ host: "127.0.0.1", port: 0 });
      const limitedPort = (limited.app.server.address() as AddressInfo).port;
      const call: Call = {
        method: "POST",
        path: "/ofrep/v1/evaluate/flags/banner_text",
        headers: { ...keys.client, "content-type": "application/json", origin: ORIGIN, "x-request-id": "over-budget" },
        body: "{}",
      };
      const send = () =>
        new Promise<Answer>((resolve, reject) => {
          const req = httpRequest({ host: "127.0.0.1", port: limitedPort, method: "POST", path: call.path, headers: { ...call.headers, "content-length": "2" } }, (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
            res.on("end", () => resolve({ status: res.statusCode!, headers: answerHeaders(res.headers), body }));
          });
          req.on("error", reject);
          req.end(call.body);
        });
      // Start at the beginning of a second so every request shares one window.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
      const statuses = [(await send()).status, (await send()).status];
      const viaHttp = await send();
      const res = await limited.app.inject({ method: "POST", url: call.path, headers: call.headers, payload: call.body });
      expect(statuses).toEqual([200, 200]);
      expect(viaHttp.status).toBe(429);
      expect(viaHttp.headers["retry-after"]).toBe("1");
      expect(viaHttp.headers["access-control-allow-origin"]).toBe(ORIGIN);
      expect(JSON.parse(viaHttp.body)).toMatchObject({ error: { code: "RATE_LIMITED", requestId: "over-budget" } });
      expect({ status: res.statusCode, headers: answerHeaders(res.headers), body: res.body }).toEqual(viaHttp);
    } finally {
      await limited.close();
    }
  });
});
