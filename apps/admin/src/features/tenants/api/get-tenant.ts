import type { TenantDetailResponse } from "@ensign/contracts/tenants";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantsKey } from "../../../lib/query-keys";

/** A tenant, its modules and attributes, and every flag's effective value with the reason. */
export const getTenant = (ws: string, env: string, key: string) => api<TenantDetailResponse>(`/v1/workspaces/${ws}/tenants/${encodeURIComponent(key)}`, { query: { env } });

export const getTenantQueryOptions = (ws: string, env: string, key: string) => queryOptions({ queryKey: [...tenantsKey(ws, env), "detail", key], queryFn: () => getTenant(ws, env, key) });

export const useTenant = (ws: string, env: string, key: string) => useQuery(getTenantQueryOptions(ws, env, key));
