import type { EnvironmentResponse } from "@ensign/contracts/environments";
import type { SetMasterSwitchBody } from "@ensign/contracts/master-switch";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { envKey, workspacesKey } from "../../../lib/query-keys";

export const setMasterSwitch = (ws: string, env: string, body: SetMasterSwitchBody) =>
  api<EnvironmentResponse>(`/v1/workspaces/${ws}/environments/${env}/master-switch`, { method: "PUT", body });

/**
 * Turns an environment's master switch on or lifts it. The switch lives in the workspaces query
 * (banner and Environments page); every evaluation shown for the environment changes with it.
 */
export function useSetMasterSwitch(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ env, ...body }: SetMasterSwitchBody & { env: string }) => setMasterSwitch(ws, env, body),
    onSuccess: (_updated, { env }) =>
      Promise.all([queryClient.invalidateQueries({ queryKey: workspacesKey }), queryClient.invalidateQueries({ queryKey: envKey(ws, env) })]),
  });
}
