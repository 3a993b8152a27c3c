import type { LayerOverrideListResponse, LayerOverrideResponse, SetLayerOverrideBody } from "@ensign/contracts/layers";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { overrideEffects } from "../../../components/overrides/override-effects";
import { api } from "../../../lib/api-client";
import { flagsKey, invalidatePrefixes, wsKey } from "../../../lib/query-keys";

/** Under the flag's detail in its environment, so override writes invalidate it with the flag. */
export const layerOverridesKey = (ws: string, env: string, flag: string, layer: string) => [...flagsKey(ws, env), "detail", flag, "layer-overrides", layer] as const;

const base = (ws: string, env: string, flag: string, layer: string) =>
  `/v1/workspaces/${ws}/flags/${encodeURIComponent(flag)}/environments/${env}/layer-overrides/${encodeURIComponent(layer)}`;

export const getLayerOverrides = (ws: string, env: string, flag: string, layer: string) => api<LayerOverrideListResponse>(base(ws, env, flag, layer));
export const getLayerOverridesQueryOptions = (ws: string, env: string, flag: string, layer: string) =>
  queryOptions({ queryKey: layerOverridesKey(ws, env, flag, layer), queryFn: () => getLayerOverrides(ws, env, flag, layer) });
export const useLayerOverrides = (ws: string, env: string, flag: string, layer: string) => useQuery(getLayerOverridesQueryOptions(ws, env, flag, layer));

export const setLayerOverride = (ws: string, env: string, flag: string, layer: string, value: string, body: SetLayerOverrideBody, version?: number) =>
  api<LayerOverrideResponse>(`${base(ws, env, flag, layer)}/${encodeURIComponent(value)}`, { method: "PUT", body, version });
export const clearLayerOverride = (ws: string, env: string, flag: string, layer: string, value: string) =>
  api<void>(`${base(ws, env, flag, layer)}/${encodeURIComponent(value)}`, { method: "DELETE" });

function useLayerOverrideMutation<T>(ws: string, env: string, fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    // The layers' override counts change too.
    onSuccess: () => invalidatePrefixes(queryClient, [...overrideEffects(ws, env), [...wsKey(ws), "override-layers"]]),
  });
}

export const useSetLayerOverride = (ws: string, env: string, flag: string, layer: string) =>
  useLayerOverrideMutation(ws, env, (input: { value: string; body: SetLayerOverrideBody; version?: number }) => setLayerOverride(ws, env, flag, layer, input.value, input.body, input.version));
export const useClearLayerOverride = (ws: string, env: string, flag: string, layer: string) =>
  useLayerOverrideMutation(ws, env, (value: string) => clearLayerOverride(ws, env, flag, layer, value), false);
