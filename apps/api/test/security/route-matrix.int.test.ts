import type { RouteOptions } from "fastify";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import {
  ANY_KEY,
  DEFINE,
  ERROR_CODE,
  EXPORT,
  KEYS_MANAGE,
  LOCK,
  MEMBERS,
  OVERRIDES,
  PUBLIC,
  READ,
  RETENTION,
  refusalStatus,
  RESET_PASSWORDS,
  SERVER_KEY,
  SERVICE_TOKENS,
  WEBHOOKS,
  SESSION,
  SIGNED_IN,
  STATE,
  SUPERADMIN,
  TENANT_ADMIN,
  type Policy,
} from "./access-policy";
import { CALLERS, createWorld, FLAG, LAYER, LAYER_VALUE, MODULE, SEGMENT, USER_KEY, type Caller, type World } from "./world";

/**
 * The access policy of every route of the API, as a table, checked against every caller.
 *
 * An allowed caller's request must pass the guard: reads answer 200 with real data; writes are
 * probed with a body or path parameter that fails validation (400), which Fastify checks only
 * after the guard, so passing proves admission and nothing is written. Everyone else gets the
 * refusal of the route's realm (see `access-policy.ts`) in the error shape. A route the app
 * adds without a row here fails the test. HEAD routes are left out: Fastify makes each from its
 * GET route's options, guard included.
 */
interface Row {
  /** `METHOD /path/:param` exactly as the app registers it (trailing slash ignored). */
  route: string;
  allow: Policy;
  /** The status an allowed caller gets. */
  ok: number;
  /** Path parameters other than the world's defaults (`BAD` fails validation). */
  params?: Record<string, string>;
  /** The path to request, for wildcard routes. */
  url?: string;
  query?: string;
  body?: unknown;
  /** Headers sent along with the caller's own. */
  headers?: Record<string, string>;
  /** Server-Sent Events: an allowed caller's stream is opened over HTTP and closed. */
  isStream?: boolean;
  /** Ends the caller's session: sent with a session of its own. */
  endsSession?: boolean;
}

const BAD = "-not-valid";
const INVALID_BODY: unknown = [];
const W = "/v1/workspaces/:workspace";
const F = `${W}/flags/:key`;
const FE = `${F}/environments/:env`;
const E = `${W}/environments/:env`;
const CONTEXT = { targetingKey: "user-7", tenantKey: "someone" };

const MATRIX: Row[] = [
  // Public: health, docs, the admin app, signing in.
  { route: "GET /healthz", allow: PUBLIC, ok: 200 },
  { route: "GET /readyz", allow: PUBLIC, ok: 200 },
  { route: "GET /docs", allow: PUBLIC, ok: 200 },
  { route: "GET /docs/json", allow: PUBLIC, ok: 200 },
  { route: "GET /docs/yaml", allow: PUBLIC, ok: 200 },
  { route: "GET /docs/static/index.html", allow: PUBLIC, ok: 302 },
  { route: "GET /docs/static/swagger-initializer.js", allow: PUBLIC, ok: 200 },
  { route: "GET /docs/static/*", url: "/docs/static/swagger-ui-bundle.js", allow: PUBLIC, ok: 200 },
  { route: "GET /", allow: PUBLIC, ok: 200 },
  { route: "GET /*", url: "/w/demo/flags/kb", allow: PUBLIC, ok: 200 },
  { route: "GET /index.html", allow: PUBLIC, ok: 200 },
  { route: "GET /assets/app.js", allow: PUBLIC, ok: 200 },
  // The pages without JavaScript (ADR 0025): their session is a cookie of their own, never a
  // bearer token, so every caller here gets the sign-in form, and a post that is not a form is a 400.
  { route: "GET /login", allow: PUBLIC, ok: 200 },
  { route: "GET /w/:workspace/flags", allow: PUBLIC, ok: 200 },
  { route: "POST /login", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /logout", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /w/:workspace/flags", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /w/:workspace/flags/:key/toggle", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /w/:workspace/flags/:key/archive", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "OPTIONS *", url: "/v1/flags", allow: PUBLIC, ok: 204, headers: { origin: "https://portal.example", "access-control-request-method": "GET" } },
  { route: "POST /v1/auth/login", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /v1/auth/refresh", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  // The holders of invitation and password-reset links.
  { route: "POST /v1/invitations/lookup", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /v1/invitations/accept-new", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /v1/password-resets/lookup", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "POST /v1/password-resets/redeem", allow: PUBLIC, ok: 400, body: INVALID_BODY },
  { route: "GET /v1/auth/providers", allow: PUBLIC, ok: 200 },
  // Probed with an over-long query parameter (oidc.int.test.ts runs the flow itself).
  { route: "GET /v1/auth/oidc/start", allow: PUBLIC, ok: 400, query: `next=/${"x".repeat(2_000)}` },
  { route: "GET /v1/auth/oidc/callback", allow: PUBLIC, ok: 400, query: `code=x&state=${"x".repeat(1_025)}` },

  // A session of one's own.
  { route: "GET /v1/auth/me", allow: SIGNED_IN, ok: 200 },
  { route: "POST /v1/auth/logout", allow: SESSION, ok: 204, endsSession: true },
  { route: "POST /v1/auth/password", allow: SESSION, ok: 400, body: INVALID_BODY },
  { route: "GET /v1/auth/tokens", allow: SESSION, ok: 200 },
  { route: "POST /v1/auth/tokens", allow: SESSION, ok: 400, body: INVALID_BODY },
  { route: "DELETE /v1/auth/tokens/:id", allow: SESSION, ok: 400, params: { id: BAD } },
  { route: "POST /v1/invitations/accept", allow: SESSION, ok: 400, body: INVALID_BODY },
  { route: "GET /v1/workspaces", allow: SIGNED_IN, ok: 200 },

  // The platform.
  { route: "POST /v1/workspaces", allow: SUPERADMIN, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}`, allow: SUPERADMIN, ok: 400, params: { workspace: BAD } },

  // A workspace.
  { route: `GET ${W}`, allow: READ, ok: 200 },
  { route: `PATCH ${W}`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/audit`, allow: READ, ok: 200 },
  { route: `GET ${W}/audit/retention`, allow: READ, ok: 200 },
  { route: `PUT ${W}/audit/retention`, allow: RETENTION, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/audit/exports`, allow: RETENTION, ok: 200 },
  { route: `GET ${W}/audit/exports/:id`, allow: RETENTION, ok: 400, params: { id: BAD } },
  { route: `GET ${W}/export`, allow: EXPORT, ok: 200 },
  { route: `POST ${W}/import`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/events`, allow: READ, ok: 200, isStream: true },

  // Flags: definitions.
  { route: `GET ${W}/flags`, allow: READ, ok: 200 },
  { route: `POST ${W}/flags`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${F}`, allow: READ, ok: 200 },
  { route: `PATCH ${F}`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${F}`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `POST ${F}/deprecate`, allow: DEFINE, ok: 400, params: { key: BAD } },
  { route: `POST ${F}/archive`, allow: DEFINE, ok: 400, params: { key: BAD } },
  { route: `POST ${F}/restore`, allow: DEFINE, ok: 400, params: { key: BAD } },
  { route: `GET ${F}/audit`, allow: READ, ok: 200 },
  { route: `GET ${F}/stats`, allow: READ, ok: 200, query: "env=production" },
  { route: `GET ${W}/overview`, allow: READ, ok: 200, query: "env=production" },
  { route: `POST ${F}/copy-state`, allow: STATE, ok: 400, body: INVALID_BODY },

  // Flags: state per environment.
  { route: `GET ${FE}`, allow: READ, ok: 200 },
  { route: `PATCH ${FE}`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `PUT ${FE}/enabled`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `POST ${FE}/rules`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `PUT ${FE}/rules/order`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `PATCH ${FE}/rules/:ruleId`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${FE}/rules/:ruleId`, allow: STATE, ok: 400, params: { ruleId: BAD } },
  { route: `GET ${FE}/schedules`, allow: READ, ok: 200 },
  { route: `POST ${FE}/schedules`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `POST ${FE}/schedules/ramp`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${FE}/schedules/:scheduleId`, allow: STATE, ok: 400, params: { scheduleId: BAD } },

  // Overrides.
  { route: `GET ${FE}/tenant-overrides`, allow: READ, ok: 200 },
  { route: `GET ${FE}/tenant-overrides/:tenant`, allow: READ, ok: 200 },
  { route: `PUT ${FE}/tenant-overrides/:tenant`, allow: OVERRIDES, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${FE}/tenant-overrides/:tenant`, allow: OVERRIDES, ok: 400, params: { tenant: BAD } },
  { route: `POST ${FE}/tenant-overrides/:tenant/lock`, allow: LOCK, ok: 400, params: { tenant: BAD } },
  { route: `POST ${FE}/tenant-overrides/:tenant/unlock`, allow: LOCK, ok: 400, params: { tenant: BAD } },
  { route: `POST ${E}/tenant-overrides/bulk`, allow: OVERRIDES, ok: 400, body: INVALID_BODY },
  { route: `GET ${E}/user-overrides`, allow: READ, ok: 200 },
  { route: `GET ${FE}/user-overrides`, allow: READ, ok: 200 },
  { route: `GET ${FE}/user-overrides/:userKey`, allow: READ, ok: 200 },
  { route: `PUT ${FE}/user-overrides/:userKey`, allow: OVERRIDES, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${FE}/user-overrides/:userKey`, allow: OVERRIDES, ok: 400, params: { userKey: BAD } },
  { route: `GET ${FE}/layer-overrides/:layer`, allow: READ, ok: 200 },
  { route: `GET ${FE}/layer-overrides/:layer/:value`, allow: READ, ok: 200 },
  { route: `PUT ${FE}/layer-overrides/:layer/:value`, allow: OVERRIDES, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${FE}/layer-overrides/:layer/:value`, allow: OVERRIDES, ok: 400, params: { value: BAD } },

  // Override layers and the override order.
  { route: `GET ${W}/override-layers`, allow: READ, ok: 200 },
  { route: `POST ${W}/override-layers`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/override-layers/:layer`, allow: READ, ok: 200 },
  { route: `PATCH ${W}/override-layers/:layer`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/override-layers/:layer`, allow: DEFINE, ok: 400, params: { layer: BAD } },
  { route: `GET ${W}/override-order`, allow: READ, ok: 200 },
  { route: `PUT ${W}/override-order`, allow: DEFINE, ok: 400, body: INVALID_BODY },

  // Tenants.
  { route: `GET ${W}/tenants`, allow: READ, ok: 200 },
  { route: `POST ${W}/tenants`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/tenants/:tenant`, allow: READ, ok: 200 },
  { route: `PATCH ${W}/tenants/:tenant`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/tenants/:tenant`, allow: DEFINE, ok: 400, params: { tenant: BAD } },
  { route: `PUT ${W}/tenants/:tenant/modules/:module`, allow: DEFINE, ok: 400, body: INVALID_BODY },

  // Environments, their secrets, keys and identities; live evaluation.
  { route: `GET ${W}/environments`, allow: READ, ok: 200 },
  { route: `POST ${W}/environments`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${E}`, allow: READ, ok: 200 },
  { route: `PATCH ${E}`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${E}`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `PUT ${E}/master-switch`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${E}/context-secret`, allow: KEYS_MANAGE, ok: 200 },
  { route: `POST ${E}/context-secret/rotate`, allow: KEYS_MANAGE, ok: 400, params: { env: BAD } },
  { route: `GET ${W}/api-keys`, allow: KEYS_MANAGE, ok: 200 },
  { route: `GET ${W}/service-tokens`, allow: SERVICE_TOKENS, ok: 200 },
  { route: `POST ${W}/service-tokens`, allow: SERVICE_TOKENS, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/service-tokens/:id`, allow: SERVICE_TOKENS, ok: 400, params: { id: BAD } },
  { route: `GET ${W}/webhooks`, allow: WEBHOOKS, ok: 200 },
  { route: `POST ${W}/webhooks`, allow: WEBHOOKS, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/webhooks/:id`, allow: WEBHOOKS, ok: 400, params: { id: BAD } },
  { route: `PATCH ${W}/webhooks/:id`, allow: WEBHOOKS, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/webhooks/:id`, allow: WEBHOOKS, ok: 400, params: { id: BAD } },
  { route: `GET ${W}/webhooks/:id/deliveries`, allow: WEBHOOKS, ok: 400, params: { id: BAD } },
  { route: `POST ${W}/webhooks/:id/deliveries/:delivery/redeliver`, allow: WEBHOOKS, ok: 400, params: { id: BAD, delivery: BAD } },
  { route: `GET ${E}/api-keys`, allow: KEYS_MANAGE, ok: 200 },
  { route: `POST ${E}/api-keys`, allow: KEYS_MANAGE, ok: 400, body: INVALID_BODY },
  { route: `POST ${E}/api-keys/:id/revoke`, allow: KEYS_MANAGE, ok: 400, params: { id: BAD } },
  { route: `GET ${E}/identities`, allow: READ, ok: 200 },
  { route: `GET ${E}/identity-stats`, allow: READ, ok: 400 },
  { route: `GET ${E}/identities/:key`, allow: READ, ok: 200, params: { key: USER_KEY } },
  { route: `PUT ${E}/identities/:key/traits`, allow: OVERRIDES, ok: 400, params: { key: USER_KEY }, body: INVALID_BODY },
  { route: `PATCH ${E}/identities/:key/traits`, allow: OVERRIDES, ok: 400, params: { key: USER_KEY }, body: INVALID_BODY },
  { route: `DELETE ${E}/identities/:key`, allow: OVERRIDES, ok: 400, params: { key: BAD } },
  { route: `POST ${E}/evaluate`, allow: READ, ok: 200, body: { flag: FLAG, context: CONTEXT } },
  { route: `POST ${E}/impact`, allow: READ, ok: 400, body: INVALID_BODY },

  // Members, modules, segments.
  { route: `GET ${W}/members`, allow: READ, ok: 200 },
  { route: `GET ${W}/members/:memberId`, allow: READ, ok: 200 },
  { route: `PATCH ${W}/members/:memberId`, allow: MEMBERS, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/members/:memberId`, allow: MEMBERS, ok: 400, params: { memberId: BAD } },
  { route: `POST ${W}/members/:memberId/password-reset`, allow: RESET_PASSWORDS, ok: 400, params: { memberId: BAD } },
  { route: `GET ${W}/invitations`, allow: READ, ok: 200 },
  { route: `POST ${W}/invitations`, allow: MEMBERS, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/invitations/:invitationId`, allow: MEMBERS, ok: 400, params: { invitationId: BAD } },
  { route: `GET ${W}/modules`, allow: READ, ok: 200 },
  { route: `POST ${W}/modules`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/modules/:module`, allow: READ, ok: 200 },
  { route: `PATCH ${W}/modules/:module`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/modules/:module`, allow: DEFINE, ok: 400, params: { module: BAD } },
  { route: `GET ${W}/segments`, allow: READ, ok: 200 },
  { route: `POST ${W}/segments`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `GET ${W}/segments/:segment`, allow: READ, ok: 200 },
  { route: `PATCH ${W}/segments/:segment`, allow: STATE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/segments/:segment`, allow: STATE, ok: 400, params: { segment: BAD } },

  // End-user roles: the workspace's, and each tenant's own.
  { route: `GET ${W}/roles`, allow: READ, ok: 200 },
  { route: `POST ${W}/roles`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `PATCH ${W}/roles/:role`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/roles/:role`, allow: DEFINE, ok: 400, params: { role: BAD } },
  { route: `GET ${W}/tenants/:tenant/roles`, allow: READ, ok: 200 },
  { route: `POST ${W}/tenants/:tenant/roles`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `PATCH ${W}/tenants/:tenant/roles/:role`, allow: DEFINE, ok: 400, body: INVALID_BODY },
  { route: `DELETE ${W}/tenants/:tenant/roles/:role`, allow: DEFINE, ok: 400, params: { role: BAD } },

  // Tenant admins: their own tenant.
  { route: "GET /v1/tenant/features", allow: TENANT_ADMIN, ok: 200 },
  { route: "GET /v1/tenant/features/:key", allow: TENANT_ADMIN, ok: 200 },
  { route: "PUT /v1/tenant/features/:key", allow: TENANT_ADMIN, ok: 400, body: INVALID_BODY },
  { route: "PUT /v1/tenant/modules/:module", allow: TENANT_ADMIN, ok: 400, body: INVALID_BODY },
  { route: "GET /v1/tenant/audit", allow: TENANT_ADMIN, ok: 200 },
  { route: "GET /v1/tenant/roles", allow: TENANT_ADMIN, ok: 200 },
  { route: "POST /v1/tenant/roles", allow: TENANT_ADMIN, ok: 400, body: INVALID_BODY },
  { route: "PATCH /v1/tenant/roles/:role", allow: TENANT_ADMIN, ok: 400, body: INVALID_BODY },
  { route: "DELETE /v1/tenant/roles/:role", allow: TENANT_ADMIN, ok: 400, params: { role: BAD } },

  // Evaluation: API keys.
  { route: "POST /ofrep/v1/evaluate/flags/:key", allow: ANY_KEY, ok: 200, body: { context: CONTEXT } },
  { route: "POST /ofrep/v1/evaluate/flags", allow: ANY_KEY, ok: 200, body: { context: CONTEXT } },
  { route: "GET /ofrep/v1/configuration", allow: ANY_KEY, ok: 200 },
  { route: "GET /v1/flags", allow: ANY_KEY, ok: 200, query: "targetingKey=user-7" },
  { route: "GET /v1/config", allow: SERVER_KEY, ok: 200 },
  { route: "GET /v1/stream", allow: ANY_KEY, ok: 200, isStream: true },
  { route: "PUT /v1/identities/:key/traits", allow: SERVER_KEY, ok: 400, params: { key: USER_KEY }, body: INVALID_BODY },
  { route: "PATCH /v1/identities/:key/traits", allow: SERVER_KEY, ok: 400, params: { key: USER_KEY }, body: INVALID_BODY },
  { route: "GET /v1/identities/:key/traits", allow: SERVER_KEY, ok: 400, params: { key: BAD } },
];

/** `GET /v1/flags/` and `GET /v1/flags` are one route. */
const normalize = (route: string) => route.replace(/^(\S+ \/.*?)\/$/, "$1");

describe("the access policy of every route, for every caller", () => {
  let t: TestApp;
  let world: World;
  let base: string;
  let dist: string;
  const registered = new Set<string>();

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), "ensign-admin-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body></body></html>');
    writeFileSync(path.join(dist, "assets", "app.js"), "export {};");
    const onRoute = (route: RouteOptions) => {
      for (const method of [route.method].flat()) if (method !== "HEAD") registered.add(`${method} ${normalize(route.url)}`);
    };
    t = await createTestApp({ onRoute, config: { ADMIN_DIST: dist, CORS_ORIGINS: "https://portal.example" } });
    world = await createWorld(t);
    base = await t.app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  function urlOf(row: Row): string {
    if (row.url) return row.url;
    const defaults: Record<string, string> = {
      workspace: world.a.slug,
      key: FLAG,
      env: "production",
      tenant: world.a.tenantA.key,
      module: MODULE,
      layer: LAYER,
      value: LAYER_VALUE,
      segment: SEGMENT,
      role: "manager",
      userKey: USER_KEY,
      memberId: world.memberIds.viewer!,
      ruleId: "00000000-0000-7000-8000-000000000000",
      scheduleId: "00000000-0000-7000-8000-000000000000",
      id: world.keys.clientKey.id,
    };
    const pathname = row.route
      .split(" ")[1]!
      .replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(row.params?.[name] ?? defaults[name] ?? `:${name}`));
    return row.query ? `${pathname}?${row.query}` : pathname;
  }

  /** Opens an event stream over HTTP: its status, or the refusal's status and body, then closes it. */
  async function openStream(url: string, headers: Record<string, string>) {
    const controller = new AbortController();
    const response = await fetch(`${base}${url}`, { headers, signal: controller.signal });
    const isEventStream = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
    const body = isEventStream ? "" : await response.text();
    controller.abort();
    return { status: response.status, body, isEventStream };
  }

  it("has a row for every route the app serves, and no row for a route it does not", () => {
    const expected = new Set(MATRIX.map((row) => normalize(row.route)));
    expect([...registered].filter((route) => !expected.has(route)).sort()).toEqual([]);
    expect([...expected].filter((route) => !registered.has(route)).sort()).toEqual([]);
  });

  it("admits exactly the callers the policy names and refuses the others in the error shape", async () => {
    const failures: string[] = [];

    async function check(row: Row, caller: Caller) {
      const method = row.route.split(" ")[0] as "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
      const url = urlOf(row);
      const isAllowed = row.allow.callers.includes(caller);
      const expected = isAllowed ? row.ok : refusalStatus(row.allow, caller);
      const headers = { ...(row.endsSession ? await world.freshHeaders(caller) : world.headers[caller]), ...row.headers };
      let status: number;
      let body: string;
      if (row.isStream && isAllowed) {
        const stream = await openStream(url, headers);
        status = stream.status;
        body = stream.body;
        if (!stream.isEventStream) failures.push(`${row.route} as ${caller}: no event stream`);
      } else {
        const res = await t.app.inject({ method, url, headers, ...(row.body === undefined ? {} : { payload: row.body as object }) });
        status = res.statusCode;
        body = res.body;
      }
      if (status !== expected) {
        failures.push(`${row.route} as ${caller}: expected ${expected}, got ${status} ${body.slice(0, 160)}`);
        return;
      }
      if (!isAllowed || status >= 400) {
        const error = JSON.parse(body).error;
        const code = isAllowed ? "VALIDATION_FAILED" : ERROR_CODE[status];
        if (error?.code !== code || typeof error.message !== "string" || typeof error.requestId !== "string") {
          failures.push(`${row.route} as ${caller}: not the error shape with ${code}: ${body.slice(0, 160)}`);
        }
      }
    }

    // Callers knock at once, route by route; the routes that end a session come last.
    const rows = [...MATRIX].sort((x, y) => Number(!!x.endsSession) - Number(!!y.endsSession));
    for (const row of rows) await Promise.all(CALLERS.map((caller) => check(row, caller)));

    console.info(`access matrix: ${MATRIX.length} routes x ${CALLERS.length} callers = ${MATRIX.length * CALLERS.length} checks`);
    expect(failures).toEqual([]);
  }, 120_000);
});
