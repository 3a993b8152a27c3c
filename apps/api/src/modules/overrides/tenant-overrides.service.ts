import type {
  ListTenantOverridesQuery,
  SetTenantOverrideBody,
  TenantOverrideListResponse,
  TenantOverrideResponse,
} from "@ensign/contracts/overrides";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";
import { AppError, notFound } from "../../infra/errors";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import type { Write, Writer } from "../../infra/writer";
import type { TenantOverrideData, TenantOverrideRow } from "./overrides.repository";
import {
  flagInEnvironment,
  lockRequired,
  overrideSnapshot,
  requireFutureExpiry,
  requireVariant,
  sameOverride,
  toTenantOverrideResponse,
} from "./overrides.rules";
import type { TenantOverridesRepository } from "./tenant-overrides.repository";

export interface TenantOverridesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: TenantOverridesRepository;
  limits: Pick<EnvironmentLimitsChecker, "assertEnvironments">;
  now?: () => number;
}

/** Names one tenant override: flag, environment and tenant keys. */
export interface TenantOverrideRef {
  flag: string;
  env: string;
  tenant: string;
}

/** What the caller may do beyond `overrides:write`. */
export interface OverridePowers {
  /** Holds `overrides:lock`: may lock, unlock, and change or clear a locked override. */
  canLock: boolean;
}

/**
 * A workspace admin's overrides of one flag for one tenant in one environment. A locked
 * override is the workspace's word: tenant admins cannot change it, and among workspace members
 * only those who may lock may change or clear it.
 */
export function createTenantOverridesService({ reading, writing, repo, limits, now = Date.now }: TenantOverridesServiceDeps) {
  async function resolve(tx: Tx, workspaceId: string, ref: TenantOverrideRef, isWrite: boolean) {
    const { flag, environment } = await flagInEnvironment(tx, workspaceId, ref.flag, ref.env, { isWrite }, repo);
    const tenant = await repo.findTenant(tx, workspaceId, ref.tenant);
    if (!tenant) throw notFound(`Tenant '${ref.tenant}'`);
    const current = await repo.find(tx, workspaceId, { flagId: flag.id, environmentId: environment.id, tenantId: tenant.id });
    return { flag, environment, tenant, current };
  }

  function requireExisting(current: TenantOverrideRow | null, ref: TenantOverrideRef): TenantOverrideRow {
    if (!current) throw notFound(`The override of '${ref.flag}' for tenant '${ref.tenant}' in '${ref.env}'`);
    return current;
  }

  function checkVersion(current: TenantOverrideRow | null, expected: number | undefined, ref: TenantOverrideRef, options: { isRequired: boolean }) {
    const what = `The override of '${ref.flag}' for tenant '${ref.tenant}'`;
    if (current && expected === undefined && options.isRequired) {
      throw new AppError("PRECONDITION_REQUIRED", `${what} exists: send If-Match with the version you read, e.g. If-Match: "${current.version}".`);
    }
    if (expected !== undefined && (current?.version ?? 0) !== expected) throw staleVersion(what, current?.version ?? 0);
  }

  /** Applies a change to an existing override, audits it and bumps the environment. */
  async function change(
    w: Write,
    target: Awaited<ReturnType<typeof resolve>>,
    current: TenantOverrideRow,
    data: Partial<TenantOverrideData>,
    action: string,
    actor: Actor,
  ) {
    const { tx, workspaceId } = w;
    if (!(await repo.update(tx, workspaceId, current.id, current.version, data))) {
      throw staleVersion(`The override of '${target.flag.key}' for tenant '${target.tenant.key}'`, current.version + 1);
    }
    const updated = (await repo.find(tx, workspaceId, { flagId: target.flag.id, environmentId: target.environment.id, tenantId: target.tenant.id }))!;
    await audit(w, workspaceId, target, updated.id, action, overrideSnapshot(current), overrideSnapshot(updated), actor);
    return updated;
  }

  function audit(w: Write, workspaceId: string, target: Awaited<ReturnType<typeof resolve>>, id: string, action: string, before: unknown, after: unknown, actor: Actor) {
    return w.audit(actor, {
      workspaceId,
      environment: target.environment,
      tenant: target.tenant,
      action,
      targetType: "tenant_override",
      targetId: id,
      targetKey: target.flag.key,
      before,
      after,
    });
  }

  return {
    async list(workspaceId: string, flagKey: string, envKey: string, query: ListTenantOverridesQuery): Promise<TenantOverrideListResponse> {
      return reading(workspaceId, async (tx) => {
        const { flag, environment } = await flagInEnvironment(tx, workspaceId, flagKey, envKey, { isWrite: false }, repo);
        const filter = { flagId: flag.id, environmentId: environment.id, locked: query.locked, source: query.source, variant: query.variant, search: query.search };
        const { total, items } = await repo.list(tx, workspaceId, filter, (query.page - 1) * query.pageSize, query.pageSize);
        const at = now();
        return { items: items.map((row) => toTenantOverrideResponse(row, flag.key, environment.key, at)), total, page: query.page, pageSize: query.pageSize };
      });
    },

    async get(workspaceId: string, ref: TenantOverrideRef): Promise<TenantOverrideResponse> {
      return reading(workspaceId, async (tx) => {
        const { current } = await resolve(tx, workspaceId, ref, false);
        return toTenantOverrideResponse(requireExisting(current, ref), ref.flag, ref.env, now());
      });
    },

    /**
     * Sets the tenant's override (source `workspace_admin`). An existing override needs
     * `If-Match`; `locked` absent keeps its lock.
     */
    async set(
      workspaceId: string,
      ref: TenantOverrideRef,
      body: SetTenantOverrideBody,
      expected: number | undefined,
      powers: OverridePowers,
      actor: Actor,
    ): Promise<{ override: TenantOverrideResponse; isCreated: boolean }> {
      return writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const { flag, environment, tenant, current } = target;
        checkVersion(current, expected, ref, { isRequired: true });
        requireVariant(flag, body.variant);
        const expiresAt = requireFutureExpiry(body.expiresAt, now());
        const locked = body.locked ?? current?.locked ?? false;
        if (!powers.canLock && (current?.locked || locked)) throw lockRequired(current?.locked ? "Changing a locked override" : "Locking an override");
        const data = { variant: body.variant, locked, expiresAt, source: "workspace_admin" as const, updatedBy: actor.email ?? null };
        if (current && sameOverride(overrideSnapshot(current), overrideSnapshot(data))) {
          return { override: toTenantOverrideResponse(current, flag.key, environment.key, now()), isCreated: false };
        }
        let row: TenantOverrideRow;
        if (current) {
          row = await change(w, target, current, data, "tenant_override.set", actor);
        } else {
          row = await translating(`The override of '${flag.key}' for tenant '${tenant.key}'`, () =>
            repo.create(tx, workspaceId, { flagId: flag.id, environmentId: environment.id, tenantId: tenant.id }, data),
          );
          await audit(w, workspaceId, target, row.id, "tenant_override.set", null, overrideSnapshot(row), actor);
          await limits.assertEnvironments(tx, [environment.id]);
        }
        await w.bump([environment.id], { flags: [flag.id] });
        return { override: toTenantOverrideResponse(row, flag.key, environment.key, now()), isCreated: !current };
      });
    },

    /** Locks or unlocks an existing override; `If-Match` is optional. */
    async setLocked(workspaceId: string, ref: TenantOverrideRef, locked: boolean, expected: number | undefined, actor: Actor): Promise<TenantOverrideResponse> {
      return writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const current = requireExisting(target.current, ref);
        checkVersion(current, expected, ref, { isRequired: false });
        if (current.locked === locked) return toTenantOverrideResponse(current, ref.flag, ref.env, now());
        const updated = await change(w, target, current, { locked, updatedBy: actor.email ?? null }, locked ? "tenant_override.locked" : "tenant_override.unlocked", actor);
        await w.bump([target.environment.id], { flags: [target.flag.id] });
        return toTenantOverrideResponse(updated, ref.flag, ref.env, now());
      });
    },

    /** Clears the override: the tenant follows the flag's state again. `If-Match` is optional. */
    async clear(workspaceId: string, ref: TenantOverrideRef, expected: number | undefined, powers: OverridePowers, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const current = requireExisting(target.current, ref);
        checkVersion(current, expected, ref, { isRequired: false });
        if (current.locked && !powers.canLock) throw lockRequired("Clearing a locked override");
        if (!(await repo.delete(tx, workspaceId, current.id, current.version))) throw staleVersion("The override", current.version + 1);
        await audit(w, workspaceId, target, current.id, "tenant_override.cleared", overrideSnapshot(current), null, actor);
        await w.bump([target.environment.id], { flags: [target.flag.id] });
      });
    },
  };
}

export type TenantOverridesService = ReturnType<typeof createTenantOverridesService>;
