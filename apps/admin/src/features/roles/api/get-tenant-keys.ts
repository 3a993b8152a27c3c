import type { Page } from "@ensign/contracts/common";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

/** The workspace's tenants, by key and name, for choosing whose roles to show. */
export const getTenantKeys = (ws: string) =>
  api<Page<{ key: string; name: string }>>(`/v1/workspaces/${ws}/tenants`, { query: { page: 1, pageSize: 200, sort: "key" } });

export const useTenantKeys = (ws: string, options: { enabled?: boolean } = {}) =>
  useQuery({ ...queryOptions({ queryKey: [...wsKey(ws), "roles", "tenant-keys"], queryFn: () => getTenantKeys(ws) }), enabled: options.enabled ?? true });
