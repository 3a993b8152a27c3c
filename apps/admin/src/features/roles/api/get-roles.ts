import type { RoleListResponse } from "@ensign/contracts/roles";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantKey, wsKey } from "../../../lib/query-keys";

/**
 * Whose hierarchy a page shows and edits: the workspace's, one tenant's (workspace staff), or
 * the caller's own tenant's (a tenant admin).
 */
export type RoleScope = { kind: "workspace" } | { kind: "tenant"; tenant: string } | { kind: "own" };

export const rolesKey = (ws: string) => [...wsKey(ws), "roles"] as const;
const keyOf = (ws: string, scope: RoleScope) =>
  scope.kind === "own" ? ([...tenantKey(ws), "roles"] as const) : scope.kind === "tenant" ? ([...rolesKey(ws), "tenant", scope.tenant] as const) : ([...rolesKey(ws), "workspace"] as const);

/** The collection URL of a scope's roles, and the query a tenant admin's call needs. */
export function rolesUrl(ws: string, scope: RoleScope): { url: string; query?: Record<string, string> } {
  if (scope.kind === "own") return { url: "/v1/tenant/roles", query: { workspace: ws } };
  if (scope.kind === "tenant") return { url: `/v1/workspaces/${ws}/tenants/${encodeURIComponent(scope.tenant)}/roles` };
  return { url: `/v1/workspaces/${ws}/roles` };
}

export const getRoles = (ws: string, scope: RoleScope) => {
  const { url, query } = rolesUrl(ws, scope);
  return api<RoleListResponse>(url, { query });
};

export const getRolesQueryOptions = (ws: string, scope: RoleScope) => queryOptions({ queryKey: [...keyOf(ws, scope)], queryFn: () => getRoles(ws, scope) });

export const useRoles = (ws: string, scope: RoleScope, options: { enabled?: boolean } = {}) => useQuery({ ...getRolesQueryOptions(ws, scope), enabled: options.enabled ?? true });
