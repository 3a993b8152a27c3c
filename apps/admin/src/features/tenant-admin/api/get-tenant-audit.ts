import type { TenantAuditResponse } from "@ensign/contracts/tenant-admin";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantKey } from "../../../lib/query-keys";

export interface TenantAuditFilters {
  page: number;
  flag?: string;
  action?: string;
}

export const getTenantAudit = (ws: string, filters: TenantAuditFilters) =>
  api<TenantAuditResponse>("/v1/tenant/audit", { query: { workspace: ws, page: filters.page, pageSize: 25, flag: filters.flag, action: filters.action } });

export const getTenantAuditQueryOptions = (ws: string, filters: TenantAuditFilters) =>
  queryOptions({ queryKey: [...tenantKey(ws), "audit", filters], queryFn: () => getTenantAudit(ws, filters), placeholderData: keepPreviousData });

export const useTenantAudit = (ws: string, filters: TenantAuditFilters) => useQuery(getTenantAuditQueryOptions(ws, filters));
