import type { TenantFeaturesResponse } from "@ensign/contracts/tenant-admin";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantKey } from "../../../lib/query-keys";

export const getTenantFeatures = (ws: string) => api<TenantFeaturesResponse>("/v1/tenant/features", { query: { workspace: ws } });

/** The tenant admin's own tenant's features, grouped by module, in production. */
export const getTenantFeaturesQueryOptions = (ws: string) =>
  queryOptions({ queryKey: [...tenantKey(ws), "features"], queryFn: () => getTenantFeatures(ws), refetchInterval: 30_000 });

export const useTenantFeatures = (ws: string) => useQuery(getTenantFeaturesQueryOptions(ws));
