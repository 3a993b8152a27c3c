import { envKey, wsKey } from "../../../lib/query-keys";

export const tenantOverridesKey = (ws: string, env: string, flag: string) => [...envKey(ws, env), "flags", "detail", flag, "tenant-overrides"] as const;
export const userOverridesKey = (ws: string, env: string, flag: string) => [...envKey(ws, env), "flags", "detail", flag, "user-overrides"] as const;
/** An override changes the flag's status and rollout in lists, tenants' effective values, and the audit log. */
export const overrideEffects = (ws: string, env: string) => [
  [...envKey(ws, env), "flags"],
  [...envKey(ws, env), "tenants"],
  [...wsKey(ws), "audit"],
];
