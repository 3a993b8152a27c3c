import type { TenantListResponse } from "@ensign/contracts/tenants";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

/** Tenants whose key or name contains the text: the override form's picker. */
export const findTenants = (ws: string, search: string) => api<TenantListResponse>(`/v1/workspaces/${ws}/tenants`, { query: { search, pageSize: 10 } });

export const findTenantsQueryOptions = (ws: string, search: string) =>
  queryOptions({ queryKey: [...wsKey(ws), "tenant-picker", search], queryFn: () => findTenants(ws, search), staleTime: 30_000 });

export const useFindTenants = (ws: string, search: string) => useQuery(findTenantsQueryOptions(ws, search));
