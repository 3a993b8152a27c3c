import type { SetTenantOverrideBody, TenantOverrideListResponse, TenantOverrideResponse } from "@ensign/contracts/overrides";
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { overrideEffects } from "../../../components/overrides/override-effects";
import { api } from "../../../lib/api-client";
import { invalidatePrefixes } from "../../../lib/query-keys";
import { tenantOverridesKey } from "./override-keys";

const base = (ws: string, env: string, flag: string) => `/v1/workspaces/${ws}/flags/${encodeURIComponent(flag)}/environments/${env}/tenant-overrides`;

export interface TenantOverrideFilters {
  search?: string;
  locked?: boolean;
  page: number;
}

export const getTenantOverrides = (ws: string, env: string, flag: string, filters: TenantOverrideFilters) =>
  api<TenantOverrideListResponse>(base(ws, env, flag), { query: { ...filters, pageSize: 25 } });

export const getTenantOverridesQueryOptions = (ws: string, env: string, flag: string, filters: TenantOverrideFilters) =>
  queryOptions({ queryKey: [...tenantOverridesKey(ws, env, flag), filters], queryFn: () => getTenantOverrides(ws, env, flag, filters), placeholderData: keepPreviousData });

export const useTenantOverrides = (ws: string, env: string, flag: string, filters: TenantOverrideFilters) => useQuery(getTenantOverridesQueryOptions(ws, env, flag, filters));

export const setTenantOverride = (ws: string, env: string, flag: string, tenant: string, body: SetTenantOverrideBody, version?: number) =>
  api<TenantOverrideResponse>(`${base(ws, env, flag)}/${encodeURIComponent(tenant)}`, { method: "PUT", body, version });
export const lockTenantOverride = (ws: string, env: string, flag: string, tenant: string, locked: boolean) =>
  api<TenantOverrideResponse>(`${base(ws, env, flag)}/${encodeURIComponent(tenant)}/${locked ? "lock" : "unlock"}`, { method: "POST" });
export const clearTenantOverride = (ws: string, env: string, flag: string, tenant: string) => api<void>(`${base(ws, env, flag)}/${encodeURIComponent(tenant)}`, { method: "DELETE" });

function useOverrideMutation<T, R>(ws: string, env: string, fn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // The flag's tenant overrides are among the flags' queries the effects name.
    onSuccess: () => invalidatePrefixes(queryClient, overrideEffects(ws, env)),
  });
}

export const useSetTenantOverride = (ws: string, env: string, flag: string) =>
  useOverrideMutation(ws, env, (input: { tenant: string; body: SetTenantOverrideBody; version?: number }) => setTenantOverride(ws, env, flag, input.tenant, input.body, input.version));
export const useLockTenantOverride = (ws: string, env: string, flag: string) =>
  useOverrideMutation(ws, env, (input: { tenant: string; locked: boolean }) => lockTenantOverride(ws, env, flag, input.tenant, input.locked));
export const useClearTenantOverride = (ws: string, env: string, flag: string) => useOverrideMutation(ws, env, (tenant: string) => clearTenantOverride(ws, env, flag, tenant));
