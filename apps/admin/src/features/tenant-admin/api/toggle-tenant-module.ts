import type { TenantModuleResponse } from "@ensign/contracts/tenant-admin";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantKey } from "../../../lib/query-keys";

export interface ToggleModuleInput {
  module: string;
  enabled: boolean;
}

export const toggleTenantModule = (ws: string, { module, enabled }: ToggleModuleInput) =>
  api<TenantModuleResponse>(`/v1/tenant/modules/${encodeURIComponent(module)}`, { method: "PUT", body: { enabled }, query: { workspace: ws } });

/** Switches one of the tenant's modules (where the provider allows it); the features and the audit log follow. */
export function useToggleTenantModule(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ToggleModuleInput) => toggleTenantModule(ws, input),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tenantKey(ws) }),
  });
}
