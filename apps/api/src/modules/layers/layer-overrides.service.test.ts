import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, editor, flagRow, memoryFlagLookups, NOW, production, staging, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { OverridePowers } from "../overrides/tenant-overrides.service";
import type { LayerOverridesRepository } from "./layer-overrides.repository";
import type { LayerOverrideKey, LayerOverrideRow, LayerRow } from "./layers.repository";
import { createLayerOverridesService, type LayerOverrideRef } from "./layer-overrides.service";

const mayLock: OverridePowers = { canLock: true };
const mayNotLock: OverridePowers = { canLock: false };
const HOUR = 3_600_000;

type StoredRow = LayerOverrideRow & LayerOverrideKey & { workspaceId: string };

/** The repository in memory: flags and environments of `WS`, one layer (`region`) and its overrides. */
function fakeRepository() {
  const flags = [flagRow("checkout"), flagRow("retired", { archivedAt: new Date(NOW) })];
  const region: LayerRow = {
    id: "layer-region",
    key: "region",
    name: "Region",
    description: "",
    attribute: "region",
    values: ["emea", "apac", "amer"],
    version: 1,
    createdAt: new Date(NOW),
    updatedAt: new Date(NOW),
    _count: { overrides: 0 },
  };
  const rows: StoredRow[] = [];
  let ids = 0;
  const matches = (row: StoredRow, key: LayerOverrideKey) =>
    row.flagId === key.flagId && row.environmentId === key.environmentId && row.layerId === key.layerId && row.value === key.value;
  const strip = ({ workspaceId: _w, flagId: _f, environmentId: _e, layerId: _l, ...row }: StoredRow): LayerOverrideRow => structuredClone(row);

  const repo: LayerOverridesRepository = {
    ...memoryFlagLookups(flags, [staging, production]),
    async findLayer(_tx, workspaceId, key) {
      return workspaceId === WS && key === region.key ? structuredClone(region) : null;
    },
    async find(_tx, workspaceId, key) {
      const row = rows.find((r) => r.workspaceId === workspaceId && matches(r, key));
      return row ? strip(row) : null;
    },
    async list(_tx, workspaceId, flagId, environmentId, layerId) {
      return rows.filter((r) => r.workspaceId === workspaceId && r.flagId === flagId && r.environmentId === environmentId && r.layerId === layerId).map(strip);
    },
    async create(_tx, workspaceId, key, data) {
      if (rows.some((r) => r.workspaceId === workspaceId && matches(r, key))) throw new Error("unique violation");
      const at = new Date(NOW);
      const row: StoredRow = { workspaceId, ...key, ...data, id: `lo-${++ids}`, version: 1, createdAt: at, updatedAt: at };
      rows.push(row);
      return strip(row);
    },
    ...versionedWrites(rows),
  };
  const restorable = {
    save() {
      const saved = structuredClone(rows);
      return () => void rows.splice(0, rows.length, ...saved);
    },
  };
  return { repo, rows, restorable };
}

const ref = (value: string, fields: Partial<LayerOverrideRef> = {}): LayerOverrideRef => ({ flag: "checkout", env: "production", layer: "region", value, ...fields });

describe("layer overrides service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createLayerOverridesService>;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.restorable);
    service = createLayerOverridesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => NOW });
  });

  it("sets an override for a value: audited as the caller, bumped in its environment for this flag only", async () => {
    const { override, isCreated } = await service.set(WS, ref("emea"), { variant: "on" }, undefined, mayLock, editor);
    expect(isCreated).toBe(true);
    expect(override).toMatchObject({ flag: "checkout", environment: "production", layer: "region", value: "emea", variant: "on", locked: false, updatedBy: editor.email, version: 1 });
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        environment: production,
        action: "layer_override.set",
        targetType: "layer_override",
        targetId: override.id,
        targetKey: "checkout",
        before: null,
        after: { layer: "region", value: "emea", variant: "on", locked: false, expiresAt: null },
      },
    ]);
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(writer.scopes).toEqual([{ flags: ["flag-checkout"] }]);
  });

  it("changes an existing override only with the version read, audits before and after, and writes nothing when it is the same", async () => {
    const { override } = await service.set(WS, ref("emea"), { variant: "on" }, undefined, mayLock, editor);
    expect(await codeOf(service.set(WS, ref("emea"), { variant: "off" }, undefined, mayLock, editor))).toBe("PRECONDITION_REQUIRED");
    const stale = await refusal(service.set(WS, ref("emea"), { variant: "off" }, 4, mayLock, editor));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });

    const same = await service.set(WS, ref("emea"), { variant: "on" }, 1, mayLock, editor);
    expect(same).toMatchObject({ isCreated: false, override: { version: 1 } });
    expect(writer.committed.audit).toHaveLength(1);

    const changed = await service.set(WS, ref("emea"), { variant: "off" }, 1, mayLock, admin);
    expect(changed).toMatchObject({ isCreated: false, override: { variant: "off", updatedBy: admin.email, version: 2 } });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      actor: admin,
      action: "layer_override.set",
      targetId: override.id,
      before: { variant: "on" },
      after: { variant: "off" },
    });
    expect(writer.committed.bumped).toEqual([[production.id], [production.id]]);
  });

  it("refuses a value the layer does not have, a variant the flag does not have, and an expiry in the past", async () => {
    const value = await refusal(service.set(WS, ref("mars"), { variant: "on" }, undefined, mayLock, editor));
    expect(value.code).toBe("VALIDATION_FAILED");
    expect(value.details).toEqual({ issues: [{ path: "params.value", message: "must be one of the layer's values: emea, apac, amer" }] });
    expect(await codeOf(service.set(WS, ref("emea"), { variant: "maybe" }, undefined, mayLock, editor))).toBe("VALIDATION_FAILED");
    const past = new Date(NOW - HOUR).toISOString();
    expect(await codeOf(service.set(WS, ref("emea"), { variant: "on", expiresAt: past }, undefined, mayLock, editor))).toBe("VALIDATION_FAILED");
    expect(fake.rows).toEqual([]);
    expect(writer.committed.audit).toEqual([]);
    expect(writer.committed.bumped).toEqual([]);
  });

  it("lets only members who may lock set, change or clear a locked override", async () => {
    expect(await codeOf(service.set(WS, ref("emea"), { variant: "on", locked: true }, undefined, mayNotLock, editor))).toBe("FORBIDDEN");
    await service.set(WS, ref("emea"), { variant: "on", locked: true }, undefined, mayLock, admin);
    // `locked` absent keeps the lock, so the change still needs the power.
    expect(await codeOf(service.set(WS, ref("emea"), { variant: "off" }, 1, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(await codeOf(service.clear(WS, ref("emea"), undefined, mayNotLock, editor))).toBe("FORBIDDEN");
    expect(fake.rows).toMatchObject([{ variant: "on", locked: true, version: 1 }]);
    await service.set(WS, ref("apac"), { variant: "on" }, undefined, mayNotLock, editor);
    expect(writer.committed.audit.map((a) => [a.actor.id, (a.after as { value: string }).value])).toEqual([
      [admin.id, "emea"],
      [editor.id, "apac"],
    ]);
  });

  it("refuses an archived flag, and names what it cannot find", async () => {
    const archived = await refusal(service.set(WS, ref("emea", { flag: "retired" }), { variant: "on" }, undefined, mayLock, editor));
    expect(archived.code).toBe("CONFLICT");
    expect(await codeOf(service.set(WS, ref("emea", { layer: "plan" }), { variant: "on" }, undefined, mayLock, editor))).toBe("NOT_FOUND");
    expect(await codeOf(service.get(WS, ref("emea", { env: "qa" })))).toBe("NOT_FOUND");
    expect(await codeOf(service.get(WS, ref("emea")))).toBe("NOT_FOUND");
    expect(await codeOf(service.list("ws-other", ref("emea")))).toBe("NOT_FOUND");
  });

  it("lists the overrides in the order of the layer's values, and tells which have expired", async () => {
    await service.set(WS, ref("amer"), { variant: "on" }, undefined, mayLock, editor);
    await service.set(WS, ref("emea"), { variant: "off", expiresAt: new Date(NOW + HOUR).toISOString() }, undefined, mayLock, editor);
    await service.set(WS, ref("apac", { env: "staging" }), { variant: "on" }, undefined, mayLock, editor);
    const later = createLayerOverridesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => NOW + 2 * HOUR });
    const { items } = await later.list(WS, ref("any"));
    expect(items.map((o) => [o.value, o.isExpired])).toEqual([
      ["emea", true],
      ["amer", false],
    ]);
  });

  it("clears an override: optional version, audited with what it was, bumped for this flag only", async () => {
    const { override } = await service.set(WS, ref("emea"), { variant: "on" }, undefined, mayLock, editor);
    expect(await codeOf(service.clear(WS, ref("emea"), 3, mayLock, editor))).toBe("VERSION_MISMATCH");
    expect(await codeOf(service.clear(WS, ref("apac"), undefined, mayLock, editor))).toBe("NOT_FOUND");
    await service.clear(WS, ref("emea"), undefined, mayLock, admin);
    expect(fake.rows).toEqual([]);
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: WS,
      environment: production,
      action: "layer_override.cleared",
      targetType: "layer_override",
      targetId: override.id,
      targetKey: "checkout",
      before: { layer: "region", value: "emea", variant: "on", locked: false, expiresAt: null },
      after: null,
    });
    expect(writer.committed.bumped).toEqual([[production.id], [production.id]]);
    expect(writer.scopes).toEqual([{ flags: ["flag-checkout"] }, { flags: ["flag-checkout"] }]);
  });
});
