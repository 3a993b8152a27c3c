import type { CreateLayerBody, LayerListResponse, LayerResponse, OverrideOrderResponse, UpdateLayerBody } from "@ensign/contracts/layers";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey, environmentsKey, wsKey } from "../../../lib/query-keys";

/** The workspace's override layers and the override order: the same in every environment. */
export const layersKey = (ws: string) => [...wsKey(ws), "override-layers"] as const;

const base = (ws: string) => `/v1/workspaces/${ws}/override-layers`;

export const getLayers = (ws: string) => api<LayerListResponse>(base(ws));
export const getLayersQueryOptions = (ws: string) => queryOptions({ queryKey: layersKey(ws), queryFn: () => getLayers(ws) });
export const useLayers = (ws: string) => useQuery(getLayersQueryOptions(ws));

export const createLayer = (ws: string, body: CreateLayerBody) => api<LayerResponse>(base(ws), { method: "POST", body });
export const updateLayer = (ws: string, key: string, version: number, body: UpdateLayerBody) =>
  api<LayerResponse>(`${base(ws)}/${encodeURIComponent(key)}`, { method: "PATCH", body, version });
export const deleteLayer = (ws: string, key: string, version: number) => api<void>(`${base(ws)}/${encodeURIComponent(key)}`, { method: "DELETE", version });
export const setOverrideOrder = (ws: string, order: string[]) =>
  api<OverrideOrderResponse>(`/v1/workspaces/${ws}/override-order`, { method: "PUT", body: { order } });

/** A layer or order change reaches every environment's evaluations (flags, tenants) and the audit log. */
function useLayerMutation<T>(ws: string, fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () => Promise.all([layersKey(ws), environmentsKey(ws), auditKey(ws)].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export const useCreateLayer = (ws: string) => useLayerMutation(ws, (body: CreateLayerBody) => createLayer(ws, body));
export const useUpdateLayer = (ws: string) => useLayerMutation(ws, (input: { key: string; version: number; body: UpdateLayerBody }) => updateLayer(ws, input.key, input.version, input.body));
export const useDeleteLayer = (ws: string) => useLayerMutation(ws, (input: { key: string; version: number }) => deleteLayer(ws, input.key, input.version), false);
export const useSetOverrideOrder = (ws: string) => useLayerMutation(ws, (order: string[]) => setOverrideOrder(ws, order));
