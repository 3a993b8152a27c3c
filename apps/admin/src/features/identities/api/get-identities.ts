import type { Page } from "@ensign/contracts/common";
import type { IdentityResponse, IdentityTraitStats } from "@ensign/contracts/identities";
import type { LiveEvaluationResponse } from "@ensign/contracts/live-evaluation";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { envKey } from "../../../lib/query-keys";

export interface IdentityFilters {
  search?: string;
  page: number;
}

/** Identities live per environment; a change to one (or to any flag) refreshes these by prefix. */
export const identitiesKey = (ws: string, env: string) => [...envKey(ws, env), "identities"] as const;

export const getIdentities = (ws: string, env: string, filters: IdentityFilters) =>
  api<Page<IdentityResponse>>(`/v1/workspaces/${ws}/environments/${env}/identities`, { query: { ...filters, pageSize: 25 } });

export const getTraitStats = (ws: string, env: string, trait: string) =>
  api<IdentityTraitStats>(`/v1/workspaces/${ws}/environments/${env}/identity-stats`, { query: { trait } });

/** Every flag for one identity, as the server evaluates it with the stored traits, with the trace. */
export const getIdentityFlags = (ws: string, env: string, key: string) =>
  api<LiveEvaluationResponse>(`/v1/workspaces/${ws}/environments/${env}/evaluate`, { method: "POST", body: { context: { targetingKey: key } } });

export const useIdentities = (ws: string, env: string, filters: IdentityFilters) =>
  useQuery(queryOptions({ queryKey: [...identitiesKey(ws, env), "list", filters], queryFn: () => getIdentities(ws, env, filters), placeholderData: keepPreviousData }));

export const useTraitStats = (ws: string, env: string, trait: string) =>
  useQuery(queryOptions({ queryKey: [...identitiesKey(ws, env), "stats", trait], queryFn: () => getTraitStats(ws, env, trait), enabled: trait.length > 0, placeholderData: keepPreviousData }));

export const useIdentityFlags = (ws: string, env: string, key: string | undefined) =>
  useQuery(queryOptions({ queryKey: [...identitiesKey(ws, env), "flags", key], queryFn: () => getIdentityFlags(ws, env, key!), enabled: key !== undefined }));
