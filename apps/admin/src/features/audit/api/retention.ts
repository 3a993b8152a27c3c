import type { AuditExportResponse, AuditRetention } from "@ensign/contracts/audit";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";

export const auditRetentionKey = (ws: string) => [...auditKey(ws), "retention"] as const;
export const auditExportsKey = (ws: string) => [...auditKey(ws), "exports"] as const;

export const getAuditRetention = (ws: string) => api<AuditRetention>(`/v1/workspaces/${ws}/audit/retention`);
export const setAuditRetention = (ws: string, days: number | null) => api<AuditRetention>(`/v1/workspaces/${ws}/audit/retention`, { method: "PUT", body: { days } });
export const getAuditExports = (ws: string) => api<{ items: AuditExportResponse[] }>(`/v1/workspaces/${ws}/audit/exports`);

export const useAuditRetention = (ws: string) => useQuery(queryOptions({ queryKey: auditRetentionKey(ws), queryFn: () => getAuditRetention(ws) }));
/**
 * The retention job's exports. The job adds them in the background, so the list is read afresh
 * each time the dialog opens rather than kept for the app's usual 30 seconds.
 */
export const useAuditExports = (ws: string, enabled: boolean) =>
  useQuery(queryOptions({ queryKey: auditExportsKey(ws), queryFn: () => getAuditExports(ws), enabled, staleTime: 0 }));

export function useSetAuditRetention(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (days: number | null) => setAuditRetention(ws, days),
    onSuccess: (saved) => {
      queryClient.setQueryData(auditRetentionKey(ws), saved);
      // The change has its own audit entry.
      return queryClient.invalidateQueries({ queryKey: auditKey(ws) });
    },
  });
}

/** Fetches an export with the session's token and hands it to the browser as a file. */
export async function downloadAuditExport(ws: string, item: AuditExportResponse): Promise<void> {
  const text = await api<string>(`/v1/workspaces/${ws}/audit/exports/${item.id}`, { responseType: "text" });
  const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `audit-${ws}-${item.from.slice(0, 10)}-${item.to.slice(0, 10)}.jsonl`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
