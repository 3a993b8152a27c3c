import type { FlagResponse } from "@ensign/contracts/flags";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagDetailKey } from "./flag-keys";

/** A flag's definition, every environment's summary, and the full state of `env`. */
export const getFlag = (ws: string, env: string, key: string) => api<FlagResponse>(`/v1/workspaces/${ws}/flags/${encodeURIComponent(key)}`, { query: { env } });

export const getFlagQueryOptions = (ws: string, env: string, key: string) => queryOptions({ queryKey: flagDetailKey(ws, env, key), queryFn: () => getFlag(ws, env, key) });

export const useFlag = (ws: string, env: string, key: string) => useQuery(getFlagQueryOptions(ws, env, key));
