import type { FlagList, FlagListItem, FlagSort, FlagStatus } from "@ensign/contracts/flags";
import type { FlagType } from "@ensign/contracts/targeting";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { usePagedRows } from "../../../lib/use-paged-rows";
import { flagListKey } from "./flag-keys";

export type { FlagSort };

export interface FlagFilters {
  search?: string;
  sort: FlagSort;
  order: "asc" | "desc";
  module?: string;
  tag?: string;
  type?: FlagType;
  state?: FlagStatus;
  beta?: boolean;
  deprecated?: boolean;
  /** Only archived flags when true. */
  archived?: boolean;
  page: number;
  pageSize: number;
}

export const getFlags = (ws: string, env: string, filters: FlagFilters) => api<FlagList>(`/v1/workspaces/${ws}/flags`, { query: { ...filters, env } });

export const getFlagsQueryOptions = (ws: string, env: string, filters: FlagFilters) =>
  queryOptions({ queryKey: [...flagListKey(ws, env), filters], queryFn: () => getFlags(ws, env, filters), placeholderData: keepPreviousData });

export const useFlags = (ws: string, env: string, filters: FlagFilters) => useQuery(getFlagsQueryOptions(ws, env, filters));

/** The flags table's rows, page by page as they scroll into view. */
export const useFlagRows = (ws: string, env: string, filters: Omit<FlagFilters, "page" | "pageSize">) =>
  usePagedRows<FlagListItem>([...flagListKey(ws, env), "rows", filters], (page, pageSize) => getFlags(ws, env, { ...filters, page, pageSize }));
