import type { SetTenantOverrideBody, TenantOverrideResponse } from "@ensign/contracts/overrides";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { overrideEffects } from "../../../components/overrides/override-effects";
import { api } from "../../../lib/api-client";
import { invalidatePrefixes } from "../../../lib/query-keys";

/** One tenant's override of one flag: the same routes as the flag page's tenant overrides tab. */
const overrideUrl = (ws: string, env: string, flag: string, tenant: string) =>
  `/v1/workspaces/${ws}/flags/${encodeURIComponent(flag)}/environments/${env}/tenant-overrides/${encodeURIComponent(tenant)}`;

/** `version` is the override's, sent as If-Match; absent when there is none yet. */
export const setTenantFlagOverride = (ws: string, env: string, tenant: string, flag: string, body: SetTenantOverrideBody, version?: number) =>
  api<TenantOverrideResponse>(overrideUrl(ws, env, flag, tenant), { method: "PUT", body, version });
export const lockTenantFlagOverride = (ws: string, env: string, tenant: string, flag: string, locked: boolean, version: number) =>
  api<TenantOverrideResponse>(`${overrideUrl(ws, env, flag, tenant)}/${locked ? "lock" : "unlock"}`, { method: "POST", version });
export const clearTenantFlagOverride = (ws: string, env: string, tenant: string, flag: string, version: number) =>
  api<void>(overrideUrl(ws, env, flag, tenant), { method: "DELETE", version });

function useTenantOverrideMutation<T, R>(ws: string, env: string, fn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // This tenant's page lives under the tenants' prefix; the flag's own override list under the flags'.
    onSuccess: () => invalidatePrefixes(queryClient, overrideEffects(ws, env)),
  });
}

export const useSetTenantFlagOverride = (ws: string, env: string, tenant: string) =>
  useTenantOverrideMutation(ws, env, (input: { flag: string; body: SetTenantOverrideBody; version?: number }) => setTenantFlagOverride(ws, env, tenant, input.flag, input.body, input.version));
export const useLockTenantFlagOverride = (ws: string, env: string, tenant: string) =>
  useTenantOverrideMutation(ws, env, (input: { flag: string; locked: boolean; version: number }) => lockTenantFlagOverride(ws, env, tenant, input.flag, input.locked, input.version));
export const useClearTenantFlagOverride = (ws: string, env: string, tenant: string) =>
  useTenantOverrideMutation(ws, env, (input: { flag: string; version: number }) => clearTenantFlagOverride(ws, env, tenant, input.flag, input.version));
