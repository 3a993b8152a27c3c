import type { LightMyRequestResponse } from "fastify";
import type { TestApp } from "../helpers/app";
import { createApiKey } from "../helpers/evaluation-fixtures";
import { createMember, createUser, createWorkspace, login, memberHeaders } from "../helpers/fixtures";

export type Headers = Record<string, string>;

/**
 * A workspace holding one of everything the API manages, and the callers that may touch it:
 * a workspace owner, a superadmin, a tenant admin, server and client keys. Destructive routes
 * (deletes, archive, revoke, role changes, logout) get spare targets of their own, so an input
 * they accept never takes the workspace's main resources away from the other routes.
 */
export interface World {
  slug: string;
  spareSlug: string;
  flag: string;
  spareFlag: string;
  regexFlag: string;
  ruleId: string;
  spareRuleId: string;
  scheduleId: string;
  spareScheduleId: string;
  tenant: string;
  spareTenant: string;
  module: string;
  spareModule: string;
  layer: string;
  spareLayer: string;
  segment: string;
  spareSegment: string;
  spareRole: string;
  /** A role of tenant `acme`'s own. */
  tenantRole: string;
  /** Roles of `acme`'s own to delete: one by a workspace admin, one by the tenant's admin. */
  spareTenantRoles: string[];
  identity: string;
  spareIdentity: string;
  userKey: string;
  spareMemberId: string;
  spareInvitationId: string;
  spareKeyId: string;
  /** The spare session's user's personal token, and a service token, to revoke. */
  sparePersonalTokenId: string;
  spareServiceTokenId: string;
  /** A webhook with one delivered event (to redeliver), and a spare one to delete. */
  webhookId: string;
  deliveryId: string;
  spareWebhookId: string;
  admin: Headers;
  superadmin: Headers;
  tenantAdmin: Headers;
  /** A session of its own for the logout route. */
  spareSession: Headers;
  server: Headers;
  client: Headers;
}

function expectOk(res: LightMyRequestResponse, what: string): LightMyRequestResponse {
  if (res.statusCode >= 300) throw new Error(`setting up ${what} failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res;
}

export async function createWorld(t: TestApp): Promise<World> {
  const ws = await createWorkspace(t.db);
  const spareWs = await createWorkspace(t.db);
  const production = ws.environments.find((e) => e.key === "production")!;
  const superadminUser = await createUser(t.db, { superadmin: true });
  const superadmin = (await login(t.app, superadminUser.email)).headers;
  const admin = await memberHeaders(t.app, t.db, ws.id, "owner");
  const owner = await createMember(t.db, ws.id, "admin");
  const spareSession = (await login(t.app, owner.email)).headers;
  const spareMember = await createMember(t.db, ws.id, "viewer");
  const base = `/v1/workspaces/${ws.slug}`;
  const call = async (method: "POST" | "PUT" | "PATCH", url: string, payload: unknown, headers: Headers = {}) =>
    expectOk(await t.app.inject({ method, url: `${base}${url}`, payload: payload as object, headers: { ...admin, ...headers } }), `${method} ${url}`);

  await call("POST", "/environments", { key: "spare", name: "Spare" });
  for (const key of ["core", "spare-module"]) await call("POST", "/modules", { key, name: key });
  for (const key of ["acme", "spare-tenant"]) await call("POST", "/tenants", { key, name: key, attributes: { plan: "pro" } });
  for (const key of ["beta", "spare-segment"]) await call("POST", "/segments", { key, name: key, includedUsers: ["user-1"] });
  await call("POST", "/roles", { key: "spare-role", name: "Spare", inherits: ["employee"] });
  for (const key of ["team-lead", "spare-acme-role", "spare-acme-role-2"]) await call("POST", "/tenants/acme/roles", { key, name: key, inherits: ["employee"] });
  const initialState = { enabled: true };
  await call("POST", "/flags", { key: "main-flag", name: "Main", module: "core", initialState });
  await call("POST", "/flags", { key: "spare-flag", name: "Spare", initialState });
  await call("POST", "/flags", { key: "regex-flag", name: "Regex", initialState });

  const flagEnv = "/flags/main-flag/environments/production";
  const version = async () => Number((await t.app.inject({ method: "GET", url: `${base}${flagEnv}`, headers: admin })).json().version);
  const rule = { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } };
  const ruleIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await call("POST", `${flagEnv}/rules`, rule, { "if-match": `"${await version()}"` });
    ruleIds.push(...(res.json().rules as { id: string }[]).map((r) => r.id).filter((id) => !ruleIds.includes(id)));
  }
  const runAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const scheduleIds: string[] = [];
  for (let i = 0; i < 2; i++) scheduleIds.push((await call("POST", `${flagEnv}/schedules`, { runAt, action: { type: "enable" } })).json().id);
  await call("PUT", `${flagEnv}/tenant-overrides/acme`, { variant: "on" });
  await call("PUT", `${flagEnv}/user-overrides/user-1`, { variant: "on" });
  for (const key of ["platform", "spare_layer"]) await call("POST", "/override-layers", { key, name: key, attribute: key, values: ["meta", "tiktok"] });
  await call("PUT", `${flagEnv}/layer-overrides/platform/tiktok`, { variant: "on" });
  const invitation = await call("POST", "/invitations", { email: "spare-invitee@example.test", role: "viewer" });
  for (const key of ["user-1", "spare-user"]) await call("PUT", `/environments/production/identities/${key}/traits`, { traits: { stage: "onboarded" } });

  const acme = await t.db.prisma.tenant.findFirstOrThrow({ where: { workspaceId: ws.id, key: "acme" } });
  const tenantAdmin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", acme.id);
  const server = await createApiKey(t.db, ws.id, production.id, "server");
  const client = await createApiKey(t.db, ws.id, production.id, "client");
  const spareKey = await createApiKey(t.db, ws.id, production.id, "client");
  const sparePersonalToken = expectOk(await t.app.inject({ method: "POST", url: "/v1/auth/tokens", headers: spareSession, payload: { name: "spare" } }), "POST /v1/auth/tokens");
  const spareServiceToken = await call("POST", "/service-tokens", { name: "spare", role: "viewer" });
  // A documentation address (TEST-NET-3): public, so the outbound check passes without DNS; nothing is delivered here.
  const webhook = await call("POST", "/webhooks", { name: "hook", url: "https://203.0.113.10/hook" });
  const spareWebhook = await call("POST", "/webhooks", { name: "spare", url: "https://203.0.113.10/spare" });
  const event = await t.db.prisma.outboxEvent.findFirstOrThrow({ where: { workspaceId: ws.id }, orderBy: { id: "desc" } });
  const delivery = await t.db.prisma.webhookDelivery.create({
    data: { workspaceId: ws.id, webhookId: webhook.json().id, eventId: event.id, status: "delivered", attempts: 1, nextAttemptAt: new Date(), giveUpAt: new Date(), responseStatus: 200, completedAt: new Date() },
  });

  return {
    slug: ws.slug,
    spareSlug: spareWs.slug,
    flag: "main-flag",
    spareFlag: "spare-flag",
    regexFlag: "regex-flag",
    ruleId: ruleIds[0]!,
    spareRuleId: ruleIds[1]!,
    scheduleId: scheduleIds[0]!,
    spareScheduleId: scheduleIds[1]!,
    tenant: "acme",
    spareTenant: "spare-tenant",
    module: "core",
    spareModule: "spare-module",
    layer: "platform",
    spareLayer: "spare_layer",
    segment: "beta",
    spareSegment: "spare-segment",
    spareRole: "spare-role",
    tenantRole: "team-lead",
    spareTenantRoles: ["spare-acme-role", "spare-acme-role-2"],
    identity: "user-1",
    spareIdentity: "spare-user",
    userKey: "user-1",
    spareMemberId: (await t.db.prisma.membership.findFirstOrThrow({ where: { workspaceId: ws.id, userId: spareMember.id } })).id,
    spareInvitationId: invitation.json().id,
    spareKeyId: spareKey.id,
    sparePersonalTokenId: sparePersonalToken.json().id,
    spareServiceTokenId: spareServiceToken.json().id,
    webhookId: webhook.json().id,
    deliveryId: String(delivery.id),
    spareWebhookId: spareWebhook.json().id,
    admin,
    superadmin,
    tenantAdmin,
    spareSession,
    server: { "x-api-key": server.secret },
    client: { "x-api-key": client.secret },
  };
}
