import type { CreateFlagBody, FlagResponse } from "@ensign/contracts/flags";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { invalidatePrefixes } from "../../../lib/query-keys";
import { allFlagsKeys } from "./flag-keys";

export const createFlag = (ws: string, body: CreateFlagBody) => api<FlagResponse>(`/v1/workspaces/${ws}/flags`, { method: "POST", body });

export function useCreateFlag(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateFlagBody) => createFlag(ws, body),
    // The form shows field errors itself.
    meta: { silent: true },
    // A new flag appears in every environment's list and in the definitions.
    onSuccess: () => invalidatePrefixes(queryClient, allFlagsKeys(queryClient, ws)),
  });
}
