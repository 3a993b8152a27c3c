import type { ApiKeyResponse } from "@ensign/contracts/api-keys";
import type { Page } from "@ensign/contracts/common";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { envKey } from "../../../lib/query-keys";

export const apiKeysKey = (ws: string, env: string) => [...envKey(ws, env), "api-keys"] as const;

export const getApiKeys = (ws: string, env: string) => api<Page<ApiKeyResponse>>(`/v1/workspaces/${ws}/environments/${env}/api-keys`, { query: { pageSize: 200 } });

export const getApiKeysQueryOptions = (ws: string, env: string) => queryOptions({ queryKey: [...apiKeysKey(ws, env), "list"], queryFn: () => getApiKeys(ws, env) });

export const useApiKeys = (ws: string, env: string) => useQuery(getApiKeysQueryOptions(ws, env));
