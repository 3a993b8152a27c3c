import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { PortalFlagsResponse } from "@ensign/contracts/portal";
import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { compile, evaluateAll } from "@ensign/evaluator";

/**
 * A stand-in for the Ensign evaluation service that speaks the contract of
 * `packages/contracts/src/portal.ts` over real HTTP: `/v1/flags` (ETag, 304, API key, signed
 * context token), `/v1/config` (server key, ETag) and `/v1/stream` (SSE, `Last-Event-ID`).
 * Knobs make it fail the ways a real network does.
 */
export interface FakeEnsign {
  url: string;
  snapshot: EnvironmentSnapshot;
  /** Every request: method, path with query, and headers. */
  requests: { path: string; headers: IncomingMessage["headers"] }[];
  /** Answer everything with this status (e.g. 503), or `undefined` to behave. */
  failWith: number | undefined;
  /** Delay every answer but the stream's by this much. */
  delayMs: number;
  /** Answer `/v1/flags` and `/v1/config` with a body that is not JSON. */
  sendBadJson: boolean;
  /** Context tokens to refuse from now on, as if they had expired. */
  revokedTokens: Set<string>;
  /** Answer `/v1/stream` with this status instead of streaming. */
  streamStatus: number | undefined;
  readonly streams: number;
  /**
   * Replaces the snapshot (bumping its version) and pushes a change event. Server keys' streams
   * get a delta with it as the API sends one: `deltaOf` names the flags it carries, from the
   * previous version; `delta` is sent as given instead.
   */
  publish(change: (snapshot: EnvironmentSnapshot) => void, options?: { notify?: boolean; deltaOf?: string[]; delta?: unknown }): void;
  ping(): void;
  /** Identities' stored traits, as `GET /v1/identities/:key/traits` serves them. */
  identities: Map<string, Record<string, unknown>>;
  /** Stores an identity's traits and announces it on the streams (`event: identity`). */
  setTraits(key: string, traits: Record<string, unknown>, options?: { notify?: boolean }): void;
  /** Cuts every open stream, as a proxy or a deploy would. */
  dropStreams(): void;
  close(): Promise<void>;
}

export const CLIENT_KEY = "ens_cli_test";
export const SERVER_KEY = "ens_srv_test";
export const CONTEXT_SECRET = "context-secret-for-tests-0123456789";

export async function startFakeEnsign(initial: EnvironmentSnapshot, options: { port?: number } = {}): Promise<FakeEnsign> {
  // Each open stream, and whether a server key opened it.
  const streams = new Map<ServerResponse, boolean>();
  const sockets = new Set<Socket>();
  const revoked = new Set<string>();
  const fake = {
    url: "",
    snapshot: structuredClone(initial),
    requests: [] as FakeEnsign["requests"],
    failWith: undefined as number | undefined,
    delayMs: 0,
    sendBadJson: false,
    streamStatus: undefined as number | undefined,
    revokedTokens: revoked,
    identities: new Map<string, Record<string, unknown>>(),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // Browsers call it from the portal's origin, as they call the real API (CORS_ORIGINS).
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-expose-headers", "etag");
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-headers": "x-api-key, x-ensign-context, if-none-match, last-event-id", "access-control-allow-methods": "GET" });
      return void res.end();
    }
    fake.requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers });
    const key = String(req.headers["x-api-key"] ?? url.searchParams.get("apiKey") ?? "");
    if (url.pathname === "/v1/stream") return stream(req, res, key);
    setTimeout(() => {
      if (res.destroyed) return;
      if (fake.failWith) return send(res, fake.failWith, { error: { code: "SERVICE_UNAVAILABLE", message: "down for the test" } });
      if (url.pathname === "/v1/flags") return flags(req, res, url, key);
      if (url.pathname === "/v1/config") return config(req, res, key);
      const identity = /^\/v1\/identities\/([^/]+)\/traits$/.exec(url.pathname);
      if (identity && req.method === "GET") return identityTraits(res, key, decodeURIComponent(identity[1]!));
      send(res, 404, { error: { code: "NOT_FOUND", message: "no such route" } });
    }, fake.delayMs);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function flags(req: IncomingMessage, res: ServerResponse, url: URL, key: string) {
    if (key !== CLIENT_KEY && key !== SERVER_KEY) return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "bad key" } });
    const token = String(req.headers["x-ensign-context"] ?? url.searchParams.get("contextToken") ?? "");
    let context: Record<string, unknown> = {};
    if (token) {
      const claims = verifyToken(token, revoked);
      if (!claims) return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "bad or expired context token" } });
      context = { ...(claims.attributes as object), targetingKey: claims.sub, tenantKey: claims.tenantKey, role: claims.role };
    } else if (url.searchParams.get("context")) context = JSON.parse(url.searchParams.get("context")!);
    const etag = `"${fake.snapshot.version}-${Buffer.from(JSON.stringify(context)).toString("base64url").slice(0, 40)}"`;
    if (req.headers["if-none-match"] === etag) return send(res, 304, undefined, { etag });
    const body: PortalFlagsResponse = { environment: fake.snapshot.environment, version: fake.snapshot.version, flags: {} };
    for (const result of evaluateAll(compile(fake.snapshot), context)) {
      body.flags[result.key] = { value: result.value, reason: result.reason, ...(result.variant ? { variant: result.variant } : {}) };
    }
    send(res, 200, body, { etag });
  }

  function config(req: IncomingMessage, res: ServerResponse, key: string) {
    if (key !== SERVER_KEY) return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "a server key is required" } });
    const etag = `"${fake.snapshot.version}"`;
    if (req.headers["if-none-match"] === etag) return send(res, 304, undefined, { etag });
    send(res, 200, fake.snapshot, { etag });
  }

  function identityTraits(res: ServerResponse, key: string, identity: string) {
    if (key !== SERVER_KEY) return send(res, key === CLIENT_KEY ? 403 : 401, { error: { code: "FORBIDDEN", message: "a server key is required" } });
    const traits = fake.identities.get(identity);
    if (!traits) return send(res, 404, { error: { code: "NOT_FOUND", message: `Identity '${identity}' not found` } });
    send(res, 200, { key: identity, traits, version: 1, updatedAt: new Date().toISOString() });
  }

  function stream(req: IncomingMessage, res: ServerResponse, key: string) {
    if (fake.streamStatus) return send(res, fake.streamStatus, { error: { code: "UNAVAILABLE", message: "no stream" } });
    if (key !== CLIENT_KEY && key !== SERVER_KEY) return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "bad key" } });
    const token = String(req.headers["x-ensign-context"] ?? new URL(req.url ?? "/", "http://localhost").searchParams.get("contextToken") ?? "");
    if (token && !verifyToken(token, revoked)) return send(res, 401, { error: { code: "UNAUTHENTICATED", message: "bad or expired context token" } });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": connected\n\n");
    const last = Number(req.headers["last-event-id"]);
    // Resume: a client that missed versions hears about the latest at once.
    if (Number.isFinite(last) && last < fake.snapshot.version) res.write(changeEvent(fake.snapshot.environment, fake.snapshot.version));
    streams.set(res, key === SERVER_KEY);
    res.on("close", () => streams.delete(res));
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (body !== undefined && fake.sendBadJson && status === 200) {
      res.writeHead(200, { "content-type": "application/json", ...headers }).end("{ not json");
      return;
    }
    res.writeHead(status, body === undefined ? headers : { "content-type": "application/json", ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  Object.defineProperty(fake, "streams", { get: () => streams.size });
  return Object.assign(fake as typeof fake & { readonly streams: number }, {
    publish(change: (snapshot: EnvironmentSnapshot) => void, options: { notify?: boolean; deltaOf?: string[]; delta?: unknown } = {}) {
      const next = structuredClone(fake.snapshot);
      change(next);
      next.version = fake.snapshot.version + 1;
      const delta = options.deltaOf ? { fromVersion: fake.snapshot.version, flags: next.flags.filter((flag) => options.deltaOf!.includes(flag.key)) } : options.delta;
      fake.snapshot = next;
      if (options.notify === false) return;
      for (const [res, isServer] of streams) res.write(changeEvent(next.environment, next.version, isServer ? delta : undefined));
    },
    setTraits(key: string, traits: Record<string, unknown>, options: { notify?: boolean } = {}) {
      fake.identities.set(key, traits);
      if (options.notify === false) return;
      for (const res of streams.keys()) res.write(`event: identity\ndata: ${JSON.stringify({ environment: fake.snapshot.environment, key })}\n\n`);
    },
    ping() {
      for (const res of streams.keys()) res.write(": ping\n\n");
    },
    dropStreams() {
      for (const res of streams.keys()) res.socket?.destroy();
      streams.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function changeEvent(environment: string, version: number, delta?: unknown) {
  return `event: change\nid: ${version}\ndata: ${JSON.stringify(delta === undefined ? { environment, version } : { environment, version, delta })}\n\n`;
}

/** HS256 as the demo backend and the real API do it. */
export function signToken(claims: Record<string, unknown>, secret = CONTEXT_SECRET): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

function verifyToken(token: string, revoked: Set<string>): Record<string, unknown> | undefined {
  if (revoked.has(token)) return undefined;
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac("sha256", CONTEXT_SECRET).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return undefined;
  return claims;
}
