import type { SetUserOverrideBody, UserOverrideListResponse, UserOverrideResponse } from "@ensign/contracts/overrides";
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { overrideEffects } from "../../../components/overrides/override-effects";
import { api } from "../../../lib/api-client";
import { invalidatePrefixes } from "../../../lib/query-keys";
import { userOverridesKey } from "./override-keys";

const base = (ws: string, env: string, flag: string) => `/v1/workspaces/${ws}/flags/${encodeURIComponent(flag)}/environments/${env}/user-overrides`;

export const getUserOverrides = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) =>
  api<UserOverrideListResponse>(base(ws, env, flag), { query: { ...filters, pageSize: 25 } });

export const getUserOverridesQueryOptions = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) =>
  queryOptions({ queryKey: [...userOverridesKey(ws, env, flag), filters], queryFn: () => getUserOverrides(ws, env, flag, filters), placeholderData: keepPreviousData });

export const useUserOverrides = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) => useQuery(getUserOverridesQueryOptions(ws, env, flag, filters));

export const setUserOverride = (ws: string, env: string, flag: string, userKey: string, body: SetUserOverrideBody, version?: number) =>
  api<UserOverrideResponse>(`${base(ws, env, flag)}/${encodeURIComponent(userKey)}`, { method: "PUT", body, version });
export const clearUserOverride = (ws: string, env: string, flag: string, userKey: string) => api<void>(`${base(ws, env, flag)}/${encodeURIComponent(userKey)}`, { method: "DELETE" });

function useUserOverrideMutation<T, R>(ws: string, env: string, fn: (input: T) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    // The flag's user overrides are among the flags' queries the effects name.
    onSuccess: () => invalidatePrefixes(queryClient, overrideEffects(ws, env)),
  });
}

export const useSetUserOverride = (ws: string, env: string, flag: string) =>
  useUserOverrideMutation(ws, env, (input: { userKey: string; body: SetUserOverrideBody; version?: number }) => setUserOverride(ws, env, flag, input.userKey, input.body, input.version), true);
export const useClearUserOverride = (ws: string, env: string, flag: string) => useUserOverrideMutation(ws, env, (userKey: string) => clearUserOverride(ws, env, flag, userKey));
