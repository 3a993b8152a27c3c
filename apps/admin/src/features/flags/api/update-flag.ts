import type { FlagResponse, UpdateFlagBody } from "@ensign/contracts/flags";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { invalidatePrefixes } from "../../../lib/query-keys";
import { allFlagsKeys } from "./flag-keys";

export const updateFlag = (ws: string, key: string, version: number, body: UpdateFlagBody) =>
  api<FlagResponse>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}`, { method: "PATCH", body, version });

export type FlagLifecycleAction = "deprecate" | "archive" | "restore";
export const setFlagLifecycle = (ws: string, key: string, version: number, action: FlagLifecycleAction) =>
  api<FlagResponse>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/${action}`, { method: "POST", version });

/** A definition is shared by every environment: each environment's view of the flag changes. */
export function useUpdateFlag(ws: string, key: string, options: { silent?: boolean } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { version: number; body: UpdateFlagBody }) => updateFlag(ws, key, input.version, input.body),
    meta: { silent: options.silent },
    onSuccess: () => invalidatePrefixes(queryClient, allFlagsKeys(queryClient, ws)),
  });
}

export function useSetFlagLifecycle(ws: string, key: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { version: number; action: FlagLifecycleAction }) => setFlagLifecycle(ws, key, input.version, input.action),
    onSuccess: () => invalidatePrefixes(queryClient, allFlagsKeys(queryClient, ws)),
  });
}

export const deleteFlag = (ws: string, key: string, version: number, confirm: string) =>
  api<void>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}`, { method: "DELETE", body: { confirm }, version });

/** Deleting an archived flag for good: every view of flags changes. */
export function useDeleteFlag(ws: string, key: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { version: number; confirm: string }) => deleteFlag(ws, key, input.version, input.confirm),
    onSuccess: () => invalidatePrefixes(queryClient, allFlagsKeys(queryClient, ws)),
  });
}
