import { CALLERS, KEYS, USERS, type Caller } from "./world";

/**
 * Who may call a route, and what everyone else gets.
 * - `workspace`: a route under `/v1/workspaces/:workspace`, guarded by a capability. Anonymous
 *   callers and API keys get 401, members of the workspace without the capability 403, members
 *   of other workspaces 404 (the workspace does not exist for them). Superadmins act as owners.
 * - `platform`: a signed-in route outside any workspace (session, superadmin, tenant admin).
 *   Anonymous callers and API keys get 401, signed-in users without the standing 403.
 * - `evaluation`: an API-key route. Anyone without a key (signed-in users included: a session
 *   is not a key) gets 401, a key of the wrong kind 403.
 * - `public`: anyone.
 */
export type Realm = "workspace" | "platform" | "evaluation" | "public";

export interface Policy {
  name: string;
  realm: Realm;
  callers: readonly Caller[];
}

const policy = (name: string, realm: Realm, callers: readonly Caller[]): Policy => ({ name, realm, callers });

/**
 * Owners, admins, editors and viewers of workspace A, and the platform superadmin. The owner's
 * personal token acts as the owner; A's service token as an editor.
 */
export const READ = policy("workspace:read", "workspace", ["superadmin", "owner", "admin", "editor", "viewer", "ownerToken", "editorServiceToken"]);
/** Flag definitions, modules, override layers and their order, tenants, environments, import. */
export const DEFINE = policy("definitions:write", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** Flag state, rules, schedules, segments. */
export const STATE = policy("state:write", "workspace", ["superadmin", "owner", "admin", "editor", "ownerToken", "editorServiceToken"]);
/** Tenant, user and layer overrides, identities' traits. */
export const OVERRIDES = policy("overrides:write", "workspace", ["superadmin", "owner", "admin", "editor", "ownerToken", "editorServiceToken"]);
export const LOCK = policy("overrides:lock", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** API keys, context signing secrets and service tokens. */
export const KEYS_MANAGE = policy("keys:manage", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** Service tokens: `keys:manage` in a sign-in session (no token mints another). */
export const SERVICE_TOKENS = policy("keys:manage, signed in", "workspace", ["superadmin", "owner", "admin"]);
export const MEMBERS = policy("members:manage", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** Password-reset links for members. */
export const RESET_PASSWORDS = policy("members:reset_password", "workspace", ["superadmin", "owner", "ownerToken"]);
export const EXPORT = policy("workspace:export", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** Webhooks, Slack and e-mail notifications, and their delivery log. */
export const WEBHOOKS = policy("webhooks:manage", "workspace", ["superadmin", "owner", "admin", "ownerToken"]);
/** The audit log's retention and the exports of purged entries. */
export const RETENTION = policy("audit:retention", "workspace", ["superadmin", "owner", "ownerToken"]);

/** Any user, a personal token included (service tokens act only in their workspace). */
export const SIGNED_IN = policy("signed in", "platform", [...USERS, "ownerToken"]);
/** A sign-in session: personal tokens cannot manage tokens, log out or change the password. */
export const SESSION = policy("session", "platform", USERS);
export const SUPERADMIN = policy("superadmin", "platform", ["superadmin"]);
/** Tenant admins, each of their own tenant, in whichever workspace. */
export const TENANT_ADMIN = policy("tenant:manage", "platform", ["tenantAdmin", "otherTenantsAdmin", "otherTenantAdmin"]);

export const ANY_KEY = policy("client or server key", "evaluation", KEYS);
export const SERVER_KEY = policy("server key", "evaluation", ["serverKey", "otherEnvServerKey", "otherWorkspaceServerKey"]);

export const PUBLIC = policy("anyone", "public", CALLERS);

const OTHER_WORKSPACE: readonly Caller[] = ["otherOwner", "otherAdmin", "otherEditor", "otherViewer", "otherTenantAdmin"];

/** What a caller outside the policy gets, by the policy's realm. */
export function refusalStatus(p: Policy, caller: Caller): number {
  const isKey = caller.endsWith("Key");
  if (p.realm === "evaluation") return isKey ? 403 : 401;
  if (caller === "anonymous" || isKey) return 401;
  if (p.realm === "workspace" && OTHER_WORKSPACE.includes(caller)) return 404;
  return 403;
}

export const ERROR_CODE: Record<number, string> = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND" };
