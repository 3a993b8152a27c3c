import type { CreateModuleBody, ModuleResponse, UpdateModuleBody } from "@ensign/contracts/modules";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { modulesKey } from "./get-modules";

export const createModule = (ws: string, body: CreateModuleBody) => api<ModuleResponse>(`/v1/workspaces/${ws}/modules`, { method: "POST", body });

export const updateModule = (ws: string, key: string, version: number, body: UpdateModuleBody) =>
  api<ModuleResponse>(`/v1/workspaces/${ws}/modules/${encodeURIComponent(key)}`, { method: "PATCH", body, version });

export const deleteModule = (ws: string, key: string, version: number) => api<void>(`/v1/workspaces/${ws}/modules/${encodeURIComponent(key)}`, { method: "DELETE", version });

/** Module writes change only the module lists. */
function useModuleMutation<T>(ws: string, fn: (input: T) => Promise<unknown>, silent = true) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, meta: { silent }, onSuccess: () => queryClient.invalidateQueries({ queryKey: modulesKey(ws) }) });
}

export const useCreateModule = (ws: string) => useModuleMutation(ws, (body: CreateModuleBody) => createModule(ws, body));
export const useUpdateModule = (ws: string) => useModuleMutation(ws, (input: { key: string; version: number; body: UpdateModuleBody }) => updateModule(ws, input.key, input.version, input.body));
export const useDeleteModule = (ws: string) => useModuleMutation(ws, (input: { key: string; version: number }) => deleteModule(ws, input.key, input.version), false);
