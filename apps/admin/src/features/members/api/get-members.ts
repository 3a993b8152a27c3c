import type { Page } from "@ensign/contracts/common";
import type { MemberResponse } from "@ensign/contracts/members";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export interface MemberFilters {
  search?: string;
  role?: string;
  page: number;
}

export const membersKey = (ws: string) => [...wsKey(ws), "members"] as const;

export const getMembers = (ws: string, filters: MemberFilters) => api<Page<MemberResponse>>(`/v1/workspaces/${ws}/members`, { query: { ...filters, pageSize: 50 } });

export const getMembersQueryOptions = (ws: string, filters: MemberFilters) =>
  queryOptions({ queryKey: [...membersKey(ws), "list", filters], queryFn: () => getMembers(ws, filters), placeholderData: keepPreviousData });

export const useMembers = (ws: string, filters: MemberFilters) => useQuery(getMembersQueryOptions(ws, filters));
