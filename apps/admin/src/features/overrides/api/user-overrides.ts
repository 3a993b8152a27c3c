import type { SetUserOverrideBody, UserOverrideListResponse, UserOverrideResponse } from "@ensign/contracts/overrides";
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { overrideEffects, userOverridesKey } from "./override-keys";

const base = (ws: string, env: string, flag: string) => `/v1/workspaces/${ws}/flags/${encodeURIComponent(flag)}/environments/${env}/user-overrides`;

export const getUserOverrides = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) =>
  api<UserOverrideListResponse>(base(ws, env, flag), { query: { ...filters, pageSize: 25 } });

export const getUserOverridesQueryOptions = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) =>
  queryOptions({ queryKey: [...userOverridesKey(ws, env, flag), filters], queryFn: () => getUserOverrides(ws, env, flag, filters), placeholderData: keepPreviousData });

export const useUserOverrides = (ws: string, env: string, flag: string, filters: { search?: string; page: number }) => useQuery(getUserOverridesQueryOptions(ws, env, flag, filters));

export const setUserOverride = (ws: string, env: string, flag: string, userKey: string, body: SetUserOverrideBody, version?: number) =>
  api<UserOverrideResponse>(`${base(ws, env, flag)}/${encodeURIComponent(userKey)}`, { method: "PUT", body, version });
export const clearUserOverride = (ws: string, env: string, flag: string, userKey: string) => api<void>(`${base(ws, env, flag)}/${encodeURIComponent(userKey)}`, { method: "DELETE" });

function useUserOverrideMutation<T, R>(ws: string, env: string, flag: string, fn: (input: T) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: userOverridesKey(ws, env, flag) }), ...overrideEffects(ws, env).map((queryKey) => queryClient.invalidateQueries({ queryKey }))]),
  });
}

export const useSetUserOverride = (ws: string, env: string, flag: string) =>
  useUserOverrideMutation(ws, env, flag, (input: { userKey: string; body: SetUserOverrideBody; version?: number }) => setUserOverride(ws, env, flag, input.userKey, input.body, input.version), true);
export const useClearUserOverride = (ws: string, env: string, flag: string) => useUserOverrideMutation(ws, env, flag, (userKey: string) => clearUserOverride(ws, env, flag, userKey));
