import type { ImpactBody, ImpactResponse } from "@ensign/contracts/live-evaluation";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";

export const getImpact = (ws: string, env: string, body: ImpactBody) => api<ImpactResponse>(`/v1/workspaces/${ws}/environments/${env}/impact`, { method: "POST", body });

/** The blast radius of a proposed state, recomputed as the proposal changes; cached per proposal. */
export const getImpactQueryOptions = (ws: string, env: string, body: ImpactBody) =>
  queryOptions({ queryKey: [...flagsKey(ws, env), "detail", body.flag, "impact", body.state], queryFn: () => getImpact(ws, env, body), placeholderData: keepPreviousData, staleTime: 10_000 });

export const useImpact = (ws: string, env: string, body: ImpactBody, enabled: boolean) => useQuery({ ...getImpactQueryOptions(ws, env, body), enabled });
