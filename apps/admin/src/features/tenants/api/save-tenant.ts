import type { TenantResponse, UpdateTenantBody } from "@ensign/contracts/tenants";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey, flagsKey, inEveryEnvironment, invalidatePrefixes, tenantsKey } from "../../../lib/query-keys";

export const updateTenant = (ws: string, key: string, version: number, body: UpdateTenantBody) =>
  api<TenantResponse>(`/v1/workspaces/${ws}/tenants/${encodeURIComponent(key)}`, { method: "PATCH", body, version });
export const setTenantModule = (ws: string, key: string, module: string, enabled: boolean) =>
  api<TenantResponse>(`/v1/workspaces/${ws}/tenants/${encodeURIComponent(key)}/modules/${encodeURIComponent(module)}`, { method: "PUT", body: { enabled } });

function useTenantMutation<T, R>(ws: string, fn: (input: T) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    // Tenants, their attributes and modules change evaluations in every environment: its tenants and its flags.
    onSuccess: () =>
      invalidatePrefixes(queryClient, [...inEveryEnvironment(queryClient, ws, (env) => tenantsKey(ws, env)), ...inEveryEnvironment(queryClient, ws, (env) => flagsKey(ws, env)), auditKey(ws)]),
  });
}

export const useUpdateTenant = (ws: string) => useTenantMutation(ws, (input: { key: string; version: number; body: UpdateTenantBody }) => updateTenant(ws, input.key, input.version, input.body), true);
export const useSetTenantModule = (ws: string) => useTenantMutation(ws, (input: { key: string; module: string; enabled: boolean }) => setTenantModule(ws, input.key, input.module, input.enabled));
