import type { FastifyInstance } from "fastify";
import type { World } from "./world";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** Who a route is for: the caller the suite authenticates as, so that the input is what gets tested. */
export type Audience = "admin" | "superadmin" | "tenant" | "client" | "server" | "session" | "public";

/**
 * Every method and URL the app serves, read from Fastify's own route tree, so a route added
 * later is enumerated without anyone listing it. HEAD twins of GET routes and the API docs'
 * static pages are left out.
 */
export function enumerateRoutes(app: FastifyInstance): string[] {
  const routes = new Set<string>();
  const stack: { depth: number; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    while (stack.length > depth) stack.pop();
    const path = `${stack.at(-1)?.path ?? ""}${match[2]}`;
    stack.push({ depth, path });
    for (const method of (match[3] as string).split(", ")) {
      if (method !== "HEAD") routes.add(`${method} ${path}`);
    }
  }
  return [...routes].filter((route) => !/ \/docs(\/|$)|\/$/.test(route)).sort();
}

export interface RouteSpec {
  audience: Audience;
  /** A valid body; hostile inputs are made from it and against it. */
  body?: unknown;
  /** Valid query parameters. */
  query?: Record<string, string>;
  /** Path parameters other than the default ones. */
  params?: Record<string, string>;
  /** A Server-Sent Events stream: read its status, then close it. */
  isStream?: boolean;
  /** The body is read by OFREP's own error handler: failures answer in OFREP's shape. */
  isOfrep?: boolean;
}

const rule = { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } };
const later = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

/** The spec of every route the hostile suite drives; a route missing here fails the coverage test. */
export function routeSpecs(w: World): Record<string, RouteSpec> {
  const ws = "/v1/workspaces/:workspace";
  const flag = `${ws}/flags/:key`;
  const state = `${flag}/environments/:env`;
  const env = `${ws}/environments/:env`;
  return {
    "GET /healthz": { audience: "public" },
    "GET /readyz": { audience: "public" },
    "POST /ofrep/v1/evaluate/flags": { audience: "client", body: { context: { targetingKey: "user-1", tenantKey: "acme" } }, isOfrep: true },
    "POST /ofrep/v1/evaluate/flags/:key": { audience: "client", body: { context: { targetingKey: "user-1" } }, isOfrep: true },
    "GET /ofrep/v1/configuration": { audience: "client", isOfrep: true },
    "GET /v1/flags": { audience: "client", query: { targetingKey: "user-1", tenantKey: "acme", keys: "camel" } },
    "GET /v1/config": { audience: "server" },
    "GET /v1/stream": { audience: "client", isStream: true, query: { format: "ofrep" } },
    "PUT /v1/identities/:key/traits": { audience: "server", body: { traits: { stage: "active", actionsCount: 3 } } },
    "PATCH /v1/identities/:key/traits": { audience: "server", body: { traits: { stage: "active", emailVerified: null } } },
    "GET /v1/identities/:key/traits": { audience: "server" },
    "POST /v1/auth/login": { audience: "public", body: { email: "nobody@example.test", password: "wrong-password" } },
    "POST /v1/auth/logout": { audience: "session" },
    "POST /v1/auth/password": { audience: "session", body: { currentPassword: "not-the-password", newPassword: "a new long password" } },
    "POST /v1/auth/refresh": { audience: "public", body: { refreshToken: "not-a-token" } },
    "POST /v1/invitations/lookup": { audience: "public", body: { token: "ein_not-a-token" } },
    "POST /v1/invitations/accept-new": { audience: "public", body: { token: "ein_not-a-token", name: "New Person", password: "a long enough password" } },
    "POST /v1/invitations/accept": { audience: "session", body: { token: "ein_not-a-token" } },
    "POST /v1/password-resets/lookup": { audience: "public", body: { token: "epr_not-a-token" } },
    "POST /v1/password-resets/redeem": { audience: "public", body: { token: "epr_not-a-token", newPassword: "a long enough password" } },
    "GET /v1/auth/providers": { audience: "public" },
    "GET /v1/auth/oidc/start": { audience: "public", query: { next: "/w/demo/flags" } },
    "GET /v1/auth/oidc/callback": { audience: "public", query: { code: "a-code", state: "a-state" } },
    "GET /v1/auth/me": { audience: "admin" },
    "GET /v1/auth/tokens": { audience: "session" },
    "POST /v1/auth/tokens": { audience: "session", body: { name: "Deploy script", maxRole: "viewer", expiresInDays: 30 } },
    "DELETE /v1/auth/tokens/:id": { audience: "session", params: { id: w.sparePersonalTokenId } },
    "GET /v1/workspaces": { audience: "admin" },
    "POST /v1/workspaces": { audience: "superadmin", body: { slug: "hostile-new", name: "New" } },
    [`GET ${ws}`]: { audience: "admin" },
    [`PATCH ${ws}`]: { audience: "admin", body: { name: "Renamed" } },
    [`DELETE ${ws}`]: { audience: "superadmin", params: { workspace: w.spareSlug } },
    [`GET ${ws}/flags`]: { audience: "admin", query: { search: "main", env: "production", state: "on", page: "1", pageSize: "10" } },
    [`POST ${ws}/flags`]: { audience: "admin", body: { key: "hostile-flag", name: "Hostile", tags: ["x"], dependsOn: ["main-flag"] } },
    [`GET ${flag}`]: { audience: "admin", query: { env: "production" } },
    [`PATCH ${flag}`]: { audience: "admin", body: { name: "Main", description: "d", tags: ["a"] } },
    [`DELETE ${flag}`]: { audience: "admin", body: { confirm: "main" } },
    [`POST ${flag}/deprecate`]: { audience: "admin", params: { key: w.spareFlag } },
    [`POST ${flag}/archive`]: { audience: "admin", params: { key: w.spareFlag } },
    [`POST ${flag}/restore`]: { audience: "admin", params: { key: w.spareFlag } },
    [`GET ${flag}/audit`]: { audience: "admin", query: { page: "1" } },
    [`POST ${flag}/copy-state`]: { audience: "admin", body: { from: "production", to: "staging" } },
    [`GET ${flag}/stats`]: { audience: "admin", query: { env: "production", days: "7" } },
    [`GET ${ws}/overview`]: { audience: "admin", query: { env: "production" } },
    [`GET ${state}`]: { audience: "admin" },
    [`PATCH ${state}`]: { audience: "admin", body: { fallthrough: { variant: "on" }, tenantAllow: ["acme"] } },
    [`PUT ${state}/enabled`]: { audience: "admin", body: { enabled: true } },
    [`POST ${state}/rules`]: { audience: "admin", body: rule },
    [`PUT ${state}/rules/order`]: { audience: "admin", body: { ruleIds: [w.ruleId, w.spareRuleId] } },
    [`PATCH ${state}/rules/:ruleId`]: { audience: "admin", body: { name: "r", conditions: rule.conditions } },
    [`DELETE ${state}/rules/:ruleId`]: { audience: "admin", params: { ruleId: w.spareRuleId } },
    [`GET ${state}/schedules`]: { audience: "admin", query: { status: "pending" } },
    [`POST ${state}/schedules`]: { audience: "admin", body: { runAt: later(), action: { type: "set_rollout", percentage: 50 } } },
    [`POST ${state}/schedules/ramp`]: { audience: "admin", body: { steps: [{ at: later(), percentage: 10 }] } },
    [`DELETE ${state}/schedules/:scheduleId`]: { audience: "admin", params: { scheduleId: w.spareScheduleId }, query: { ramp: "false" } },
    [`GET ${state}/tenant-overrides`]: { audience: "admin", query: { search: "ac", locked: "false" } },
    [`GET ${state}/tenant-overrides/:tenant`]: { audience: "admin" },
    [`PUT ${state}/tenant-overrides/:tenant`]: { audience: "admin", body: { variant: "on", locked: false, expiresAt: later() } },
    [`DELETE ${state}/tenant-overrides/:tenant`]: { audience: "admin" },
    [`POST ${state}/tenant-overrides/:tenant/lock`]: { audience: "admin" },
    [`POST ${state}/tenant-overrides/:tenant/unlock`]: { audience: "admin" },
    [`GET ${state}/user-overrides`]: { audience: "admin", query: { search: "user" } },
    [`GET ${state}/user-overrides/:userKey`]: { audience: "admin" },
    [`PUT ${state}/user-overrides/:userKey`]: { audience: "admin", body: { variant: "on", expiresAt: null } },
    [`DELETE ${state}/user-overrides/:userKey`]: { audience: "admin" },
    [`GET ${state}/layer-overrides/:layer`]: { audience: "admin" },
    [`GET ${state}/layer-overrides/:layer/:value`]: { audience: "admin" },
    [`PUT ${state}/layer-overrides/:layer/:value`]: { audience: "admin", body: { variant: "on", locked: false, expiresAt: later() } },
    [`DELETE ${state}/layer-overrides/:layer/:value`]: { audience: "admin" },
    [`GET ${ws}/override-layers`]: { audience: "admin" },
    [`POST ${ws}/override-layers`]: { audience: "admin", body: { key: "hostile_layer", name: "L", attribute: "channel", values: ["web", "app"] } },
    [`GET ${ws}/override-layers/:layer`]: { audience: "admin" },
    [`PATCH ${ws}/override-layers/:layer`]: { audience: "admin", body: { name: "Platform", description: null } },
    [`DELETE ${ws}/override-layers/:layer`]: { audience: "admin", params: { layer: w.spareLayer } },
    [`GET ${ws}/override-order`]: { audience: "admin" },
    [`PUT ${ws}/override-order`]: { audience: "admin", body: { order: ["user", "platform", "spare_layer", "tenant", "rules"] } },
    [`GET ${ws}/tenants`]: { audience: "admin", query: { search: "acme", page: "1" } },
    [`POST ${ws}/tenants`]: { audience: "admin", body: { key: "hostile-tenant", name: "T", attributes: { plan: "pro" }, modules: { core: true } } },
    [`GET ${ws}/tenants/:tenant`]: { audience: "admin", query: { env: "production" } },
    [`PATCH ${ws}/tenants/:tenant`]: { audience: "admin", body: { name: "Acme", attributes: { plan: "pro", seats: 5 } } },
    [`DELETE ${ws}/tenants/:tenant`]: { audience: "admin", params: { tenant: w.spareTenant } },
    [`PUT ${ws}/tenants/:tenant/modules/:module`]: { audience: "admin", params: { tenant: w.spareTenant }, body: { enabled: false } },
    [`GET ${ws}/environments`]: { audience: "admin", query: { sort: "key" } },
    [`POST ${ws}/environments`]: { audience: "admin", body: { key: "hostile-env", name: "E", color: "#123456" } },
    [`GET ${env}`]: { audience: "admin" },
    [`PATCH ${env}`]: { audience: "admin", body: { name: "Production", sortOrder: 2 } },
    [`DELETE ${env}`]: { audience: "admin", params: { env: "spare" }, body: { confirm: "spare" } },
    // Lifting a switch that is off changes nothing, so the other routes' evaluations stay as they are.
    [`PUT ${env}/master-switch`]: { audience: "admin", body: { enabled: false, reason: "drill" } },
    [`GET ${env}/user-overrides`]: { audience: "admin", query: { q: "user" } },
    [`POST ${env}/tenant-overrides/bulk`]: { audience: "admin", body: { action: "set", flag: "main-flag", tenants: ["acme"], preview: true } },
    [`GET ${env}/context-secret`]: { audience: "admin" },
    [`POST ${env}/context-secret/rotate`]: { audience: "admin" },
    [`GET ${env}/api-keys`]: { audience: "admin", query: { kind: "client" } },
    [`POST ${env}/api-keys`]: { audience: "admin", body: { name: "Key", kind: "client" } },
    [`POST ${env}/api-keys/:id/revoke`]: { audience: "admin", params: { id: w.spareKeyId } },
    [`GET ${env}/identities`]: { audience: "admin", query: { search: "user" } },
    [`GET ${env}/identity-stats`]: { audience: "admin", query: { trait: "stage" } },
    [`GET ${env}/identities/:key`]: { audience: "admin", params: { key: w.identity } },
    [`DELETE ${env}/identities/:key`]: { audience: "admin", params: { key: w.spareIdentity } },
    [`PUT ${env}/identities/:key/traits`]: { audience: "admin", params: { key: w.identity }, body: { traits: { stage: "active" } } },
    [`PATCH ${env}/identities/:key/traits`]: { audience: "admin", params: { key: w.identity }, body: { traits: { plan: "pro", stage: null } } },
    [`POST ${env}/impact`]: { audience: "admin", body: { flag: "main-flag", state: { enabled: true, rules: [rule] } } },
    [`POST ${env}/evaluate`]: { audience: "admin", body: { flag: "main-flag", context: { targetingKey: "user-1", tenantKey: "acme" } } },
    [`GET ${ws}/export`]: { audience: "admin" },
    [`GET ${ws}/events`]: { audience: "admin", isStream: true },
    [`GET ${ws}/members`]: { audience: "admin", query: { role: "viewer" } },
    [`GET ${ws}/members/:memberId`]: { audience: "admin" },
    [`PATCH ${ws}/members/:memberId`]: { audience: "admin", body: { role: "editor" } },
    [`DELETE ${ws}/members/:memberId`]: { audience: "admin" },
    [`POST ${ws}/members/:memberId/password-reset`]: { audience: "admin" },
    [`GET ${ws}/invitations`]: { audience: "admin", query: { status: "pending" } },
    [`POST ${ws}/invitations`]: { audience: "admin", body: { email: "new-member@example.test", role: "viewer" } },
    [`DELETE ${ws}/invitations/:invitationId`]: { audience: "admin" },
    [`GET ${ws}/modules`]: { audience: "admin", query: { sort: "flagCount" } },
    [`POST ${ws}/modules`]: { audience: "admin", body: { key: "hostile-module", name: "M" } },
    [`GET ${ws}/modules/:module`]: { audience: "admin" },
    [`PATCH ${ws}/modules/:module`]: { audience: "admin", body: { name: "Core", description: null } },
    [`DELETE ${ws}/modules/:module`]: { audience: "admin", params: { module: w.spareModule } },
    [`GET ${ws}/segments`]: { audience: "admin", query: { member: "user-1" } },
    [`POST ${ws}/segments`]: { audience: "admin", body: { key: "hostile-segment", name: "S", rules: [{ conditions: rule.conditions }] } },
    [`GET ${ws}/segments/:segment`]: { audience: "admin" },
    [`PATCH ${ws}/segments/:segment`]: { audience: "admin", body: { includedUsers: ["user-1", "user-2"] } },
    [`DELETE ${ws}/segments/:segment`]: { audience: "admin", params: { segment: w.spareSegment } },
    [`GET ${ws}/roles`]: { audience: "admin" },
    [`POST ${ws}/roles`]: { audience: "admin", body: { key: "hostile-role", name: "R", inherits: ["employee"] } },
    [`PATCH ${ws}/roles/:role`]: { audience: "admin", params: { role: "manager" }, body: { name: "Manager", inherits: ["employee"] } },
    [`DELETE ${ws}/roles/:role`]: { audience: "admin", params: { role: w.spareRole } },
    [`GET ${ws}/tenants/:tenant/roles`]: { audience: "admin" },
    [`POST ${ws}/tenants/:tenant/roles`]: { audience: "admin", body: { key: "hostile-tenant-role", name: "R", inherits: ["employee"], inheritedBy: ["manager"] } },
    [`PATCH ${ws}/tenants/:tenant/roles/:role`]: { audience: "admin", params: { role: w.tenantRole }, body: { name: "Lead", inherits: ["employee"] } },
    [`DELETE ${ws}/tenants/:tenant/roles/:role`]: { audience: "admin", params: { role: w.spareTenantRoles[0]! } },
    [`GET ${ws}/api-keys`]: { audience: "admin", query: { environment: "production" } },
    [`GET ${ws}/service-tokens`]: { audience: "admin" },
    [`POST ${ws}/service-tokens`]: { audience: "admin", body: { name: "CI", role: "editor", environment: "production", expiresInDays: 30 } },
    [`DELETE ${ws}/service-tokens/:id`]: { audience: "admin", params: { id: w.spareServiceTokenId } },
    [`GET ${ws}/webhooks`]: { audience: "admin" },
    [`POST ${ws}/webhooks`]: { audience: "admin", body: { name: "Hook", url: "https://203.0.113.10/new", eventTypes: ["flag.*"], environments: ["production"] } },
    [`GET ${ws}/webhooks/:id`]: { audience: "admin", params: { id: w.webhookId } },
    [`PATCH ${ws}/webhooks/:id`]: { audience: "admin", params: { id: w.webhookId }, body: { name: "Renamed", enabled: true } },
    [`DELETE ${ws}/webhooks/:id`]: { audience: "admin", params: { id: w.spareWebhookId } },
    [`GET ${ws}/webhooks/:id/deliveries`]: { audience: "admin", params: { id: w.webhookId }, query: { status: "delivered", limit: "10" } },
    [`POST ${ws}/webhooks/:id/deliveries/:delivery/redeliver`]: { audience: "admin", params: { id: w.webhookId, delivery: w.deliveryId } },
    [`GET ${ws}/audit`]: { audience: "admin", query: { action: "flag.created", page: "1" } },
    [`GET ${ws}/audit/retention`]: { audience: "admin" },
    [`PUT ${ws}/audit/retention`]: { audience: "admin", body: { days: 3650 } },
    [`GET ${ws}/audit/exports`]: { audience: "admin" },
    [`GET ${ws}/audit/exports/:id`]: { audience: "admin" },
    [`POST ${ws}/import`]: { audience: "admin", body: { mode: "empty-only", document: { schemaVersion: 1 } } },
    "GET /v1/tenant/features": { audience: "tenant", query: { env: "production" } },
    "GET /v1/tenant/features/:key": { audience: "tenant", query: { env: "production" } },
    "PUT /v1/tenant/features/:key": { audience: "tenant", query: { env: "production" }, body: { enabled: true } },
    "PUT /v1/tenant/modules/:module": { audience: "tenant", body: { enabled: true } },
    "GET /v1/tenant/audit": { audience: "tenant", query: { page: "1" } },
    "GET /v1/tenant/roles": { audience: "tenant" },
    "POST /v1/tenant/roles": { audience: "tenant", body: { key: "hostile-own-role", name: "R", inherits: ["employee"] } },
    "PATCH /v1/tenant/roles/:role": { audience: "tenant", params: { role: w.tenantRole }, body: { name: "Lead", inheritedBy: ["manager"] } },
    "DELETE /v1/tenant/roles/:role": { audience: "tenant", params: { role: w.spareTenantRoles[1]! } },
  };
}

/** The value of each path parameter a route names, unless its spec overrides it. */
export function defaultParams(w: World, template: string): Record<string, string> {
  const isIdentity = /\/identities\/:key/.test(template);
  return {
    workspace: w.slug,
    key: isIdentity ? w.identity : w.flag,
    env: "production",
    ruleId: w.ruleId,
    scheduleId: w.scheduleId,
    tenant: w.tenant,
    userKey: w.userKey,
    module: w.module,
    layer: w.layer,
    value: "tiktok",
    segment: w.segment,
    memberId: w.spareMemberId,
    invitationId: w.spareInvitationId,
    id: w.spareKeyId,
  };
}

/** Fills a route template's `:params`, each value URL-encoded unless it is given raw. */
export function fillPath(template: string, params: Record<string, string>, raw: ReadonlySet<string> = new Set()): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${template}`);
    return raw.has(name) ? value : encodeURIComponent(value);
  });
}
