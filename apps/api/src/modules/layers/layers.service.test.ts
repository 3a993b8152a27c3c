import { MAX_LAYERS, type CreateLayerBody } from "@ensign/contracts/layers";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, production, staging, versionedWrites, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import type { LayerOverrideOfLayer, LayerRow, LayersRepository } from "./layers.repository";
import { createLayersService } from "./layers.service";

type StoredLayer = Omit<LayerRow, "_count"> & { workspaceId: string };
type StoredOverride = LayerOverrideOfLayer & { workspaceId: string; layerId: string };

/** The repository in memory: layers in the order they were made, their overrides, and each workspace's stored order. */
function fakeRepository() {
  const layers: StoredLayer[] = [];
  const overrides: StoredOverride[] = [];
  const orders = new Map<string, string[]>();
  /** Workspaces whose order was read locked. */
  const locks: string[] = [];
  let ids = 0;
  const { inScope, strip } = workspaceRows(layers);
  const toRow = (layer: StoredLayer): LayerRow => ({ ...strip(layer), _count: { overrides: overrides.filter((o) => o.layerId === layer.id).length } });

  const repo: LayersRepository = {
    async list(_tx, workspaceId) {
      return inScope(workspaceId).map(toRow);
    },
    async findByKey(_tx, workspaceId, key) {
      const layer = inScope(workspaceId).find((l) => l.key === key);
      return layer ? toRow(layer) : null;
    },
    async lockedOrder(_tx, workspaceId) {
      locks.push(workspaceId);
      return [...(orders.get(workspaceId) ?? [])];
    },
    async storedOrder(_tx, workspaceId) {
      return [...(orders.get(workspaceId) ?? [])];
    },
    async saveOrder(_tx, workspaceId, order) {
      orders.set(workspaceId, [...order]);
    },
    async create(_tx, workspaceId, data) {
      const at = new Date(NOW);
      const layer: StoredLayer = { ...structuredClone(data), workspaceId, id: `layer-${++ids}`, version: 1, createdAt: at, updatedAt: at };
      layers.push(layer);
      return toRow(layer);
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const defined = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
      if (!(await versionedWrites(layers).update(_tx, workspaceId, id, expectedVersion, defined))) return null;
      return toRow(layers.find((l) => l.id === id)!);
    },
    async delete(tx, workspaceId, id, expectedVersion) {
      const isDeleted = await versionedWrites(layers).delete(tx, workspaceId, id, expectedVersion);
      if (isDeleted) overrides.splice(0, overrides.length, ...overrides.filter((o) => o.layerId !== id));
      return isDeleted;
    },
    async overridesByValue(_tx, workspaceId, layerId, values) {
      const counts = new Map<string, number>();
      for (const o of overrides) if (o.workspaceId === workspaceId && o.layerId === layerId && values.includes(o.value)) counts.set(o.value, (counts.get(o.value) ?? 0) + 1);
      return [...counts].map(([value, count]) => ({ value, count }));
    },
    async overridesOf(_tx, workspaceId, layerId) {
      return overrides
        .filter((o) => o.workspaceId === workspaceId && o.layerId === layerId)
        .sort((a, b) => a.value.localeCompare(b.value))
        .map(({ workspaceId: _w, layerId: _l, ...o }) => structuredClone(o));
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ layers, overrides, orders: [...orders] });
      return () => {
        layers.splice(0, layers.length, ...saved.layers);
        overrides.splice(0, overrides.length, ...saved.overrides);
        orders.clear();
        for (const [workspaceId, order] of saved.orders) orders.set(workspaceId, order);
      };
    },
  };
  /** Puts an override of `flag` for `value` of the layer in memory. */
  function addOverride(layerId: string, value: string, flag: string, environment = production) {
    const at = new Date(NOW);
    overrides.push({
      workspaceId: WS,
      layerId,
      id: `lo-${++ids}`,
      value,
      variant: "on",
      locked: false,
      expiresAt: null,
      updatedBy: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
      flag: { key: flag },
      environment: { id: environment.id, key: environment.key },
    });
  }
  return { repo, rows, layers, overrides, orders, locks, addOverride };
}

const body = (key: string, fields: Partial<CreateLayerBody> = {}): CreateLayerBody => ({ key, name: key, values: ["a", "b"], ...fields });

describe("layers service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createLayersService>;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createLayersService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
  });

  it("creates a layer reading its key by default, audited as the caller and bumped in every environment", async () => {
    const created = await service.create(WS, body("region", { description: "Sales regions", values: ["emea", "apac"] }), admin);
    expect(created).toMatchObject({ key: "region", attribute: "region", description: "Sales regions", values: ["emea", "apac"], overrideCount: 0, version: 1 });
    expect(fake.locks).toEqual([WS]);
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        action: "override_layer.created",
        targetType: "override_layer",
        targetId: created.id,
        targetKey: "region",
        after: { key: "region", name: "region", description: "Sales regions", attribute: "region", values: ["emea", "apac"] },
      },
    ]);
    expect(writer.committed.bumped).toEqual([["*"]]);
    // The default order stays unstored, so it follows the layers as they come and go.
    expect(fake.orders.size).toBe(0);
    expect(await service.order(WS)).toEqual({ order: ["user", "region", "tenant", "rules"], isDefaultOrder: true });
  });

  it("refuses a taken key, an attribute another layer reads, and a layer past the most a workspace may have", async () => {
    await service.create(WS, body("region"), admin);
    expect((await refusal(service.create(WS, body("region", { attribute: "area" }), admin))).code).toBe("CONFLICT");
    const clash = await refusal(service.create(WS, body("area", { attribute: "region" }), admin));
    expect(clash.code).toBe("VALIDATION_FAILED");
    expect(clash.details).toEqual({ issues: [{ path: "body.attribute", message: "another layer reads this attribute" }] });
    for (let i = 1; i < MAX_LAYERS; i++) await service.create(WS, body(`layer-${i}`), admin);
    const tooMany = await refusal(service.create(WS, body("one-more"), admin));
    expect(tooMany.message).toBe(`A workspace has at most ${MAX_LAYERS} override layers.`);
    expect(fake.layers).toHaveLength(MAX_LAYERS);
    expect(writer.committed.audit).toHaveLength(MAX_LAYERS);
  });

  it("puts a new layer just ahead of the tenant step of a stored order", async () => {
    await service.create(WS, body("region"), admin);
    await service.setOrder(WS, ["region", "user", "tenant", "rules"], admin);
    await service.create(WS, body("plan"), admin);
    expect(fake.orders.get(WS)).toEqual(["region", "user", "plan", "tenant", "rules"]);
    expect(await service.list(WS)).toMatchObject({ order: ["region", "user", "plan", "tenant", "rules"], isDefaultOrder: false });
  });

  it("updates under the version read, audits what changed, and bumps only when what evaluation reads changed", async () => {
    const created = await service.create(WS, body("region"), admin);
    const stale = await refusal(service.update(WS, "region", 3, { name: "Regions" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });

    const renamed = await service.update(WS, "region", 1, { name: "Regions", description: null }, admin);
    expect(renamed).toMatchObject({ name: "Regions", description: "", version: 2 });
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: WS,
      action: "override_layer.updated",
      targetType: "override_layer",
      targetId: created.id,
      targetKey: "region",
      before: { name: "region" },
      after: { name: "Regions" },
    });
    expect(writer.committed.bumped).toEqual([["*"]]);

    await service.update(WS, "region", 2, { values: ["a", "b", "c"] }, admin);
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
    expect((await refusal(service.update(WS, "nowhere", 1, { name: "x" }, admin))).code).toBe("NOT_FOUND");
  });

  it("refuses to drop values that still have overrides, naming them, or to read another layer's attribute", async () => {
    const region = await service.create(WS, body("region", { values: ["emea", "apac", "amer"] }), admin);
    await service.create(WS, body("plan"), admin);
    fake.addOverride(region.id, "emea", "checkout");
    fake.addOverride(region.id, "emea", "search", staging);
    const inUse = await refusal(service.update(WS, "region", 1, { values: ["apac"] }, admin));
    expect(inUse.code).toBe("CONFLICT");
    expect(inUse.message).toBe("Values of layer 'region' still have overrides: emea (2). Clear them first.");
    expect(inUse.details).toEqual({ values: [{ value: "emea", count: 2 }] });

    expect((await refusal(service.update(WS, "region", 1, { attribute: "plan" }, admin))).code).toBe("VALIDATION_FAILED");
    expect(fake.layers[0]).toMatchObject({ values: ["emea", "apac", "amer"], attribute: "region", version: 1 });

    await service.update(WS, "region", 1, { values: ["emea"] }, admin);
    expect(fake.layers[0]!.values).toEqual(["emea"]);
  });

  it("deletes a layer with its overrides, each named in the audit, and takes it out of a stored order", async () => {
    const region = await service.create(WS, body("region", { values: ["emea", "apac"] }), admin);
    await service.create(WS, body("plan"), admin);
    await service.setOrder(WS, ["region", "plan", "user", "tenant", "rules"], admin);
    fake.addOverride(region.id, "emea", "checkout");
    const overrideId = fake.overrides[0]!.id;
    expect((await refusal(service.delete(WS, "region", 2, admin))).code).toBe("VERSION_MISMATCH");
    expect(fake.layers).toHaveLength(2);

    await service.delete(WS, "region", 1, admin);
    expect(fake.layers.map((l) => l.key)).toEqual(["plan"]);
    expect(fake.overrides).toEqual([]);
    expect(fake.orders.get(WS)).toEqual(["plan", "user", "tenant", "rules"]);
    expect(writer.committed.audit.slice(-2)).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        action: "override_layer.deleted",
        targetType: "override_layer",
        targetId: region.id,
        targetKey: "region",
        before: { key: "region", name: "region", description: "", attribute: "region", values: ["emea", "apac"], overrideCount: 1 },
      },
      {
        actor: admin,
        workspaceId: WS,
        environment: { id: production.id, key: "production" },
        action: "layer_override.cleared",
        targetType: "layer_override",
        targetId: overrideId,
        targetKey: "checkout",
        before: { layer: "region", value: "emea", variant: "on", locked: false, expiresAt: null },
      },
    ]);
    expect(writer.committed.bumped.at(-1)).toEqual(["*"]);
  });

  it("stores an order back to the default as none, audits a change of order, and writes nothing when it is the same", async () => {
    await service.create(WS, body("region"), admin);
    const bumps = writer.committed.bumped.length;
    expect(await service.setOrder(WS, ["user", "region", "tenant", "rules"], admin)).toEqual({ order: ["user", "region", "tenant", "rules"], isDefaultOrder: true });
    expect(writer.committed.audit).toHaveLength(1);
    expect(writer.committed.bumped).toHaveLength(bumps);

    await service.setOrder(WS, ["tenant", "region", "user", "rules"], admin);
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: WS,
      action: "override_order.updated",
      targetType: "workspace",
      targetId: WS,
      before: { order: ["user", "region", "tenant", "rules"] },
      after: { order: ["tenant", "region", "user", "rules"] },
    });
    expect(writer.committed.bumped).toHaveLength(bumps + 1);
    await service.setOrder(WS, ["user", "region", "tenant", "rules"], admin);
    expect(fake.orders.get(WS)).toEqual([]);
    expect(await service.order(WS)).toEqual({ order: ["user", "region", "tenant", "rules"], isDefaultOrder: true });
  });

  it("refuses an order that leaves out, repeats or invents a step", async () => {
    await service.create(WS, body("region"), admin);
    const refused = await refusal(service.setOrder(WS, ["user", "user", "plan", "tenant", "rules"], admin));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.message).toBe("The order must name user, tenant, rules and each layer exactly once (unknown: plan; missing: region; repeated: user).");
    expect(fake.orders.size).toBe(0);
    expect(writer.committed.audit).toHaveLength(1);
  });

  it("shows a workspace only its own layers", async () => {
    await service.create(WS, body("region"), admin);
    expect((await refusal(service.get("ws-other", "region"))).code).toBe("NOT_FOUND");
    expect(await service.list("ws-other")).toEqual({ items: [], order: ["user", "tenant", "rules"], isDefaultOrder: true });
  });
});
