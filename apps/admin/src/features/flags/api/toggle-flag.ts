import type { FlagList, FlagResponse, FlagStateResponse } from "@ensign/contracts/flags";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";
import { flagDetailKey, flagListKey } from "./flag-keys";

export const toggleFlag = (ws: string, env: string, key: string, version: number, enabled: boolean) =>
  api<FlagStateResponse>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/environments/${env}/enabled`, { method: "PUT", body: { enabled }, version });

type Input = { key: string; version: number; enabled: boolean };

/**
 * The kill switch of a flag in one environment. The switch flips at once in every list and
 * detail of that environment; if the API refuses, it flips back and the toast says why.
 */
export function useToggleFlag(ws: string, env: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, version, enabled }: Input) => toggleFlag(ws, env, key, version, enabled),
    onMutate: async ({ key, enabled }) => {
      await queryClient.cancelQueries({ queryKey: flagsKey(ws, env) });
      const lists = queryClient.getQueriesData<FlagList>({ queryKey: flagListKey(ws, env) });
      const detail = queryClient.getQueryData<FlagResponse>(flagDetailKey(ws, env, key));
      const flip = <T extends { environment: string; enabled: boolean }>(s: T) => (s.environment === env ? { ...s, enabled } : s);
      queryClient.setQueriesData<FlagList>({ queryKey: flagListKey(ws, env) }, (list) =>
        list && { ...list, items: list.items.map((f) => (f.key === key ? { ...f, environments: f.environments.map(flip) } : f)) },
      );
      queryClient.setQueryData<FlagResponse>(flagDetailKey(ws, env, key), (flag) =>
        flag && { ...flag, environments: flag.environments.map(flip), state: flag.state && { ...flag.state, enabled } },
      );
      return { lists, detail };
    },
    onError: (_error, { key }, context) => {
      for (const [queryKey, data] of context?.lists ?? []) queryClient.setQueryData(queryKey, data);
      if (context?.detail) queryClient.setQueryData(flagDetailKey(ws, env, key), context.detail);
    },
    // Status colours and rollout summaries come from the server: refetch this environment's flags only.
    onSettled: () => queryClient.invalidateQueries({ queryKey: flagsKey(ws, env) }),
  });
}
