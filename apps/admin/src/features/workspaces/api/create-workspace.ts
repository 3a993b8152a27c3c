import type { CreateWorkspaceBody, WorkspaceResponse } from "@ensign/contracts/workspaces";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { sessionKey, workspacesKey } from "../../../lib/query-keys";

export const createWorkspace = (body: CreateWorkspaceBody) => api<WorkspaceResponse>("/v1/workspaces", { method: "POST", body });

export function useCreateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createWorkspace,
    meta: { silent: true },
    onSuccess: async () => {
      // The new workspace is in the list and in the creator's memberships.
      await Promise.all([queryClient.invalidateQueries({ queryKey: workspacesKey }), queryClient.invalidateQueries({ queryKey: sessionKey })]);
    },
  });
}
