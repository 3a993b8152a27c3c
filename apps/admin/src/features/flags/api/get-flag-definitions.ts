import type { FlagList, FlagListItem } from "@ensign/contracts/flags";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { flagDefinitionsKey } from "./flag-keys";

/** Every live flag's definition (first 200): options for filters and for the prerequisites picker. */
export const getFlagDefinitions = async (ws: string): Promise<FlagListItem[]> =>
  (await api<FlagList>(`/v1/workspaces/${ws}/flags`, { query: { pageSize: 200, sort: "name", env: undefined } })).items;

export const getFlagDefinitionsQueryOptions = (ws: string) =>
  queryOptions({ queryKey: flagDefinitionsKey(ws), queryFn: () => getFlagDefinitions(ws), staleTime: 60_000 });

export function useFlagDefinitions(ws: string) {
  return useQuery(getFlagDefinitionsQueryOptions(ws));
}

/** Distinct modules and tags among the definitions. */
export function facetsOf(flags: FlagListItem[] | undefined) {
  const modules = new Set<string>();
  const tags = new Set<string>();
  for (const f of flags ?? []) {
    if (f.module) modules.add(f.module);
    for (const t of f.tags) tags.add(t);
  }
  return { modules: [...modules].sort(), tags: [...tags].sort() };
}
