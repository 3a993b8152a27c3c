import type { AuditPage } from "@ensign/contracts/audit";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";

export interface AuditFilters {
  actor?: string;
  flag?: string;
  tenant?: string;
  action?: string;
  environment?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

export const getAudit = (ws: string, filters: AuditFilters) => api<AuditPage>(`/v1/workspaces/${ws}/audit`, { query: { ...filters, pageSize: 25 } });

export const getAuditQueryOptions = (ws: string, filters: AuditFilters) =>
  queryOptions({ queryKey: [...auditKey(ws), "list", filters], queryFn: () => getAudit(ws, filters), placeholderData: keepPreviousData });

export const useAudit = (ws: string, filters: AuditFilters) => useQuery(getAuditQueryOptions(ws, filters));
