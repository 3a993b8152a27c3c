import type { Page } from "@ensign/contracts/common";
import type { SegmentResponse } from "@ensign/contracts/segments";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export interface SegmentFilters {
  search?: string;
  page: number;
}

export const segmentsKey = (ws: string) => [...wsKey(ws), "segments"] as const;

export const getSegments = (ws: string, filters: SegmentFilters) => api<Page<SegmentResponse>>(`/v1/workspaces/${ws}/segments`, { query: { ...filters, pageSize: 50 } });

export const getSegmentsQueryOptions = (ws: string, filters: SegmentFilters) =>
  queryOptions({ queryKey: [...segmentsKey(ws), "list", filters], queryFn: () => getSegments(ws, filters), placeholderData: keepPreviousData });

export const useSegments = (ws: string, filters: SegmentFilters) => useQuery(getSegmentsQueryOptions(ws, filters));
