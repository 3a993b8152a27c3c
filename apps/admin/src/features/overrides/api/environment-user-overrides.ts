import type { EnvironmentUserOverride, EnvironmentUserOverrideList } from "@ensign/contracts/overrides";
import { api } from "../../../lib/api-client";
import { flagsKey } from "../../../lib/query-keys";
import { usePagedRows } from "../../../lib/use-paged-rows";

export interface EnvironmentUserOverrideFilters {
  q?: string;
  expired?: boolean;
}

export const getEnvironmentUserOverrides = (ws: string, env: string, filters: EnvironmentUserOverrideFilters, page: number, pageSize: number) =>
  api<EnvironmentUserOverrideList>(`/v1/workspaces/${ws}/environments/${env}/user-overrides`, { query: { ...filters, page, pageSize } });

/** Under the environment's flags, which every override write invalidates (override-effects.ts). */
export const environmentUserOverridesKey = (ws: string, env: string) => [...flagsKey(ws, env), "user-overrides"] as const;

/** Every flag's user overrides in the environment, page by page as they scroll into view. */
export const useEnvironmentUserOverrides = (ws: string, env: string, filters: EnvironmentUserOverrideFilters) =>
  usePagedRows<EnvironmentUserOverride>([...environmentUserOverridesKey(ws, env), filters], (page, pageSize) => getEnvironmentUserOverrides(ws, env, filters, page, pageSize));
