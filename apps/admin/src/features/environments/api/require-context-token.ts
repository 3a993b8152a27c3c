import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { workspacesKey } from "../../../lib/query-keys";
import { updateEnvironment } from "./save-environment";

type Input = { env: string; version: number; isRequired: boolean };

/**
 * Switches an environment's "require signed context tokens" setting. The environments live in
 * the workspaces query (switcher and scope): the switch flips there at once, flips back if the
 * API refuses (the toast says why), and the list is refetched for the new versions.
 */
export function useRequireContextToken(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ env, version, isRequired }: Input) => updateEnvironment(ws, env, version, { requireContextToken: isRequired }),
    onMutate: async ({ env, isRequired }) => {
      await queryClient.cancelQueries({ queryKey: workspacesKey });
      const previous = queryClient.getQueryData<WorkspaceResponse[]>(workspacesKey);
      queryClient.setQueryData<WorkspaceResponse[]>(workspacesKey, (workspaces) =>
        workspaces?.map((w) =>
          w.slug === ws ? { ...w, environments: w.environments.map((e) => (e.key === env ? { ...e, requireContextToken: isRequired } : e)) } : w,
        ),
      );
      return { previous };
    },
    onError: (_error, _input, context) => {
      if (context?.previous) queryClient.setQueryData(workspacesKey, context.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: workspacesKey }),
  });
}
