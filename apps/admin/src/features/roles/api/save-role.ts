import type { CreateRoleBody, RoleResponse, UpdateRoleBody } from "@ensign/contracts/roles";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { environmentsKey, tenantKey } from "../../../lib/query-keys";
import { rolesKey, rolesUrl, type RoleScope } from "./get-roles";

export const createRole = (ws: string, scope: RoleScope, body: CreateRoleBody) => {
  const { url, query } = rolesUrl(ws, scope);
  return api<RoleResponse>(url, { method: "POST", body, query });
};
export const updateRole = (ws: string, scope: RoleScope, key: string, version: number, body: UpdateRoleBody) => {
  const { url, query } = rolesUrl(ws, scope);
  return api<RoleResponse>(`${url}/${encodeURIComponent(key)}`, { method: "PATCH", body, version, query });
};
export const deleteRole = (ws: string, scope: RoleScope, key: string, version: number) => {
  const { url, query } = rolesUrl(ws, scope);
  return api<void>(`${url}/${encodeURIComponent(key)}`, { method: "DELETE", version, query });
};

/** A role change changes every hierarchy of the workspace (tenants' include the workspace's) and evaluations in every environment. */
function useRoleMutation<T>(ws: string, fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: rolesKey(ws) }),
        queryClient.invalidateQueries({ queryKey: [...tenantKey(ws), "roles"] }),
        queryClient.invalidateQueries({ queryKey: environmentsKey(ws) }),
      ]),
  });
}

export const useCreateRole = (ws: string, scope: RoleScope) => useRoleMutation(ws, (body: CreateRoleBody) => createRole(ws, scope, body));
export const useUpdateRole = (ws: string, scope: RoleScope) =>
  useRoleMutation(ws, (input: { key: string; version: number; body: UpdateRoleBody }) => updateRole(ws, scope, input.key, input.version, input.body));
export const useDeleteRole = (ws: string, scope: RoleScope) => useRoleMutation(ws, (input: { key: string; version: number }) => deleteRole(ws, scope, input.key, input.version), false);
