import type { CreateFlagBody } from "@ensign/contracts/flags";
import type { Serve } from "@ensign/contracts/targeting";
import { MAX_PREREQUISITE_DEPTH } from "@ensign/evaluator";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, newStateRow, NOW, WS } from "../../../test/helpers/service-fixtures";
import type { StoredState } from "./flag-states.repository";
import type { EnvironmentRef, FlagData, FlagRow, FlagsRepository } from "./flags.repository";
import { createFlagsService } from "./flags.service";

type StoredFlag = Omit<FlagRow, "module"> & { workspaceId: string; moduleId: string | null; salt: string };

/** The repository in memory: flags, their states, modules and environments of one workspace. */
function fakeRepository(environments: EnvironmentRef[]) {
  const flags: StoredFlag[] = [];
  const states: StoredState[] = [];
  const modules = [{ id: "mod-billing", key: "billing", keyPrefix: "billing-" as string | null }];
  const locks: string[] = [];
  let ids = 0;
  const toRow = ({ workspaceId: _w, moduleId, salt: _s, ...flag }: StoredFlag): FlagRow => ({
    ...flag,
    dependsOn: [...flag.dependsOn],
    module: modules.find((m) => m.id === moduleId) ? { key: modules.find((m) => m.id === moduleId)!.key } : null,
  });
  const inScope = (workspaceId: string) => flags.filter((f) => f.workspaceId === workspaceId);
  const byId = (workspaceId: string, id: string) => inScope(workspaceId).find((f) => f.id === id);
  const served = (serve: Serve) => ("variant" in serve ? [serve.variant] : serve.split.allocations.map((a) => a.variant));

  const repo: FlagsRepository = {
    async find(_tx, workspaceId, key) {
      const flag = inScope(workspaceId).find((f) => f.key === key);
      return flag ? toRow(flag) : null;
    },
    async create(_tx, workspaceId, data: FlagData) {
      const at = new Date(NOW);
      const flag = {
        ...(data as Omit<StoredFlag, "id" | "workspaceId" | "version" | "createdAt" | "updatedAt" | "deprecatedAt" | "archivedAt">),
        id: `flag-${++ids}`,
        workspaceId,
        deprecatedAt: null,
        archivedAt: null,
        version: 1,
        createdAt: at,
        updatedAt: at,
      } as StoredFlag;
      flags.push(flag);
      return toRow(flag);
    },
    async claimVersion(_tx, workspaceId, id, expectedVersion) {
      const flag = byId(workspaceId, id);
      if (!flag || flag.version !== expectedVersion) return false;
      flag.version += 1;
      return true;
    },
    async currentVersion(_tx, workspaceId, id) {
      return byId(workspaceId, id)?.version ?? 0;
    },
    async write(_tx, workspaceId, id, data) {
      const flag = byId(workspaceId, id)!;
      Object.assign(flag, data);
      return toRow(flag);
    },
    async remove(_tx, workspaceId, { id }) {
      const removed = { states: states.filter((s) => s.flagId === id).length, tenantOverrides: 0, userOverrides: 0, schedules: 0, statBuckets: 0 };
      states.splice(0, states.length, ...states.filter((s) => s.flagId !== id));
      flags.splice(flags.indexOf(byId(workspaceId, id)!), 1);
      return removed;
    },
    async module(_tx, workspaceId, key) {
      return workspaceId === WS ? (modules.find((m) => m.key === key) ?? null) : null;
    },
    async lockDependencyGraph(_tx, workspaceId) {
      locks.push(workspaceId);
    },
    async dependencyGraph(_tx, workspaceId) {
      return inScope(workspaceId).map((f) => ({ key: f.key, dependsOn: [...f.dependsOn], archivedAt: f.archivedAt }));
    },
    async dependants(_tx, workspaceId, key) {
      return inScope(workspaceId)
        .filter((f) => !f.archivedAt && f.dependsOn.includes(key))
        .map((f) => f.key)
        .sort();
    },
    async environments(_tx, workspaceId) {
      return workspaceId === WS ? [...environments] : [];
    },
    async stateSummaries(_tx, _workspaceId, flagId) {
      return states
        .filter((s) => s.flagId === flagId)
        .map((s) => ({ ...s, ruleCount: s.rules.length, overrideCount: 0, userOverrideCount: 0 }));
    },
    async findState(_tx, _workspaceId, flagId, environmentId) {
      return states.find((s) => s.flagId === flagId && s.environmentId === environmentId) ?? null;
    },
    async ensureStates(_tx, _workspaceId, flagId, environmentIds, initial) {
      for (const environmentId of environmentIds) {
        if (states.some((s) => s.flagId === flagId && s.environmentId === environmentId)) continue;
        states.push(newStateRow(`state-${++ids}`, flagId, environmentId, initial));
      }
    },
    async variantUses(_tx, _workspaceId, flagId, variants) {
      const env = (id: string) => environments.find((e) => e.id === id)!.key;
      return states
        .filter((s) => s.flagId === flagId)
        .flatMap((s) => served(s.fallthrough).map((variant) => ({ variant, where: `fallthrough in ${env(s.environmentId)}` })))
        .filter((use) => variants.includes(use.variant));
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ flags, states });
      return () => {
        flags.splice(0, flags.length, ...saved.flags);
        states.splice(0, states.length, ...saved.states);
      };
    },
  };
  return { repo, rows, flags, states, locks };
}

const colour: Partial<CreateFlagBody> = {
  type: "string",
  variants: [
    { key: "red", value: "#f00" },
    { key: "green", value: "#0f0" },
    { key: "blue", value: "#00f" },
  ],
  offVariant: "red",
  onVariant: "green",
};

describe("flags service", () => {
  let environments: EnvironmentRef[];
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let clock: number;
  let service: ReturnType<typeof createFlagsService>;
  const create = (key: string, body: Partial<CreateFlagBody> = {}) => service.create(WS, { key, name: key, type: "boolean", ...body }, admin);

  beforeEach(() => {
    environments = [
      { id: "env-dev", key: "development" },
      { id: "env-prod", key: "production" },
    ];
    fake = fakeRepository(environments);
    writer = recordingWriter(fake.rows);
    clock = NOW;
    service = createFlagsService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => clock });
  });

  it("creates a flag with a disabled state serving its off variant in every environment, bumps every environment and audits the definition", async () => {
    const flag = await create("checkout");
    expect(flag).toMatchObject({ key: "checkout", type: "boolean", offVariant: "off", onVariant: "on", lifecycle: "temporary", trackAnalytics: true, version: 1 });
    expect(flag.environments.map((e) => [e.environment, e.enabled, e.status])).toEqual([
      ["development", false, "off"],
      ["production", false, "off"],
    ]);
    expect(fake.states.map((s) => [s.environmentId, s.enabled, s.fallthrough])).toEqual([
      ["env-dev", false, { variant: "off" }],
      ["env-prod", false, { variant: "off" }],
    ]);
    expect(fake.flags[0]!.salt).toMatch(/^[\w-]{11}$/);
    expect(writer.committed.bumped).toEqual([["*"]]);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({
        actor: admin,
        workspaceId: WS,
        action: "flag.created",
        targetType: "flag",
        targetKey: "checkout",
        after: expect.objectContaining({ key: "checkout", offVariant: "off", onVariant: "on", initialState: { enabled: false, variant: "off" } }),
      }),
    ]);
  });

  it("starts a multi-variant flag in the initial state asked for", async () => {
    await create("colour", { ...colour, initialState: { enabled: true, variant: "blue" } });
    expect(fake.states.map((s) => [s.enabled, s.fallthrough])).toEqual([
      [true, { variant: "blue" }],
      [true, { variant: "blue" }],
    ]);
  });

  it("refuses a key already taken, by an archived flag too, writing nothing", async () => {
    await create("checkout");
    await service.setLifecycle(WS, "checkout", 1, "archived", admin);
    const error = await refusal(create("checkout"));
    expect(error.code).toBe("ALREADY_EXISTS");
    expect(error.message).toContain("archived flags keep their keys");
    expect(fake.flags).toHaveLength(1);
    expect(writer.committed.audit.map((r) => r.action)).toEqual(["flag.created", "flag.archived"]);
  });

  it("names every bad field of a definition: missing or mistyped variants, unknown on, off and initial variants", async () => {
    const missing = await refusal(create("colour", { type: "string" }));
    expect(missing.details).toEqual({ issues: [{ path: "body.variants", message: "is required for string flags" }] });

    const bad = await refusal(
      create("colour", { ...colour, variants: [{ key: "red", value: "#f00" }, { key: "red", value: 7 }], offVariant: "pink", initialState: { enabled: true, variant: "blue" } }),
    );
    expect(bad.code).toBe("VALIDATION_FAILED");
    expect((bad.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      "body.variants.1.key",
      "body.variants.1.value",
      "body.offVariant",
      "body.onVariant",
      "body.initialState.variant",
    ]);
    expect(fake.flags).toEqual([]);
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
  });

  it("checks the module exists and that the key follows its prefix", async () => {
    expect((await refusal(create("invoices", { module: "sales" }))).details).toEqual({
      issues: [{ path: "body.module", message: "module 'sales' does not exist in this workspace" }],
    });
    expect((await refusal(create("invoices", { module: "billing" }))).details).toMatchObject({ issues: [{ path: "body.key" }] });
    expect((await create("billing-invoices", { module: "billing" })).module).toBe("billing");
  });

  it("edits only under the version read: a stale If-Match is refused with the current version and changes nothing", async () => {
    await create("checkout");
    await service.update(WS, "checkout", 1, { name: "Checkout v2" }, admin);
    const stale = await refusal(service.update(WS, "checkout", 1, { name: "Lost update" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 2 });
    expect(fake.flags[0]!.name).toBe("Checkout v2");
    expect((await refusal(service.setLifecycle(WS, "checkout", 1, "archived", admin))).code).toBe("VERSION_MISMATCH");
    expect((await refusal(service.delete(WS, "checkout", 1, "checkout", admin))).code).toBe("CONFLICT");
  });

  it("keeps the key and type immutable and refuses to edit an archived flag", async () => {
    await create("checkout");
    expect((await refusal(service.update(WS, "checkout", 1, { key: "pay", type: "string" }, admin))).details).toEqual({
      issues: [
        { path: "body.key", message: "is immutable once the flag is created" },
        { path: "body.type", message: "is immutable once the flag is created" },
      ],
    });
    await service.setLifecycle(WS, "checkout", 1, "archived", admin);
    expect((await refusal(service.update(WS, "checkout", 2, { name: "Renamed" }, admin))).code).toBe("CONFLICT");
    expect(fake.flags[0]!.name).toBe("checkout");
  });

  it("audits only what an edit changed, and bumps the environments only when evaluation can change", async () => {
    await create("checkout");
    await service.update(WS, "checkout", 1, { name: "Checkout", owner: "payments" }, admin);
    await service.update(WS, "checkout", 2, { trackAnalytics: false, name: "Checkout" }, admin);
    expect(writer.committed.audit.slice(1).map((r) => [r.action, r.before, r.after])).toEqual([
      ["flag.updated", { name: "checkout", owner: null }, { name: "Checkout", owner: "payments" }],
      ["flag.updated", { trackAnalytics: true }, { trackAnalytics: false }],
    ]);
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
  });

  it("keeps the on and off variants valid across variant edits, and refuses to remove a variant still served", async () => {
    await create("colour", { ...colour, initialState: { enabled: true, variant: "blue" } });
    const unknownOn = await refusal(service.update(WS, "colour", 1, { onVariant: "pink" }, admin));
    expect(unknownOn.details).toEqual({ issues: [{ path: "body.onVariant", message: "'pink' is not one of the flag's variants" }] });

    const served = await refusal(service.update(WS, "colour", 1, { variants: colour.variants!.slice(0, 2) }, admin));
    expect(served.code).toBe("CONFLICT");
    expect(served.details).toEqual({
      references: [
        { variant: "blue", where: "fallthrough in development" },
        { variant: "blue", where: "fallthrough in production" },
      ],
    });

    // Removing the on variant without naming another leaves the flag without one.
    const lostOn = await refusal(service.update(WS, "colour", 1, { variants: [colour.variants![0]!, colour.variants![2]!] }, admin));
    expect(lostOn.details).toEqual({ issues: [{ path: "body.onVariant", message: "is required for string flags" }] });

    const edited = await service.update(WS, "colour", 1, { variants: [...colour.variants!, { key: "black", value: "#000" }], onVariant: "black" }, admin);
    expect({ on: edited.onVariant, off: edited.offVariant, variants: edited.variants.map((v) => v.key) }).toEqual({
      on: "black",
      off: "red",
      variants: ["red", "green", "blue", "black"],
    });
  });

  it("accepts only live flags as prerequisites, under the graph lock", async () => {
    await create("auth");
    await create("legacy");
    await service.setLifecycle(WS, "legacy", 1, "archived", admin);
    const refused = await refusal(create("checkout", { dependsOn: ["auth", "nowhere", "legacy"] }));
    expect(refused.details).toEqual({
      issues: [
        { path: "body.dependsOn.1", message: "flag 'nowhere' does not exist" },
        { path: "body.dependsOn.2", message: "flag 'legacy' does not exist" },
      ],
    });
    fake.locks.length = 0;
    expect((await create("checkout", { dependsOn: ["auth", "auth"] })).dependsOn).toEqual(["auth"]);
    expect(fake.locks).toEqual([WS]);
  });

  it("refuses prerequisites that would close a cycle, naming it, and chains deeper than the evaluator follows", async () => {
    await create("a");
    await create("b", { dependsOn: ["a"] });
    await create("c", { dependsOn: ["b"] });
    const cycle = await refusal(service.update(WS, "a", 1, { dependsOn: ["c"] }, admin));
    expect(cycle.code).toBe("PREREQUISITE_CYCLE");
    expect(cycle.details).toEqual({ cycle: ["a", "c", "b", "a"] });
    expect((await refusal(service.update(WS, "a", 1, { dependsOn: ["a"] }, admin))).code).toBe("PREREQUISITE_CYCLE");
    expect(fake.flags.find((f) => f.key === "a")!.dependsOn).toEqual([]);

    for (let i = 4; i <= MAX_PREREQUISITE_DEPTH; i++) await create(`f${i}`, { dependsOn: [i === 4 ? "c" : `f${i - 1}`] });
    const deep = await refusal(create("too-deep", { dependsOn: [`f${MAX_PREREQUISITE_DEPTH}`] }));
    expect(deep.details).toEqual({ issues: [{ path: "body.dependsOn", message: `prerequisite chains are limited to ${MAX_PREREQUISITE_DEPTH} flags` }] });
  });

  it("deprecates, archives and restores at the time of the write, auditing the dates before and after", async () => {
    await create("checkout");
    clock = Date.parse("2026-06-02T08:00:00Z");
    expect((await service.setLifecycle(WS, "checkout", 1, "deprecated", admin)).deprecatedAt).toBe("2026-06-02T08:00:00.000Z");
    expect((await refusal(service.setLifecycle(WS, "checkout", 2, "deprecated", admin))).code).toBe("CONFLICT");
    const archived = await service.setLifecycle(WS, "checkout", 2, "archived", admin);
    expect(archived.archivedAt).toBe("2026-06-02T08:00:00.000Z");
    expect((await refusal(service.setLifecycle(WS, "checkout", 3, "archived", admin))).code).toBe("CONFLICT");
    expect((await refusal(service.setLifecycle(WS, "checkout", 3, "deprecated", admin))).code).toBe("CONFLICT");
    const restored = await service.setLifecycle(WS, "checkout", 3, "restored", admin);
    expect({ deprecatedAt: restored.deprecatedAt, archivedAt: restored.archivedAt }).toEqual({ deprecatedAt: null, archivedAt: null });
    expect((await refusal(service.setLifecycle(WS, "checkout", 4, "restored", admin))).code).toBe("CONFLICT");

    expect(writer.committed.audit.slice(1).map((r) => [r.action, r.before, r.after])).toEqual([
      ["flag.deprecated", { deprecatedAt: null }, { deprecatedAt: "2026-06-02T08:00:00.000Z" }],
      ["flag.archived", { archivedAt: null }, { archivedAt: "2026-06-02T08:00:00.000Z" }],
      ["flag.restored", { deprecatedAt: "2026-06-02T08:00:00.000Z", archivedAt: "2026-06-02T08:00:00.000Z" }, { deprecatedAt: null, archivedAt: null }],
    ]);
    expect(writer.committed.bumped).toEqual([["*"], ["*"], ["*"], ["*"]]);
  });

  it("refuses to archive a prerequisite of live flags, and to restore a flag whose prerequisite is archived", async () => {
    await create("auth");
    await create("checkout", { dependsOn: ["auth"] });
    await create("search", { dependsOn: ["auth"] });
    const archiving = await refusal(service.setLifecycle(WS, "auth", 1, "archived", admin));
    expect(archiving.code).toBe("HAS_DEPENDANTS");
    expect(archiving.details).toEqual({ dependants: ["checkout", "search"] });

    await service.setLifecycle(WS, "checkout", 1, "archived", admin);
    await service.setLifecycle(WS, "search", 1, "archived", admin);
    await service.setLifecycle(WS, "auth", 1, "archived", admin);
    const restoring = await refusal(service.setLifecycle(WS, "checkout", 2, "restored", admin));
    expect(restoring.code).toBe("DEPENDENCY_NOT_MET");
    expect(restoring.details).toEqual({ prerequisites: ["auth"] });
  });

  it("deletes only an archived flag whose key is typed to confirm, with its states, counted in the audit entry", async () => {
    await create("checkout");
    expect((await refusal(service.delete(WS, "checkout", 1, "checkuot", admin))).details).toEqual({
      issues: [{ path: "body.confirm", message: "must be 'checkout'" }],
    });
    expect((await refusal(service.delete(WS, "checkout", 1, "checkout", admin))).code).toBe("CONFLICT");
    await service.setLifecycle(WS, "checkout", 1, "archived", admin);
    await service.delete(WS, "checkout", 2, "checkout", admin);
    expect({ flags: fake.flags, states: fake.states }).toEqual({ flags: [], states: [] });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "flag.deleted",
      before: { key: "checkout", archivedAt: new Date(NOW).toISOString() },
      after: { removed: { states: 2, tenantOverrides: 0, userOverrides: 0, schedules: 0, statBuckets: 0 } },
    });
    expect(await create("checkout")).toMatchObject({ key: "checkout", version: 1 });
  });

  it("answers one environment's full state, the default state where an environment has none yet, and 404 for unknown ones", async () => {
    await create("checkout", { initialState: { enabled: true } });
    environments.push({ id: "env-qa", key: "qa" });
    const flag = await service.get(WS, "checkout");
    expect(flag.environments.map((e) => [e.environment, e.enabled])).toEqual([
      ["development", true],
      ["production", true],
      ["qa", false],
    ]);
    const qa = await service.get(WS, "checkout", "qa");
    expect(qa.environments.map((e) => e.environment)).toEqual(["qa"]);
    expect(qa.state).toMatchObject({ environment: "qa", enabled: false, fallthrough: { variant: "off" }, rules: [], version: 1 });
    expect((await refusal(service.get(WS, "checkout", "staging"))).code).toBe("NOT_FOUND");
    expect((await refusal(service.get(WS, "missing"))).code).toBe("NOT_FOUND");
    expect((await refusal(service.get("ws-other", "checkout"))).code).toBe("NOT_FOUND");
  });
});
