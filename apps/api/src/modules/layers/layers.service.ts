import type { CreateLayerBody, LayerListResponse, LayerResponse, OverrideOrderResponse, UpdateLayerBody } from "@ensign/contracts/layers";
import { MAX_LAYERS } from "@ensign/contracts/layers";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import { AppError, invalid, notFound } from "../../infra/errors";
import { iso } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import type { Writer } from "../../infra/writer";
import { effectiveOrder, isDefault, requireCompleteOrder, withLayer } from "./override-order";
import type { LayerRow, LayersRepository } from "./layers.repository";

export function toLayerResponse(row: LayerRow): LayerResponse {
  const { _count, ...rest } = row;
  return { ...rest, overrideCount: _count.overrides, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

const audited = (row: Pick<LayerRow, "key" | "name" | "description" | "attribute" | "values">) => ({
  key: row.key,
  name: row.name,
  description: row.description,
  attribute: row.attribute,
  values: row.values,
});
/** What is stored for an order: nothing for the default one, so it follows the layers as they come and go. */
const storable = (order: string[], layerKeys: string[]) => (isDefault(order, layerKeys) ? [] : order);
const target = (row: LayerRow) => ({ targetType: "override_layer", targetId: row.id, targetKey: row.key });

export interface LayersServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: LayersRepository;
}

/**
 * A workspace's override layers and its override order. Every change reaches every
 * environment's snapshot (the layers and the order are part of it), in the write's transaction.
 */
export function createLayersService({ reading, writing, repo }: LayersServiceDeps) {
  async function requireLayer(tx: Tx, workspaceId: string, key: string) {
    const row = await repo.findByKey(tx, workspaceId, key);
    if (!row) throw notFound(`Override layer '${key}'`);
    return row;
  }

  async function orderOf(tx: Tx, workspaceId: string): Promise<OverrideOrderResponse> {
    const keys = (await repo.list(tx, workspaceId)).map((layer) => layer.key);
    const order = effectiveOrder(await repo.storedOrder(tx, workspaceId), keys);
    return { order, isDefaultOrder: isDefault(order, keys) };
  }

  return {
    async list(workspaceId: string): Promise<LayerListResponse> {
      return reading(workspaceId, async (tx) => {
        const rows = await repo.list(tx, workspaceId);
        const keys = rows.map((row) => row.key);
        const order = effectiveOrder(await repo.storedOrder(tx, workspaceId), keys);
        return { items: rows.map(toLayerResponse), order, isDefaultOrder: isDefault(order, keys) };
      });
    },

    async get(workspaceId: string, key: string): Promise<LayerResponse> {
      return toLayerResponse(await reading(workspaceId, (tx) => requireLayer(tx, workspaceId, key)));
    },

    /** A new layer takes its default place, just ahead of the tenant step. */
    async create(workspaceId: string, body: CreateLayerBody, actor: Actor): Promise<LayerResponse> {
      return translating(`Override layer '${body.key}'`, () =>
        writing(workspaceId, async (tx, w) => {
          const stored = await repo.lockedOrder(tx, workspaceId);
          const existing = await repo.list(tx, workspaceId);
          if (existing.length >= MAX_LAYERS) throw new AppError("CONFLICT", `A workspace has at most ${MAX_LAYERS} override layers.`);
          if (existing.some((layer) => layer.key === body.key)) throw new AppError("CONFLICT", `Override layer '${body.key}' already exists.`);
          const attribute = body.attribute ?? body.key;
          const clash = existing.find((layer) => layer.attribute === attribute);
          if (clash) throw invalid(`Layer '${clash.key}' already reads '${attribute}'.`, [{ path: "body.attribute", message: "another layer reads this attribute" }]);
          const row = await repo.create(tx, workspaceId, { key: body.key, name: body.name, description: body.description ?? "", attribute, values: body.values });
          if (stored.length > 0) await repo.saveOrder(tx, workspaceId, storable(withLayer(stored, row.key), [...existing.map((l) => l.key), row.key]));
          await w.audit(actor, { workspaceId, action: "override_layer.created", ...target(row), after: audited(row) });
          await w.bump();
          return toLayerResponse(row);
        }),
      );
    },

    /** Renames, describes, re-points or changes the values; a value that still has overrides stays. */
    async update(workspaceId: string, key: string, expectedVersion: number, body: UpdateLayerBody, actor: Actor): Promise<LayerResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await requireLayer(tx, workspaceId, key);
        if (body.values) {
          const dropped = current.values.filter((value) => !body.values!.includes(value));
          const inUse = dropped.length === 0 ? [] : await repo.overridesByValue(tx, workspaceId, current.id, dropped);
          if (inUse.length > 0) {
            throw new AppError("CONFLICT", `Values of layer '${key}' still have overrides: ${inUse.map((v) => `${v.value} (${v.count})`).join(", ")}. Clear them first.`, {
              details: { values: inUse },
            });
          }
        }
        if (body.attribute !== undefined && body.attribute !== current.attribute) {
          const clash = (await repo.list(tx, workspaceId)).find((layer) => layer.attribute === body.attribute);
          if (clash) throw invalid(`Layer '${clash.key}' already reads '${body.attribute}'.`, [{ path: "body.attribute", message: "another layer reads this attribute" }]);
        }
        const data = { name: body.name, description: body.description === null ? "" : body.description, attribute: body.attribute, values: body.values };
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, data);
        if (!updated) throw staleVersion(`Override layer '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "override_layer.updated", ...target(current), ...changes(audited(current), data) });
        if (body.attribute !== undefined || body.values !== undefined) await w.bump();
        return toLayerResponse(updated);
      });
    },

    /** Deletes the layer with its overrides, each named in the audit entry, and takes it out of the order. */
    async delete(workspaceId: string, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const stored = await repo.lockedOrder(tx, workspaceId);
        const current = await requireLayer(tx, workspaceId, key);
        const overrides = await repo.overridesOf(tx, workspaceId, current.id);
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Override layer '${key}'`, current.version);
        if (stored.length > 0) {
          const remaining = (await repo.list(tx, workspaceId)).map((layer) => layer.key);
          await repo.saveOrder(tx, workspaceId, storable(stored.filter((step) => step !== key), remaining));
        }
        await w.audit(
          actor,
          { workspaceId, action: "override_layer.deleted", ...target(current), before: { ...audited(current), overrideCount: overrides.length } },
          ...overrides.map((o) => ({
            workspaceId,
            environment: o.environment,
            action: "layer_override.cleared",
            targetType: "layer_override",
            targetId: o.id,
            targetKey: o.flag.key,
            before: { layer: key, value: o.value, variant: o.variant, locked: o.locked, expiresAt: o.expiresAt?.toISOString() ?? null },
          })),
        );
        await w.bump();
      });
    },

    order(workspaceId: string): Promise<OverrideOrderResponse> {
      return reading(workspaceId, (tx) => orderOf(tx, workspaceId));
    },

    /** Replaces the override order; it must name user, tenant, rules and every layer once. */
    async setOrder(workspaceId: string, order: string[], actor: Actor): Promise<OverrideOrderResponse> {
      return writing(workspaceId, async (tx, w) => {
        const stored = await repo.lockedOrder(tx, workspaceId);
        const keys = (await repo.list(tx, workspaceId)).map((layer) => layer.key);
        requireCompleteOrder(order, keys);
        const before = effectiveOrder(stored, keys);
        const isDefaultOrder = isDefault(order, keys);
        if (before.join() === order.join()) return { order, isDefaultOrder };
        await repo.saveOrder(tx, workspaceId, storable(order, keys));
        await w.audit(actor, { workspaceId, action: "override_order.updated", targetType: "workspace", targetId: workspaceId, before: { order: before }, after: { order } });
        await w.bump();
        return { order, isDefaultOrder };
      });
    },
  };
}

export type LayersService = ReturnType<typeof createLayersService>;
