import type { ModuleResponse } from "@ensign/contracts/modules";
import type { Page } from "@ensign/contracts/common";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export interface ModuleFilters {
  search?: string;
  page: number;
}

export const modulesKey = (ws: string) => [...wsKey(ws), "modules"] as const;

export const getModules = (ws: string, filters: ModuleFilters) => api<Page<ModuleResponse>>(`/v1/workspaces/${ws}/modules`, { query: { ...filters, pageSize: 50 } });

export const getModulesQueryOptions = (ws: string, filters: ModuleFilters) =>
  queryOptions({ queryKey: [...modulesKey(ws), "list", filters], queryFn: () => getModules(ws, filters), placeholderData: keepPreviousData });

export const useModules = (ws: string, filters: ModuleFilters) => useQuery(getModulesQueryOptions(ws, filters));
