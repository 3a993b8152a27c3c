import type { BulkOverridesBody, BulkOverridesResponse } from "@ensign/contracts/overrides";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api-client";
import { invalidatePrefixes } from "../../lib/query-keys";
import { overrideEffects } from "./override-effects";

export const bulkOverrides = (ws: string, env: string, body: BulkOverridesBody) =>
  api<BulkOverridesResponse>(`/v1/workspaces/${ws}/environments/${env}/tenant-overrides/bulk`, { method: "POST", body });

/** One bulk action for the tenants page and a flag's overrides alike. A preview changes nothing; an applied action invalidates what overrides change. */
export function useBulkOverrides(ws: string, env: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkOverridesBody) => bulkOverrides(ws, env, body),
    onSuccess: (result) => (result.preview ? undefined : invalidatePrefixes(queryClient, overrideEffects(ws, env))),
  });
}
