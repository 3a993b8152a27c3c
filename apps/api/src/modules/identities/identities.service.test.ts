import { MAX_TRAITS } from "@ensign/contracts/identities";
import type { JsonValue } from "@ensign/contracts/targeting";
import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, editor, NOW, production, staging, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import type { IdentityChange } from "./traits-cache";
import type { IdentitiesRepository, IdentityRow } from "./identities.repository";
import { createIdentitiesService } from "./identities.service";

type Stored = IdentityRow & { workspaceId: string; environmentId: string };

const backend: Actor = { type: "api_key", id: "key-1" };

/** The repository in memory: the identities of `WS`'s two environments. */
function fakeRepository() {
  const environments = [staging, production].map(({ id, key }) => ({ id, key }));
  const identities: Stored[] = [];
  /** Rows `find` answers instead of the stored ones, once each: what a write read before another one committed. */
  const staleReads: Stored[] = [];
  /** How many times an identity was read: once per attempt of a write. */
  const reads = { count: 0 };
  let ids = 0;
  const inEnv = (workspaceId: string, environmentId: string) => identities.filter((i) => i.workspaceId === workspaceId && i.environmentId === environmentId);
  const strip = ({ workspaceId: _w, environmentId: _e, ...row }: Stored): IdentityRow => structuredClone(row);
  const at = () => new Date(NOW);
  function insert(workspaceId: string, environmentId: string, key: string, traits: object): IdentityRow {
    const row: Stored = { workspaceId, environmentId, id: `identity-${++ids}`, key, traits: structuredClone(traits) as IdentityRow["traits"], version: 1, createdAt: at(), updatedAt: at() };
    identities.push(row);
    return strip(row);
  }

  const repo: IdentitiesRepository = {
    async findEnvironment(_tx, workspaceId, ref) {
      if (workspaceId !== WS) return null;
      return environments.find((e) => (typeof ref === "string" ? e.key === ref : e.id === ref.id)) ?? null;
    },
    async list(_tx, workspaceId, environmentId, query) {
      const found = inEnv(workspaceId, environmentId)
        .filter((i) => !query.search || i.key.toLowerCase().startsWith(query.search.toLowerCase()))
        .sort((a, b) => a.key.localeCompare(b.key));
      const skip = (query.page - 1) * query.pageSize;
      return { rows: found.slice(skip, skip + query.pageSize).map(strip), total: found.length };
    },
    async countUpTo(_tx, workspaceId, environmentId, limit) {
      return Math.min(inEnv(workspaceId, environmentId).length, limit);
    },
    async find(_tx, workspaceId, environmentId, key) {
      reads.count += 1;
      const stale = staleReads.findIndex((i) => i.workspaceId === workspaceId && i.environmentId === environmentId && i.key === key);
      if (stale >= 0) return strip(staleReads.splice(stale, 1)[0]!);
      const row = inEnv(workspaceId, environmentId).find((i) => i.key === key);
      return row ? strip(row) : null;
    },
    async create(_tx, workspaceId, environmentId, key, traits) {
      if (inEnv(workspaceId, environmentId).some((i) => i.key === key)) throw new Error("unique violation");
      return insert(workspaceId, environmentId, key, traits);
    },
    async upsert(_tx, workspaceId, environmentId, key, traits) {
      const row = inEnv(workspaceId, environmentId).find((i) => i.key === key);
      if (!row) return insert(workspaceId, environmentId, key, traits);
      Object.assign(row, { traits: structuredClone(traits), version: row.version + 1 });
      return strip(row);
    },
    async replaceTraits(_tx, workspaceId, id, traits, expectedVersion) {
      const row = identities.find((i) => i.workspaceId === workspaceId && i.id === id && (expectedVersion === undefined || i.version === expectedVersion));
      if (!row) return null;
      Object.assign(row, { traits: structuredClone(traits), version: row.version + 1 });
      return strip(row);
    },
    async traitStats(_tx, workspaceId, environmentId, trait, limit) {
      const withTrait = inEnv(workspaceId, environmentId).filter((i) => trait in (i.traits as object));
      const counts = new Map<string, { value: unknown; count: number }>();
      for (const i of withTrait) {
        const value = (i.traits as Record<string, unknown>)[trait];
        const entry = counts.get(JSON.stringify(value)) ?? { value, count: 0 };
        entry.count += 1;
        counts.set(JSON.stringify(value), entry);
      }
      const values = [...counts.values()].sort((a, b) => b.count - a.count).slice(0, limit);
      return { values, total: inEnv(workspaceId, environmentId).length, withTrait: withTrait.length };
    },
    delete: versionedWrites(identities).delete,
  };
  const rows = {
    save() {
      const saved = structuredClone(identities);
      return () => void identities.splice(0, identities.length, ...saved);
    },
  };
  return { repo, rows, identities, staleReads, reads };
}

describe("identities service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  /** What went through the traits cache, after commit. */
  let cached: IdentityChange[];
  let service: ReturnType<typeof createIdentitiesService>;

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    cached = [];
    const traits = {
      async written(change: IdentityChange) {
        cached.push(structuredClone(change));
      },
    };
    service = createIdentitiesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, traits });
  });

  it("creates an identity, audited, and bumps the environment for its first identity only (its snapshot learns traits exist)", async () => {
    const { identity, created } = await service.setTraits(WS, "production", "ann", { plan: "pro" }, editor);
    expect(created).toBe(true);
    expect(identity).toMatchObject({ key: "ann", environment: "production", traits: { plan: "pro" }, version: 1 });
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        environment: { id: production.id, key: "production" },
        action: "identity.created",
        targetType: "identity",
        targetId: identity.id,
        targetKey: "ann",
        before: null,
        after: { traits: { plan: "pro" } },
      },
    ]);
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(writer.scopes).toEqual([undefined]);
    expect(cached).toEqual([{ workspaceId: WS, environmentId: production.id, environmentKey: "production", key: "ann", traits: { plan: "pro" } }]);

    await service.setTraits(WS, { id: production.id }, "bob", { plan: "free" }, backend);
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ actor: backend, action: "identity.created", targetKey: "bob" });
  });

  it("replaces traits: the newest write wins for a backend, audited before and after, and the same traits again write nothing", async () => {
    await service.setTraits(WS, "production", "ann", { plan: "pro", seats: 3 }, editor);
    const same = await service.setTraits(WS, "production", "ann", { seats: 3, plan: "pro" }, backend);
    expect(same).toMatchObject({ created: false, identity: { version: 1 } });
    expect(writer.committed.audit).toHaveLength(1);
    expect(cached).toHaveLength(1);

    const replaced = await service.setTraits(WS, "production", "ann", { plan: "team" }, backend);
    expect(replaced).toMatchObject({ created: false, identity: { traits: { plan: "team" }, version: 2 } });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      actor: backend,
      action: "identity.traits_replaced",
      before: { traits: { plan: "pro", seats: 3 } },
      after: { traits: { plan: "team" } },
    });
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(cached.at(-1)).toMatchObject({ key: "ann", traits: { plan: "team" } });
  });

  it("asks an admin for the version read of an existing identity, and refuses a stale one", async () => {
    await service.setTraits(WS, "staging", "ann", { plan: "pro" }, editor, { requireVersion: true });
    expect(await codeOf(service.setTraits(WS, "staging", "ann", { plan: "team" }, editor, { requireVersion: true }))).toBe("PRECONDITION_REQUIRED");
    const stale = await refusal(service.setTraits(WS, "staging", "ann", { plan: "team" }, editor, { requireVersion: true, expectedVersion: 3 }));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });
    // Even when the traits would not change.
    expect(await codeOf(service.setTraits(WS, "staging", "ann", { plan: "pro" }, editor, { requireVersion: true, expectedVersion: 3 }))).toBe("VERSION_MISMATCH");
    expect(fake.identities).toMatchObject([{ traits: { plan: "pro" }, version: 1 }]);
    expect(writer.committed.audit).toHaveLength(1);
    expect(cached).toHaveLength(1);

    await service.setTraits(WS, "staging", "ann", { plan: "team" }, editor, { requireVersion: true, expectedVersion: 1 });
    expect(fake.identities).toMatchObject([{ traits: { plan: "team" }, version: 2 }]);
  });

  it("refuses traits past the context limits, naming the field", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: MAX_TRAITS + 1 }, (_, i) => [`t${i}`, i] as [string, JsonValue]));
    const refused = await refusal(service.setTraits(WS, "production", "ann", tooMany, editor));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.details).toEqual({ issues: [{ path: "body.traits", message: `at most ${MAX_TRAITS} traits` }] });
    expect(await codeOf(service.setTraits(WS, "production", "ann", { tenantKey: 42 }, editor))).toBe("VALIDATION_FAILED");
    expect(fake.identities).toEqual([]);
    expect(writer.committed.audit).toEqual([]);
    expect(writer.committed.bumped).toEqual([]);
    expect(cached).toEqual([]);
  });

  it("patches traits, removing those set to null, and merges again into a write that got in between", async () => {
    await service.setTraits(WS, "production", "ann", { plan: "pro", seats: 3 }, editor);
    const patched = await service.patchTraits(WS, "production", "ann", { seats: null, beta: true }, backend);
    expect(patched.identity).toMatchObject({ version: 2 });
    expect(patched.identity.traits).toEqual({ plan: "pro", beta: true });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      actor: backend,
      action: "identity.traits_patched",
      before: { traits: { plan: "pro", seats: 3 } },
      after: { traits: { plan: "pro", beta: true } },
    });

    // Another write took the identity to version 3 after this patch read version 2.
    const row = fake.identities[0]!;
    fake.staleReads.push(structuredClone(row));
    Object.assign(row, { traits: { plan: "team", beta: true }, version: 3 });
    const merged = await service.patchTraits(WS, "production", "ann", { region: "emea" }, backend);
    expect(merged.identity).toMatchObject({ traits: { plan: "team", beta: true, region: "emea" }, version: 4 });

    // With the version read, a patch that meets a newer one is refused at once instead.
    fake.reads.count = 0;
    expect(await codeOf(service.patchTraits(WS, "production", "ann", { region: "apac" }, backend, { expectedVersion: 3 }))).toBe("VERSION_MISMATCH");
    expect(fake.reads.count).toBe(1);
    expect(fake.identities[0]).toMatchObject({ traits: { region: "emea" }, version: 4 });
  });

  it("deletes under the version read, audited with the traits it had, and drops the identity from the traits cache", async () => {
    const { identity } = await service.setTraits(WS, "production", "ann", { plan: "pro" }, editor);
    expect(await codeOf(service.delete(WS, "production", "ann", 2, admin))).toBe("VERSION_MISMATCH");
    expect(fake.identities).toHaveLength(1);
    await service.delete(WS, "production", "ann", 1, admin);
    expect(fake.identities).toEqual([]);
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: WS,
      environment: { id: production.id, key: "production" },
      action: "identity.deleted",
      targetType: "identity",
      targetId: identity.id,
      targetKey: "ann",
      before: { traits: { plan: "pro" } },
    });
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(cached.at(-1)).toEqual({ workspaceId: WS, environmentId: production.id, environmentKey: "production", key: "ann", traits: null });
    expect(await codeOf(service.delete(WS, "production", "ann", 1, admin))).toBe("NOT_FOUND");
  });

  it("counts how the identities spread over a trait's values, those without it, and the rest", async () => {
    for (const [key, plan] of [["a", "pro"], ["b", "pro"], ["c", "free"], ["d", null]] as const) {
      await service.setTraits(WS, "production", key, plan === null ? { seats: 1 } : { plan }, backend);
    }
    const stats = await service.traitStats(WS, "production", "plan");
    expect(stats).toEqual({ trait: "plan", total: 4, missing: 1, values: [{ value: "pro", count: 2 }, { value: "free", count: 1 }], other: 0 });
  });

  it("reads identities of an environment of the workspace only", async () => {
    await service.setTraits(WS, "production", "ann", { plan: "pro" }, editor);
    expect(await service.get(WS, "production", "ann")).toMatchObject({ key: "ann", environment: "production" });
    expect(await service.traitsOf(WS, production.id, "ann")).toMatchObject({ key: "ann", environment: "production" });
    expect((await service.list(WS, "production", { page: 1, pageSize: 10, sort: "key", order: "asc", search: "A" })).total).toBe(1);
    expect(await codeOf(service.get(WS, "staging", "ann"))).toBe("NOT_FOUND");
    expect((await refusal(service.get(WS, "qa", "ann"))).message).toBe("Environment 'qa' was not found.");
    expect((await refusal(service.traitsOf("ws-other", production.id, "ann"))).message).toBe("The environment was not found.");
    expect(await codeOf(service.setTraits("ws-other", "production", "ann", { plan: "pro" }, editor))).toBe("NOT_FOUND");
    expect(fake.identities).toHaveLength(1);
  });
});
