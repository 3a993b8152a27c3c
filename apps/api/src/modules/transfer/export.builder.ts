import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type ExportFlagState, type WorkspaceExport } from "@ensign/contracts/export";
import type { Condition, JsonValue, RuleBody, SegmentRule, Serve, Variant } from "@ensign/contracts/targeting";
import type { Tx } from "../../infra/db/scoped";
import { exportRepository as repo } from "./export.repository";

const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

type Rows<K extends keyof typeof repo> = Awaited<ReturnType<(typeof repo)[K]>>;

function flagOf(
  flag: Rows<"flags">[number],
  schedules: Rows<"pendingSchedules">,
): WorkspaceExport["flags"][number] {
  const states: Record<string, ExportFlagState> = {};
  for (const state of flag.states) {
    states[state.environment.key] = {
      enabled: state.enabled,
      fallthrough: state.fallthrough as Serve,
      tenantAllow: state.tenantAllow,
      tenantDeny: state.tenantDeny,
      rules: state.rules.map(
        (rule): RuleBody => ({
          ...(rule.name ? { name: rule.name } : {}),
          conditions: rule.conditions as Condition[],
          serve: rule.serve as Serve,
        }),
      ),
    };
  }
  const byEnvironment: WorkspaceExport["flags"][number]["schedules"] = {};
  for (const schedule of schedules) {
    (byEnvironment[schedule.environment.key] ??= []).push({
      runAt: schedule.runAt.toISOString(),
      action: schedule.action as Record<string, JsonValue>,
      ramp: schedule.rampId,
      createdBy: schedule.createdBy,
    });
  }
  return {
    key: flag.key,
    name: flag.name,
    description: flag.description,
    module: flag.module?.key ?? null,
    type: flag.type,
    variants: flag.variants as Variant[],
    offVariant: flag.offVariant,
    onVariant: flag.onVariant,
    salt: flag.salt,
    tags: flag.tags,
    isBeta: flag.isBeta,
    tenantManageable: flag.tenantManageable,
    trackAnalytics: flag.trackAnalytics,
    feedbackUrl: flag.feedbackUrl,
    dependsOn: flag.dependsOn,
    lifecycle: flag.lifecycle,
    owner: flag.owner,
    deprecatedAt: isoOrNull(flag.deprecatedAt),
    archivedAt: isoOrNull(flag.archivedAt),
    states,
    schedules: byEnvironment,
  };
}

/**
 * The workspace as one export document, read in one transaction (a consistent picture).
 * Environments carry no signing secret; API keys, members and the audit log are left out.
 */
export async function buildExport(tx: Tx, workspaceId: string, now: Date): Promise<WorkspaceExport> {
  const workspace = await repo.workspace(tx, workspaceId);
  const environments = await repo.environments(tx, workspaceId);
  const modules = await repo.modules(tx, workspaceId);
  const flags = await repo.flags(tx, workspaceId);
  const schedules = await repo.pendingSchedules(tx, workspaceId);
  const segments = await repo.segments(tx, workspaceId);
  const tenants = await repo.tenants(tx, workspaceId);
  const tenantOverrides = await repo.tenantOverrides(tx, workspaceId);
  const userOverrides = await repo.userOverrides(tx, workspaceId);
  const identities = await repo.identities(tx, workspaceId);
  const overrideLayers = await repo.overrideLayers(tx, workspaceId);
  const overrideOrder = await repo.overrideOrder(tx, workspaceId);
  const layerOverrides = await repo.layerOverrides(tx, workspaceId);
  const schedulesOf = new Map<string, typeof schedules>();
  for (const schedule of schedules) {
    const list = schedulesOf.get(schedule.flag.key);
    if (list) list.push(schedule);
    else schedulesOf.set(schedule.flag.key, [schedule]);
  }
  return {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    exportedAt: now.toISOString(),
    workspace,
    environments,
    modules,
    flags: flags.map((flag) => flagOf(flag, schedulesOf.get(flag.key) ?? [])),
    segments: segments.map((segment) => ({ ...segment, rules: segment.rules as SegmentRule[] })),
    tenants: tenants.map((tenant) => ({
      key: tenant.key,
      name: tenant.name,
      attributes: tenant.attributes as Record<string, JsonValue>,
      modules: Object.fromEntries(tenant.modules.map((m) => [m.module.key, m.enabled])),
    })),
    tenantOverrides: tenantOverrides.map((o) => ({
      flag: o.flag.key,
      environment: o.environment.key,
      tenant: o.tenant.key,
      variant: o.variant,
      source: o.source,
      locked: o.locked,
      expiresAt: isoOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
    userOverrides: userOverrides.map((o) => ({
      flag: o.flag.key,
      environment: o.environment.key,
      userKey: o.userKey,
      variant: o.variant,
      expiresAt: isoOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
    identities: identities.map((identity) => ({
      environment: identity.environment.key,
      key: identity.key,
      traits: identity.traits as Record<string, JsonValue>,
    })),
    overrideLayers,
    overrideOrder,
    layerOverrides: layerOverrides.map((o) => ({
      flag: o.flag.key,
      environment: o.environment.key,
      layer: o.layer.key,
      value: o.value,
      variant: o.variant,
      locked: o.locked,
      expiresAt: isoOrNull(o.expiresAt),
      updatedBy: o.updatedBy,
    })),
  };
}
