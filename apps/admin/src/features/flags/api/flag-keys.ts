import type { QueryClient } from "@tanstack/react-query";
import { flagsKey, inEveryEnvironment, wsKey } from "../../../lib/query-keys";

export const flagListKey = (ws: string, env: string) => [...flagsKey(ws, env), "list"] as const;
export const flagDetailKey = (ws: string, env: string, key: string) => [...flagsKey(ws, env), "detail", key] as const;
/** Environment-independent: definitions' modules and tags for the filters, and the picker of prerequisites. */
export const flagDefinitionsKey = (ws: string) => [...wsKey(ws), "flag-definitions"] as const;
/** What a definition change touches: the definitions, and every environment's flags. */
export const allFlagsKeys = (queryClient: QueryClient, ws: string) => [flagDefinitionsKey(ws), ...inEveryEnvironment(queryClient, ws, (env) => flagsKey(ws, env))];
