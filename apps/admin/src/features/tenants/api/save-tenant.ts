import type { CreateTenantBody, TenantResponse, UpdateTenantBody } from "@ensign/contracts/tenants";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export const createTenant = (ws: string, body: CreateTenantBody) => api<TenantResponse>(`/v1/workspaces/${ws}/tenants`, { method: "POST", body });
export const updateTenant = (ws: string, key: string, version: number, body: UpdateTenantBody) =>
  api<TenantResponse>(`/v1/workspaces/${ws}/tenants/${encodeURIComponent(key)}`, { method: "PATCH", body, version });
export const setTenantModule = (ws: string, key: string, module: string, enabled: boolean) =>
  api<TenantResponse>(`/v1/workspaces/${ws}/tenants/${encodeURIComponent(key)}/modules/${encodeURIComponent(module)}`, { method: "PUT", body: { enabled } });

/** Tenants, their attributes and modules change evaluations in every environment. */
const everyEnvironmentsTenants = (ws: string) => (query: { queryKey: readonly unknown[] }) =>
  query.queryKey[0] === "ws" && query.queryKey[1] === ws && query.queryKey[2] === "env" && (query.queryKey[4] === "tenants" || query.queryKey[4] === "flags");

function useTenantMutation<T, R>(ws: string, fn: (input: T) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ predicate: everyEnvironmentsTenants(ws) }), queryClient.invalidateQueries({ queryKey: [...wsKey(ws), "audit"] })]),
  });
}

export const useCreateTenant = (ws: string) => useTenantMutation(ws, (body: CreateTenantBody) => createTenant(ws, body), true);
export const useUpdateTenant = (ws: string) => useTenantMutation(ws, (input: { key: string; version: number; body: UpdateTenantBody }) => updateTenant(ws, input.key, input.version, input.body), true);
export const useSetTenantModule = (ws: string) => useTenantMutation(ws, (input: { key: string; module: string; enabled: boolean }) => setTenantModule(ws, input.key, input.module, input.enabled));
