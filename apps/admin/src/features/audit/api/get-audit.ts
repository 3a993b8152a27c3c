import type { AuditPage } from "@ensign/contracts/audit";
import { keepPreviousData, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
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

export const getAudit = (ws: string, filters: AuditFilters, pageSize = 25) => api<AuditPage>(`/v1/workspaces/${ws}/audit`, { query: { ...filters, pageSize } });

export const getAuditQueryOptions = (ws: string, filters: AuditFilters) =>
  queryOptions({ queryKey: [...auditKey(ws), "list", filters], queryFn: () => getAudit(ws, filters), placeholderData: keepPreviousData });

export const useAudit = (ws: string, filters: AuditFilters) => useQuery(getAuditQueryOptions(ws, filters));

/** The audit log page's entries: page after page (cursor by cursor) as the list scrolls. */
export const useAuditEntries = (ws: string, filters: Omit<AuditFilters, "cursor">) =>
  useInfiniteQuery({
    queryKey: [...auditKey(ws), "entries", filters],
    queryFn: ({ pageParam }) => getAudit(ws, { ...filters, cursor: pageParam }, 100),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
