import type { CreateEnvironmentBody, EnvironmentResponse, UpdateEnvironmentBody } from "@ensign/contracts/environments";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { workspacesKey } from "../../../lib/query-keys";

export const createEnvironment = (ws: string, body: CreateEnvironmentBody) => api<EnvironmentResponse>(`/v1/workspaces/${ws}/environments`, { method: "POST", body });
export const updateEnvironment = (ws: string, env: string, version: number, body: UpdateEnvironmentBody) =>
  api<EnvironmentResponse>(`/v1/workspaces/${ws}/environments/${env}`, { method: "PATCH", body, version });
export const deleteEnvironment = (ws: string, env: string, version: number) =>
  api<void>(`/v1/workspaces/${ws}/environments/${env}`, { method: "DELETE", body: { confirm: env }, version });

/** The environment list lives in the workspaces query (switcher and scope). */
function useEnvironmentMutation<T>(fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, meta: { silent }, onSuccess: () => queryClient.invalidateQueries({ queryKey: workspacesKey }) });
}

export const useCreateEnvironment = (ws: string) => useEnvironmentMutation((body: CreateEnvironmentBody) => createEnvironment(ws, body));
export const useUpdateEnvironment = (ws: string) => useEnvironmentMutation((input: { env: string; version: number; body: UpdateEnvironmentBody }) => updateEnvironment(ws, input.env, input.version, input.body));
export const useDeleteEnvironment = (ws: string) => useEnvironmentMutation((input: { env: string; version: number }) => deleteEnvironment(ws, input.env, input.version), false);
