import type { Role } from "@ensign/contracts/auth";
import type { TestApp } from "../helpers/app";
import { generateAccessToken } from "../../src/modules/auth/secrets";
import { createApiKey } from "../helpers/evaluation-fixtures";
import { createUser, createWorkspace, login, unique } from "../helpers/fixtures";
import { createFlag, createModule, createTenant, envId, setOverride, touch } from "../helpers/tenancy-fixtures";

/**
 * Everyone who may knock on the API's door. Users of workspace A (the one under test), the
 * same roles in another workspace B, a tenant admin of another tenant of A, a platform
 * superadmin, nobody at all, and API keys: A's production keys, A's development keys (another
 * environment) and B's production keys (another workspace). Then access tokens: the owner's
 * personal token (acts as the owner, but cannot manage tokens or the account) and A's service
 * token with the editor role.
 */
export const CALLERS = [
  "anonymous",
  "superadmin",
  "owner",
  "admin",
  "editor",
  "viewer",
  "tenantAdmin",
  "otherTenantsAdmin",
  "otherOwner",
  "otherAdmin",
  "otherEditor",
  "otherViewer",
  "otherTenantAdmin",
  "clientKey",
  "serverKey",
  "otherEnvClientKey",
  "otherEnvServerKey",
  "otherWorkspaceClientKey",
  "otherWorkspaceServerKey",
  "ownerToken",
  "editorServiceToken",
] as const;
export type Caller = (typeof CALLERS)[number];

export const USERS = CALLERS.filter((c) => c !== "anonymous" && !c.endsWith("Key") && !c.endsWith("Token")) as Exclude<Caller, "anonymous" | `${string}Key` | `${string}Token`>[];
export type UserCaller = (typeof USERS)[number];
export const KEYS = CALLERS.filter((c) => c.endsWith("Key"));
export const OTHER_WORKSPACE_USERS: readonly Caller[] = ["otherOwner", "otherAdmin", "otherEditor", "otherViewer", "otherTenantAdmin"];

export const isKey = (caller: Caller) => caller.endsWith("Key");
export const isToken = (caller: Caller) => caller.endsWith("Token");
export const isUser = (caller: Caller) => caller !== "anonymous" && !isKey(caller) && !isToken(caller);

/** The flag, module, segment, identity and override every workspace of the world holds. */
export const FLAG = "kb";
export const MODULE = "FIN";
export const SEGMENT = "beta";
export const USER_KEY = "user-1";
export const LAYER = "platform";
export const LAYER_VALUE = "tiktok";

const ROLE_OF: Partial<Record<UserCaller, { workspace: "a" | "b"; role: Role; tenant?: "a" | "b" }>> = {
  owner: { workspace: "a", role: "owner" },
  admin: { workspace: "a", role: "admin" },
  editor: { workspace: "a", role: "editor" },
  viewer: { workspace: "a", role: "viewer" },
  tenantAdmin: { workspace: "a", role: "tenant_admin", tenant: "a" },
  otherTenantsAdmin: { workspace: "a", role: "tenant_admin", tenant: "b" },
  otherOwner: { workspace: "b", role: "owner" },
  otherAdmin: { workspace: "b", role: "admin" },
  otherEditor: { workspace: "b", role: "editor" },
  otherViewer: { workspace: "b", role: "viewer" },
  otherTenantAdmin: { workspace: "b", role: "tenant_admin", tenant: "a" },
};

type Workspace = Awaited<ReturnType<typeof createWorkspace>>;

/** One workspace's furniture: a module, a flag in it, two tenants, a segment, an identity and overrides. */
async function furnish(t: TestApp, ws: Workspace) {
  const module = await createModule(t.db, ws, MODULE);
  const flag = await createFlag(t.db, ws, { key: FLAG, moduleId: module.id, fallthrough: "off" });
  const tenantA = await createTenant(t.db, ws, unique("producer-a"));
  const tenantB = await createTenant(t.db, ws, unique("producer-b"));
  await setOverride(t.db, ws, flag.id, tenantA.id, "on");
  const production = envId(ws);
  await t.db.prisma.userOverride.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: production, userKey: USER_KEY, variant: "on" } });
  await t.db.prisma.segment.create({ data: { workspaceId: ws.id, key: SEGMENT, name: "Beta testers", includedUsers: [USER_KEY] } });
  await t.db.prisma.identity.create({ data: { workspaceId: ws.id, environmentId: production, key: USER_KEY, traits: { stage: "onboarded" } } });
  const layer = await t.db.prisma.overrideLayer.create({ data: { workspaceId: ws.id, key: LAYER, name: "Platform", attribute: LAYER, values: ["meta", LAYER_VALUE] } });
  await t.db.prisma.layerOverride.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: production, layerId: layer.id, value: LAYER_VALUE, variant: "on" } });
  await touch(t.db, ws);
  return { ...ws, flag, module, tenantA, tenantB };
}

/** Builds the world in the test app's database and signs every user in. */
export async function createWorld(t: TestApp) {
  const a = await furnish(t, await createWorkspace(t.db, unique("ws-a")));
  const b = await furnish(t, await createWorkspace(t.db, unique("ws-b")));
  const workspaces = { a, b };

  const emails = {} as Record<UserCaller, string>;
  const userIds = {} as Record<UserCaller, string>;
  const memberIds = {} as Partial<Record<UserCaller, string>>;
  const superadmin = await createUser(t.db, { superadmin: true });
  emails.superadmin = superadmin.email;
  userIds.superadmin = superadmin.id;
  for (const [caller, spec] of Object.entries(ROLE_OF) as [UserCaller, NonNullable<(typeof ROLE_OF)[UserCaller]>][]) {
    const ws = workspaces[spec.workspace];
    const user = await createUser(t.db);
    const tenantId = spec.tenant ? (spec.tenant === "a" ? ws.tenantA.id : ws.tenantB.id) : null;
    const membership = await t.db.prisma.membership.create({ data: { workspaceId: ws.id, userId: user.id, role: spec.role, tenantId } });
    emails[caller] = user.email;
    userIds[caller] = user.id;
    memberIds[caller] = membership.id;
  }

  const keys = {
    clientKey: await createApiKey(t.db, a.id, envId(a, "production"), "client"),
    serverKey: await createApiKey(t.db, a.id, envId(a, "production"), "server"),
    otherEnvClientKey: await createApiKey(t.db, a.id, envId(a, "development"), "client"),
    otherEnvServerKey: await createApiKey(t.db, a.id, envId(a, "development"), "server"),
    otherWorkspaceClientKey: await createApiKey(t.db, b.id, envId(b, "production"), "client"),
    otherWorkspaceServerKey: await createApiKey(t.db, b.id, envId(b, "production"), "server"),
  };

  const headers = { anonymous: {} } as Record<Caller, Record<string, string>>;
  const sessions = await Promise.all(USERS.map((caller) => login(t.app, emails[caller])));
  USERS.forEach((caller, i) => (headers[caller] = sessions[i]!.headers));
  for (const [caller, key] of Object.entries(keys)) headers[caller as Caller] = { "x-api-key": key.secret };
  const expiresAt = new Date(Date.now() + 86_400_000);
  const personal = generateAccessToken("personal");
  await t.db.prisma.personalToken.create({ data: { userId: userIds.owner, name: "owner's script", prefix: personal.prefix, secretHash: personal.hash, expiresAt } });
  const service = generateAccessToken("service");
  await t.db.prisma.serviceToken.create({ data: { workspaceId: a.id, name: "ci", prefix: service.prefix, secretHash: service.hash, role: "editor", expiresAt } });
  headers.ownerToken = { authorization: `Bearer ${personal.secret}` };
  headers.editorServiceToken = { authorization: `Bearer ${service.secret}` };

  return {
    a,
    b,
    emails,
    userIds,
    memberIds,
    keys,
    headers,
    /** Headers of a session of its own, for a request that ends its session. */
    async freshHeaders(caller: Caller): Promise<Record<string, string>> {
      return isUser(caller) ? (await login(t.app, emails[caller as UserCaller])).headers : headers[caller];
    },
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
