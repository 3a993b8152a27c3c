import type { TenantListResponse, TenantResponse } from "@ensign/contracts/tenants";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantsKey } from "../../../lib/query-keys";
import { usePagedRows } from "../../../lib/use-paged-rows";

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

export const getTenants = (ws: string, env: string, { show, ...filters }: TenantFilters, pageSize = 25) =>
  api<TenantListResponse>(`/v1/workspaces/${ws}/tenants`, { query: { ...filters, env, flags: show?.length ? show.join(",") : undefined, pageSize } });

export const getTenantsQueryOptions = (ws: string, env: string, filters: TenantFilters) =>
  queryOptions({ queryKey: [...tenantsKey(ws, env), "list", filters], queryFn: () => getTenants(ws, env, filters), placeholderData: keepPreviousData });

export const useTenants = (ws: string, env: string, filters: TenantFilters) => useQuery(getTenantsQueryOptions(ws, env, filters));

/** The tenants table's rows, page by page as they scroll into view. */
export const useTenantRows = (ws: string, env: string, filters: Omit<TenantFilters, "page">) =>
  usePagedRows<TenantResponse>([...tenantsKey(ws, env), "list", "rows", filters], (page, pageSize) => getTenants(ws, env, { ...filters, page }, pageSize));
