import { flagsKey } from "../../../lib/query-keys";

export const tenantOverridesKey = (ws: string, env: string, flag: string) => [...flagsKey(ws, env), "detail", flag, "tenant-overrides"] as const;
export const userOverridesKey = (ws: string, env: string, flag: string) => [...flagsKey(ws, env), "detail", flag, "user-overrides"] as const;
