import type { BulkOverridesBody, BulkOverridesResponse } from "@ensign/contracts/overrides";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { envKey, wsKey } from "../../../lib/query-keys";

export const bulkOverrides = (ws: string, env: string, body: BulkOverridesBody) =>
  api<BulkOverridesResponse>(`/v1/workspaces/${ws}/environments/${env}/tenant-overrides/bulk`, { method: "POST", body });

/** A preview changes nothing; an applied action changes tenants' values and flags' statuses in this environment. */
export function useBulkOverrides(ws: string, env: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkOverridesBody) => bulkOverrides(ws, env, body),
    onSuccess: (result) => {
      if (result.preview) return;
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: [...envKey(ws, env), "tenants"] }),
        queryClient.invalidateQueries({ queryKey: [...envKey(ws, env), "flags"] }),
        queryClient.invalidateQueries({ queryKey: [...wsKey(ws), "audit"] }),
      ]);
    },
  });
}
