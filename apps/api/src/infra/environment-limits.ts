import { AppError } from "./errors";
import type { Tx } from "./db/scoped";

/**
 * The most one environment may hold, whatever each request is allowed: every replica keeps each
 * environment it serves in memory, and server SDKs download it whole. Writes that would take an
 * environment past one of these are refused with 413 `LIMIT_EXCEEDED` naming the limit.
 */
export interface EnvironmentLimits {
  /** Targeting rules over all the environment's flags (`ENV_MAX_RULES`). */
  rules: number;
  /** Bytes of rule conditions (their JSON) and allow and deny list entries (`ENV_MAX_TARGETING_BYTES`). */
  targetingBytes: number;
  /** Tenant overrides (`ENV_MAX_TENANT_OVERRIDES`). */
  tenantOverrides: number;
  /** User overrides (`ENV_MAX_USER_OVERRIDES`). */
  userOverrides: number;
  /** Bytes of segment lists and rules over the whole workspace, which each of its environments holds (`WORKSPACE_MAX_SEGMENT_BYTES`). */
  segmentBytes: number;
}

export const DEFAULT_ENVIRONMENT_LIMITS: EnvironmentLimits = {
  rules: 10_000,
  targetingBytes: 1_048_576,
  tenantOverrides: 1_000_000,
  userOverrides: 1_000_000,
  segmentBytes: 1_048_576,
};

const VARIABLE: Record<keyof EnvironmentLimits, string> = {
  rules: "ENV_MAX_RULES",
  targetingBytes: "ENV_MAX_TARGETING_BYTES",
  tenantOverrides: "ENV_MAX_TENANT_OVERRIDES",
  userOverrides: "ENV_MAX_USER_OVERRIDES",
  segmentBytes: "WORKSPACE_MAX_SEGMENT_BYTES",
};

const WHAT: Record<keyof EnvironmentLimits, string> = {
  rules: "targeting rules",
  targetingBytes: "bytes of rule conditions and allow and deny lists",
  tenantOverrides: "tenant overrides",
  userOverrides: "user overrides",
  segmentBytes: "bytes of segment lists and rules",
};

interface Totals {
  environment_key: string;
  rules: bigint;
  targeting_bytes: bigint;
  tenant_overrides: bigint;
  user_overrides: bigint;
}

function exceeded(limit: keyof EnvironmentLimits, max: number, actual: number, where: string): AppError {
  return new AppError("LIMIT_EXCEEDED", `${where} would hold ${actual} ${WHAT[limit]}, past the limit of ${max} (${VARIABLE[limit]}).`, {
    details: { limit: VARIABLE[limit], max, actual },
  });
}

/**
 * Checks, inside a write's transaction and after its changes, that each of the environments
 * stays within the limits; throws (rolling the write back) otherwise. Call it from writes that
 * can grow an environment; writes that only remove never need it.
 */
export function createEnvironmentLimits(limits: EnvironmentLimits = DEFAULT_ENVIRONMENT_LIMITS) {
  return {
    limits,

    async assertEnvironments(tx: Tx, environmentIds: readonly string[]): Promise<void> {
      if (environmentIds.length === 0) return;
      const rows = await tx.$queryRaw<Totals[]>`
        SELECT e.key AS environment_key,
          (SELECT count(*) FROM flag_rules r JOIN flag_states s ON s.id = r.flag_state_id WHERE s.environment_id = e.id) AS rules,
          (SELECT coalesce(sum(octet_length(r.conditions::text)), 0) FROM flag_rules r JOIN flag_states s ON s.id = r.flag_state_id WHERE s.environment_id = e.id)
            + (SELECT coalesce(sum(octet_length(array_to_string(s.tenant_allow || s.tenant_deny, ','))), 0) FROM flag_states s WHERE s.environment_id = e.id)
            AS targeting_bytes,
          (SELECT count(*) FROM tenant_overrides o WHERE o.environment_id = e.id) AS tenant_overrides,
          (SELECT count(*) FROM user_overrides o WHERE o.environment_id = e.id) AS user_overrides
        FROM environments e WHERE e.id = ANY(${environmentIds as string[]}::uuid[])`;
      for (const row of rows) {
        const where = `Environment '${row.environment_key}'`;
        if (Number(row.rules) > limits.rules) throw exceeded("rules", limits.rules, Number(row.rules), where);
        if (Number(row.targeting_bytes) > limits.targetingBytes) throw exceeded("targetingBytes", limits.targetingBytes, Number(row.targeting_bytes), where);
        if (Number(row.tenant_overrides) > limits.tenantOverrides) throw exceeded("tenantOverrides", limits.tenantOverrides, Number(row.tenant_overrides), where);
        if (Number(row.user_overrides) > limits.userOverrides) throw exceeded("userOverrides", limits.userOverrides, Number(row.user_overrides), where);
      }
    },

    /** The workspace's segments, which every one of its environments holds. */
    async assertSegments(tx: Tx, workspaceId: string): Promise<void> {
      const [segments] = await tx.$queryRaw<{ bytes: bigint }[]>`
        SELECT coalesce(sum(
          octet_length(array_to_string(included_users || excluded_users || included_tenants || excluded_tenants, ',')) + octet_length(rules::text)
        ), 0) AS bytes
        FROM segments WHERE workspace_id = ${workspaceId}::uuid`;
      const bytes = Number(segments?.bytes ?? 0);
      if (bytes > limits.segmentBytes) throw exceeded("segmentBytes", limits.segmentBytes, bytes, "The workspace");
    },
  };
}

export type EnvironmentLimitsChecker = ReturnType<typeof createEnvironmentLimits>;
