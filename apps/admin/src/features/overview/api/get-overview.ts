import type { OverviewResponse } from "@ensign/contracts/overview";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";

export const getOverview = (ws: string, env: string) => api<OverviewResponse>(`/v1/workspaces/${ws}/overview`, { query: { env } });

/** Under the environment's flags, so every flag change there refreshes it; and every 30 s for the rest. */
export const getOverviewQueryOptions = (ws: string, env: string) =>
  queryOptions({ queryKey: [...flagsKey(ws, env), "overview"], queryFn: () => getOverview(ws, env), refetchInterval: 30_000 });

export const useOverview = (ws: string, env: string) => useQuery(getOverviewQueryOptions(ws, env));
