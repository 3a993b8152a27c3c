import type { FlagStatsResponse } from "@ensign/contracts/stats";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";

export const getFlagStats = (ws: string, env: string, key: string, days: number) =>
  api<FlagStatsResponse>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}/stats`, { query: { env, days } });

/** Counters reach the database within ~15 s; refreshing each minute is plenty. */
export const getFlagStatsQueryOptions = (ws: string, env: string, key: string, days = 7) =>
  queryOptions({ queryKey: [...flagsKey(ws, env), "detail", key, "stats", days], queryFn: () => getFlagStats(ws, env, key, days), staleTime: 30_000, refetchInterval: 30_000 });

export const useFlagStats = (ws: string, env: string, key: string, days = 7) => useQuery(getFlagStatsQueryOptions(ws, env, key, days));
