import type { LayerOverrideListResponse, LayerOverrideResponse, SetLayerOverrideBody } from "@ensign/contracts/layers";
import type { Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import { AppError, invalid, notFound } from "../../infra/errors";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import { flagInEnvironment, lockRequired, requireFutureExpiry, requireVariant } from "../overrides/overrides.rules";
import type { OverridePowers } from "../overrides/tenant-overrides.service";
import type { Write, Writer } from "../../infra/writer";
import type { LayerOverridesRepository } from "./layer-overrides.repository";
import type { LayerOverrideRow } from "./layers.repository";

export interface LayerOverridesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: LayerOverridesRepository;
  now?: () => number;
}

/** Names one layer override: flag, environment, layer and value. */
export interface LayerOverrideRef {
  flag: string;
  env: string;
  layer: string;
  value: string;
}

const audited = (layer: string, row: Pick<LayerOverrideRow, "value" | "variant" | "locked" | "expiresAt">) => ({
  layer,
  value: row.value,
  variant: row.variant,
  locked: row.locked,
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

function toResponse(row: LayerOverrideRow, ref: Omit<LayerOverrideRef, "value">, now: number): LayerOverrideResponse {
  return {
    id: row.id,
    flag: ref.flag,
    environment: ref.env,
    layer: ref.layer,
    value: row.value,
    variant: row.variant,
    locked: row.locked,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    isExpired: row.expiresAt !== null && row.expiresAt.getTime() <= now,
    updatedBy: row.updatedBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * A flag's overrides for the values of an override layer in one environment. Like a tenant's
 * override: optional expiry, and a lock (here: the override wins over every other override and
 * rule) that only members who may lock can set, change or clear.
 */
export function createLayerOverridesService({ reading, writing, repo, now = Date.now }: LayerOverridesServiceDeps) {
  async function resolveLayer(tx: Tx, workspaceId: string, ref: Omit<LayerOverrideRef, "value">, isWrite: boolean) {
    const { flag, environment } = await flagInEnvironment(tx, workspaceId, ref.flag, ref.env, { isWrite }, repo);
    const layer = await repo.findLayer(tx, workspaceId, ref.layer);
    if (!layer) throw notFound(`Override layer '${ref.layer}'`);
    return { flag, environment, layer };
  }

  async function resolve(tx: Tx, workspaceId: string, ref: LayerOverrideRef, isWrite: boolean) {
    const found = await resolveLayer(tx, workspaceId, ref, isWrite);
    const current = await repo.find(tx, workspaceId, { flagId: found.flag.id, environmentId: found.environment.id, layerId: found.layer.id, value: ref.value });
    return { ...found, current };
  }

  const what = (ref: LayerOverrideRef) => `The override of '${ref.flag}' for ${ref.layer} '${ref.value}' in '${ref.env}'`;

  function audit(w: Write, workspaceId: string, target: Awaited<ReturnType<typeof resolve>>, id: string, action: string, before: unknown, after: unknown, actor: Actor) {
    return w.audit(actor, { workspaceId, environment: target.environment, action, targetType: "layer_override", targetId: id, targetKey: target.flag.key, before, after });
  }

  return {
    /** The layer's overrides in the order of its values. */
    async list(workspaceId: string, ref: Omit<LayerOverrideRef, "value">): Promise<LayerOverrideListResponse> {
      return reading(workspaceId, async (tx) => {
        const { flag, environment, layer } = await resolveLayer(tx, workspaceId, ref, false);
        const rows = await repo.list(tx, workspaceId, flag.id, environment.id, layer.id);
        const rank = (value: string) => (layer.values.includes(value) ? layer.values.indexOf(value) : layer.values.length);
        rows.sort((a, b) => rank(a.value) - rank(b.value) || a.value.localeCompare(b.value));
        const at = now();
        return { items: rows.map((row) => toResponse(row, ref, at)) };
      });
    },

    async get(workspaceId: string, ref: LayerOverrideRef): Promise<LayerOverrideResponse> {
      return reading(workspaceId, async (tx) => {
        const { current } = await resolve(tx, workspaceId, ref, false);
        if (!current) throw notFound(what(ref));
        return toResponse(current, ref, now());
      });
    },

    /** Sets the override for one value; an existing one needs `If-Match`, and `locked` absent keeps its lock. */
    async set(workspaceId: string, ref: LayerOverrideRef, body: SetLayerOverrideBody, expected: number | undefined, powers: OverridePowers, actor: Actor) {
      return writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const { flag, environment, layer, current } = target;
        if (!layer.values.includes(ref.value)) {
          throw invalid(`Layer '${layer.key}' has no value '${ref.value}'.`, [{ path: "params.value", message: `must be one of the layer's values: ${layer.values.join(", ")}` }]);
        }
        if (current && expected === undefined) {
          throw new AppError("PRECONDITION_REQUIRED", `${what(ref)} exists: send If-Match with the version you read, e.g. If-Match: "${current.version}".`);
        }
        if (expected !== undefined && (current?.version ?? 0) !== expected) throw staleVersion(what(ref), current?.version ?? 0);
        requireVariant(flag, body.variant);
        const locked = body.locked ?? current?.locked ?? false;
        if (!powers.canLock && (current?.locked || locked)) throw lockRequired(current?.locked ? "Changing a locked override" : "Locking an override");
        const data = { variant: body.variant, locked, expiresAt: requireFutureExpiry(body.expiresAt, now()), updatedBy: actor.email ?? null };
        if (current && JSON.stringify(audited(layer.key, current)) === JSON.stringify(audited(layer.key, { value: ref.value, ...data }))) {
          return { override: toResponse(current, ref, now()), isCreated: false };
        }
        const key = { flagId: flag.id, environmentId: environment.id, layerId: layer.id, value: ref.value };
        let row: LayerOverrideRow;
        if (current) {
          if (!(await repo.update(tx, workspaceId, current.id, current.version, data))) throw staleVersion(what(ref), current.version + 1);
          row = (await repo.find(tx, workspaceId, key))!;
        } else {
          row = await translating(what(ref), () => repo.create(tx, workspaceId, key, data));
        }
        await audit(w, workspaceId, target, row.id, "layer_override.set", current ? audited(layer.key, current) : null, audited(layer.key, row), actor);
        await w.bump([environment.id], { flags: [flag.id] });
        return { override: toResponse(row, ref, now()), isCreated: !current };
      });
    },

    /** Clears the override: the value follows the rest of the order again. `If-Match` is optional. */
    async clear(workspaceId: string, ref: LayerOverrideRef, expected: number | undefined, powers: OverridePowers, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const target = await resolve(tx, workspaceId, ref, true);
        const current = target.current;
        if (!current) throw notFound(what(ref));
        if (expected !== undefined && current.version !== expected) throw staleVersion(what(ref), current.version);
        if (current.locked && !powers.canLock) throw lockRequired("Clearing a locked override");
        if (!(await repo.delete(tx, workspaceId, current.id, current.version))) throw staleVersion(what(ref), current.version + 1);
        await audit(w, workspaceId, target, current.id, "layer_override.cleared", audited(target.layer.key, current), null, actor);
        await w.bump([target.environment.id], { flags: [target.flag.id] });
      });
    },
  };
}

export type LayerOverridesService = ReturnType<typeof createLayerOverridesService>;
