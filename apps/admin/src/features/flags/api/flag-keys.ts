import { envKey, wsKey } from "../../../lib/query-keys";

/** Everything about flags in one environment: lists and details both show state. */
export const flagsKey = (ws: string, env: string) => [...envKey(ws, env), "flags"] as const;
export const flagListKey = (ws: string, env: string) => [...flagsKey(ws, env), "list"] as const;
export const flagDetailKey = (ws: string, env: string, key: string) => [...flagsKey(ws, env), "detail", key] as const;
/** Environment-independent: definitions' modules and tags for the filters, and the picker of prerequisites. */
export const flagDefinitionsKey = (ws: string) => [...wsKey(ws), "flag-definitions"] as const;
/** Every environment's flags: what a definition change touches. */
export const allFlagsPredicate = (ws: string) => (query: { queryKey: readonly unknown[] }) =>
  query.queryKey[0] === "ws" && query.queryKey[1] === ws && ((query.queryKey[2] === "env" && query.queryKey[4] === "flags") || query.queryKey[2] === "flag-definitions");
