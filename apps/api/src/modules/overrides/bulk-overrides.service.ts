import type { BulkChange, BulkOverridesBody, BulkOverridesResponse, OverrideSnapshot } from "@ensign/contracts/overrides";
import type { Actor, AuditRecord } from "../../infra/audit";
import type { Tx } from "../../infra/db/scoped";
import { AppError, invalid, notFound } from "../../infra/errors";
import { lookupsRepository as lookups } from "../../infra/db/lookups.repository";
import type { Write, Writer } from "../../infra/writer";
import { overridesRepository as repo, type TenantOverrideData, type TenantOverrideRow } from "./overrides.repository";
import { overrideSnapshot, requireFutureExpiry, requireVariant, sameOverride } from "./overrides.rules";
import type { OverridePowers } from "./tenant-overrides.service";
import { createEnvironmentLimits, type EnvironmentLimitsChecker } from "../../infra/environment-limits";

interface Deps {
  writing: Writer;
  limits?: EnvironmentLimitsChecker;
  now?: () => number;
}

interface Tenant {
  id: string;
  key: string;
}
interface Flag {
  id: string;
  key: string;
  offVariant: string;
}

/** One planned change; `current` is the row it changes (none for a creation). */
interface PlannedChange {
  tenant: Tenant;
  flag: Flag;
  current: TenantOverrideRow | null;
  after: TenantOverrideData | null;
  action: string;
}

const AUDIT_CHUNK = 1_000;

/**
 * One action for many tenants in one environment, in one transaction: set (or "enable" with
 * the flag's on variant), lock, unlock, clear, or disable every flag. The plan that a preview
 * answers is the plan that is applied; each changed override gets its own audit entry.
 */
export function createBulkOverridesService({ writing, limits = createEnvironmentLimits(), now = Date.now }: Deps) {

  async function tenantsOf(tx: Tx, workspaceId: string, keys: string[]): Promise<Tenant[]> {
    const rows = await repo.tenantsByKeys(tx, workspaceId, keys);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const missing = keys.flatMap((key, index) => (byKey.has(key) ? [] : [{ path: `body.tenants.${index}`, message: `no tenant '${key}' in this workspace` }]));
    if (missing.length > 0) throw invalid("Some tenants do not exist.", missing);
    return keys.map((key) => byKey.get(key)!);
  }

  async function plan(tx: Tx, workspaceId: string, environmentId: string, body: BulkOverridesBody, actor: Actor) {
    const tenants = await tenantsOf(tx, workspaceId, body.tenants);
    let flags: Flag[];
    let target: ((flag: Flag, current: TenantOverrideRow | null) => TenantOverrideData | null | undefined) | undefined;
    const skipped: BulkOverridesResponse["skipped"] = [];
    const updatedBy = actor.email ?? null;

    if (body.action === "disable_all") {
      flags = await repo.liveFlags(tx, workspaceId);
      target = (flag, current) => ({ variant: flag.offVariant, locked: current?.locked ?? false, expiresAt: null, source: "workspace_admin", updatedBy });
    } else {
      const flag = await lookups.findFlagForWrite(tx, workspaceId, body.flag);
      if (!flag || flag.archivedAt) throw invalid(`No live flag '${body.flag}'.`, [{ path: "body.flag", message: `no live flag '${body.flag}' in this workspace` }]);
      flags = [flag];
      if (body.action === "set") {
        const variant = body.variant ?? flag.onVariant;
        requireVariant(flag, variant);
        const expiresAt = requireFutureExpiry(body.expiresAt, now());
        target = (_flag, current) => ({ variant, locked: body.locked ?? current?.locked ?? false, expiresAt, source: "workspace_admin", updatedBy });
      } else if (body.action === "clear") {
        target = (_flag, current) => (current ? null : undefined);
      } else {
        const locked = body.action === "lock";
        target = (_flag, current) => (current ? { ...current, locked, updatedBy } : undefined);
      }
    }

    const existing = await repo.tenantOverridesOf(tx, workspaceId, environmentId, tenants.map((t) => t.id), flags.map((f) => f.id));
    const byPair = new Map(existing.map((row) => [`${row.tenantId}/${row.flagId}`, row]));
    const changes: PlannedChange[] = [];
    for (const tenant of tenants) {
      for (const flag of flags) {
        const current = byPair.get(`${tenant.id}/${flag.id}`) ?? null;
        const after = target(flag, current);
        if (after === undefined) {
          skipped.push({ tenant: tenant.key, flag: flag.key, reason: "the tenant has no override of this flag here" });
          continue;
        }
        if (sameOverride(overrideSnapshot(current), overrideSnapshot(after))) {
          if (body.action !== "disable_all") skipped.push({ tenant: tenant.key, flag: flag.key, reason: "already as asked" });
          continue;
        }
        const action =
          after === null ? "tenant_override.cleared" : current && current.locked !== after.locked ? (after.locked ? "tenant_override.locked" : "tenant_override.unlocked") : "tenant_override.set";
        changes.push({ tenant, flag, current, after, action });
      }
    }
    return { changes, skipped };
  }

  /** Only those who may lock may lock, unlock, or change a locked override. */
  function checkPowers(changes: PlannedChange[], powers: OverridePowers) {
    if (powers.canLock) return;
    const refused = changes.filter((c) => c.current?.locked || c.after?.locked);
    if (refused.length > 0) {
      throw new AppError("FORBIDDEN", "Locking, unlocking or changing locked overrides needs the overrides:lock capability (owners and admins).", {
        details: { overrides: refused.slice(0, 100).map((c) => ({ tenant: c.tenant.key, flag: c.flag.key })) },
      });
    }
  }

  async function apply(w: Write, environment: { id: string; key: string }, changes: PlannedChange[], actor: Actor) {
    const { tx, workspaceId } = w;
    const creations = changes.filter((c) => c.current === null && c.after !== null);
    if (creations.length > 0) {
      await repo.createTenantOverrides(
        tx,
        workspaceId,
        creations.map((c) => ({ flagId: c.flag.id, environmentId: environment.id, tenantId: c.tenant.id, ...c.after! })),
      );
    }
    const deletions = changes.filter((c) => c.current !== null && c.after === null).map((c) => c.current!.id);
    if (deletions.length > 0) await repo.deleteTenantOverrides(tx, workspaceId, deletions);
    // Updates that set the same fields go together: one statement per distinct target.
    const groups = new Map<string, { data: TenantOverrideData; ids: string[] }>();
    for (const c of changes.filter((c) => c.current !== null && c.after !== null)) {
      const data: TenantOverrideData = { variant: c.after!.variant, locked: c.after!.locked, expiresAt: c.after!.expiresAt, source: c.after!.source, updatedBy: c.after!.updatedBy };
      const key = JSON.stringify(data);
      const group = groups.get(key) ?? { data, ids: [] };
      group.ids.push(c.current!.id);
      groups.set(key, group);
    }
    for (const group of groups.values()) await repo.updateTenantOverrides(tx, workspaceId, group.ids, group.data);

    const records: AuditRecord[] = changes.map((c) => ({
      workspaceId,
      environment,
      tenant: c.tenant,
      action: c.action,
      targetType: "tenant_override",
      targetId: c.current?.id ?? null,
      targetKey: c.flag.key,
      before: overrideSnapshot(c.current),
      after: overrideSnapshot(c.after),
    }));
    for (let i = 0; i < records.length; i += AUDIT_CHUNK) await w.audit(actor, ...records.slice(i, i + AUDIT_CHUNK));
  }

  return {
    async run(workspaceId: string, envKey: string, body: BulkOverridesBody, powers: OverridePowers, actor: Actor): Promise<BulkOverridesResponse> {
      const isPreview = body.preview === true;
      return writing(
        workspaceId,
        async (tx, w) => {
          const environment = await lookups.findEnvironment(tx, workspaceId, envKey);
          if (!environment) throw notFound(`Environment '${envKey}'`);
          const { changes, skipped } = await plan(tx, workspaceId, environment.id, body, actor);
          checkPowers(changes, powers);
          if (!isPreview && changes.length > 0) {
            await apply(w, environment, changes, actor);
            await limits.assertEnvironments(tx, [environment.id]);
            await w.bump([environment.id], { flags: changes.map((c) => c.flag.id) });
          }
          const described: BulkChange[] = changes.map((c) => ({
            tenant: c.tenant.key,
            flag: c.flag.key,
            before: overrideSnapshot(c.current),
            after: overrideSnapshot(c.after) as OverrideSnapshot,
          }));
          return { action: body.action, environment: environment.key, preview: isPreview, changes: described, skipped };
        },
        { timeout: 60_000 },
      );
    },
  };
}

export type BulkOverridesService = ReturnType<typeof createBulkOverridesService>;
