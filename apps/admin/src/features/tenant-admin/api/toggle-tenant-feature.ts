import type { TenantFeature, TenantFeaturesResponse, ToggleFeatureBody } from "@ensign/contracts/tenant-admin";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { tenantKey } from "../../../lib/query-keys";
import { getTenantFeaturesQueryOptions } from "./get-tenant-features";

export interface ToggleInput extends ToggleFeatureBody {
  key: string;
  version: number;
}

export const toggleTenantFeature = (ws: string, { key, version, ...body }: ToggleInput) =>
  api<TenantFeature>(`/v1/tenant/features/${encodeURIComponent(key)}`, { method: "PUT", body, version, query: { workspace: ws } });

/** Flips a feature for the tenant; the switch moves at once and moves back if the API refuses. */
export function useToggleTenantFeature(ws: string) {
  const queryClient = useQueryClient();
  const { queryKey } = getTenantFeaturesQueryOptions(ws);
  return useMutation({
    mutationFn: (input: ToggleInput) => toggleTenantFeature(ws, input),
    // The page shows refusals next to the feature, and toasts them itself.
    meta: { silent: true },
    onMutate: async (input) => {
      await queryClient.cancelQueries({ queryKey });
      const previous = queryClient.getQueryData(queryKey);
      queryClient.setQueryData(queryKey, (data: TenantFeaturesResponse | undefined) =>
        data && { ...data, modules: data.modules.map((m) => ({ ...m, features: m.features.map((f) => (f.key === input.key ? { ...f, enabled: input.enabled } : f)) })) },
      );
      return { previous };
    },
    onError: (_error, _input, context) => {
      if (context?.previous) queryClient.setQueryData(queryKey, context.previous);
    },
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey }), queryClient.invalidateQueries({ queryKey: [...tenantKey(ws), "audit"] })]),
  });
}
