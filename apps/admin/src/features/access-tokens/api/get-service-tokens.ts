import type { ServiceTokenResponse } from "@ensign/contracts/access-tokens";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export const serviceTokensKey = (ws: string) => [...wsKey(ws), "service-tokens"] as const;

export const getServiceTokens = (ws: string) => api<{ items: ServiceTokenResponse[] }>(`/v1/workspaces/${ws}/service-tokens`);

export const getServiceTokensQueryOptions = (ws: string) => queryOptions({ queryKey: [...serviceTokensKey(ws), "list"], queryFn: () => getServiceTokens(ws) });

export const useServiceTokens = (ws: string) => useQuery(getServiceTokensQueryOptions(ws));
