import type { AuditPage } from "@ensign/contracts/audit";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";

export const getFlagAudit = (ws: string, key: string, cursor?: string) => api<AuditPage>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/audit`, { query: { cursor, pageSize: 20 } });

export const getFlagAuditQueryOptions = (ws: string, key: string, cursor?: string) =>
  queryOptions({ queryKey: [...auditKey(ws), "flag", key, cursor ?? null], queryFn: () => getFlagAudit(ws, key, cursor), placeholderData: keepPreviousData });

export const useFlagAudit = (ws: string, key: string, cursor?: string) => useQuery(getFlagAuditQueryOptions(ws, key, cursor));
