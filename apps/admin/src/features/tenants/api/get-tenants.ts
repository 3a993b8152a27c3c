import type { TenantListResponse } from "@ensign/contracts/tenants";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantsKey } from "../../../lib/query-keys";

export interface TenantFilters {
  search?: string;
  /** With flagState: tenants for whom this flag is on, or off. */
  flag?: string;
  flagState?: "on" | "off";
  module?: string;
  moduleState?: "on" | "off";
  /** Flags whose effective value each row shows. */
  show?: string[];
  sort: "key" | "name" | "createdAt" | "updatedAt";
  order: "asc" | "desc";
  page: number;
}

export const getTenants = (ws: string, env: string, { show, ...filters }: TenantFilters) =>
  api<TenantListResponse>(`/v1/workspaces/${ws}/tenants`, { query: { ...filters, env, flags: show?.length ? show.join(",") : undefined, pageSize: 25 } });

export const getTenantsQueryOptions = (ws: string, env: string, filters: TenantFilters) =>
  queryOptions({ queryKey: [...tenantsKey(ws, env), "list", filters], queryFn: () => getTenants(ws, env, filters), placeholderData: keepPreviousData });

export const useTenants = (ws: string, env: string, filters: TenantFilters) => useQuery(getTenantsQueryOptions(ws, env, filters));
