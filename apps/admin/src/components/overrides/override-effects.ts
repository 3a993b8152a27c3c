import { auditKey, flagsKey, tenantsKey } from "../../lib/query-keys";

/**
 * What any override write changes in its environment: flags' status and rollout in lists and
 * details (each flag's override lists live under its detail), tenants' effective values, and
 * the audit log.
 */
export const overrideEffects = (ws: string, env: string) => [flagsKey(ws, env), tenantsKey(ws, env), auditKey(ws)];
