import type { CreateSegmentBody, SegmentResponse, UpdateSegmentBody } from "@ensign/contracts/segments";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { environmentsKey } from "../../../lib/query-keys";
import { segmentsKey } from "./get-segments";

export const createSegment = (ws: string, body: CreateSegmentBody) => api<SegmentResponse>(`/v1/workspaces/${ws}/segments`, { method: "POST", body });
export const updateSegment = (ws: string, key: string, version: number, body: UpdateSegmentBody) =>
  api<SegmentResponse>(`/v1/workspaces/${ws}/segments/${encodeURIComponent(key)}`, { method: "PATCH", body, version });
export const deleteSegment = (ws: string, key: string, version: number) => api<void>(`/v1/workspaces/${ws}/segments/${encodeURIComponent(key)}`, { method: "DELETE", version });

/** A segment change can change evaluations in every environment: lists of segments, and what environments show. */
function useSegmentMutation<T>(ws: string, fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: segmentsKey(ws) }), queryClient.invalidateQueries({ queryKey: environmentsKey(ws) })]),
  });
}

export const useCreateSegment = (ws: string) => useSegmentMutation(ws, (body: CreateSegmentBody) => createSegment(ws, body));
export const useUpdateSegment = (ws: string) => useSegmentMutation(ws, (input: { key: string; version: number; body: UpdateSegmentBody }) => updateSegment(ws, input.key, input.version, input.body));
export const useDeleteSegment = (ws: string) => useSegmentMutation(ws, (input: { key: string; version: number }) => deleteSegment(ws, input.key, input.version), false);
