import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { auditOf, createModule, createTenants, flagsClient, type FlagsClient } from "../../../test/helpers/flags";

describe("flag definitions", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let admin: FlagsClient;
  let owner: FlagsClient;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    admin = flagsClient(t.app, ws.slug, { ...(await memberHeaders(t.app, t.db, ws.id, "admin")), "user-agent": "flags-test" });
    owner = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "owner"));
    await createModule(t.db, ws.id, "FIN");
  });
  afterAll(() => t.close());

  it("creates a boolean flag with on/off variants, a random salt, and a disabled state in every environment", async () => {
    const res = await admin.create({ key: "fin_ai_extraction", name: "AI Invoice Extraction", module: "FIN", tags: ["fin", "ai", "fin"], isBeta: true, owner: "finance-team" });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const flag = res.json();
    expect(flag).toMatchObject({
      key: "fin_ai_extraction",
      type: "boolean",
      module: "FIN",
      variants: [{ key: "on", value: true }, { key: "off", value: false }],
      offVariant: "off",
      onVariant: "on",
      tags: ["fin", "ai"],
      isBeta: true,
      lifecycle: "temporary",
      owner: "finance-team",
      deprecatedAt: null,
      version: 1,
    });
    expect(flag.environments.map((e: { environment: string; enabled: boolean; status: string }) => [e.environment, e.enabled, e.status])).toEqual([
      ["development", false, "off"],
      ["staging", false, "off"],
      ["production", false, "off"],
    ]);
    const stored = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "fin_ai_extraction" }, include: { states: true } });
    expect(stored.salt).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(stored.states.map((s) => s.fallthrough)).toEqual([{ variant: "off" }, { variant: "off" }, { variant: "off" }]);

    const [audit] = await auditOf(t.db, ws.id, "flag.created");
    expect(audit).toMatchObject({ actorType: "user", actorRole: "admin", ip: "127.0.0.1", userAgent: "flags-test", targetKey: "fin_ai_extraction", before: null });
    expect(audit!.after).toMatchObject({ key: "fin_ai_extraction", module: "FIN", initialState: { enabled: false, variant: "off" } });
  });

  it("bumps every environment's snapshot version when a flag is created", async () => {
    const before = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { sortOrder: "asc" } });
    expect((await admin.create({ key: "snapshot-bump", name: "Snapshot bump" })).statusCode).toBe(201);
    const after = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { sortOrder: "asc" } });
    expect(after.map((e) => e.snapshotVersion)).toEqual(before.map((e) => e.snapshotVersion + 1));
  });

  it("creates multi-variant flags whose values match the type, with an initial state", async () => {
    const res = await admin.create({
      key: "checkout.theme",
      name: "Checkout theme",
      type: "string",
      variants: [{ key: "classic", value: "classic" }, { key: "modern", value: "modern" }],
      offVariant: "classic",
      onVariant: "modern",
      lifecycle: "permanent",
      initialState: { enabled: true, variant: "modern" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().environments.every((e: { enabled: boolean; status: string }) => e.enabled && e.status === "on")).toBe(true);
  });

  it("names every bad field of a bad definition", async () => {
    const res = await admin.create({
      key: "Bad Key!",
      name: "",
      type: "number",
      variants: [{ key: "one", value: "1" }],
      tags: ["ok", "not ok"],
      dependsOn: ["UPPER"],
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["body.key", "body.name", "body.tags.1", "body.dependsOn.0"]));

    const typed = await admin.create({ key: "typed", name: "Typed", type: "number", variants: [{ key: "one", value: "1" }, { key: "one", value: 2 }] });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.details.issues.map((i: { path: string }) => i.path)).toEqual([
      "body.variants.0.value",
      "body.variants.1.key",
      "body.offVariant",
      "body.onVariant",
    ]);
  });

  it("refuses unknown modules and prerequisites with 400 naming the field, and duplicate keys with 409", async () => {
    const module = await admin.create({ key: "m1", name: "M1", module: "NOPE" });
    expect(module.statusCode).toBe(400);
    expect(module.json().error.details.issues).toEqual([{ path: "body.module", message: "module 'NOPE' does not exist in this workspace" }]);
    const dep = await admin.create({ key: "m2", name: "M2", dependsOn: ["fin_ai_extraction", "missing-flag"] });
    expect(dep.statusCode).toBe(400);
    expect(dep.json().error.details.issues).toEqual([{ path: "body.dependsOn.1", message: "flag 'missing-flag' does not exist" }]);
    const duplicate = await admin.create({ key: "fin_ai_extraction", name: "Again" });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.code).toBe("ALREADY_EXISTS");
    expect(await t.db.prisma.flag.count({ where: { workspaceId: ws.id, key: { in: ["m1", "m2"] } } })).toBe(0);
  });

  it("keeps the key and type immutable: PATCH names the field with 400 and changes nothing", async () => {
    const key = await admin.patch("fin_ai_extraction", 1, { key: "renamed", name: "Sneaky" });
    expect(key.statusCode).toBe(400);
    expect(key.json().error.details.issues).toEqual([{ path: "body.key", message: "is immutable once the flag is created" }]);
    const type = await admin.patch("fin_ai_extraction", 1, { type: "string" });
    expect(type.json().error.details.issues[0].path).toBe("body.type");
    const same = await admin.patch("fin_ai_extraction", 1, { key: "fin_ai_extraction", type: "boolean", description: "Parses invoices" });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ key: "fin_ai_extraction", name: "AI Invoice Extraction", description: "Parses invoices", version: 2 });
    expect(same.headers.etag).toBe('"2"');
  });

  it("edits a definition under If-Match, clears with null, and audits only what changed", async () => {
    expect((await admin.patch("fin_ai_extraction", 2, {})).statusCode).toBe(200);
    const noHeader = await admin.call("PATCH", "/fin_ai_extraction", { payload: { name: "x" } });
    expect(noHeader.statusCode).toBe(428);
    const res = await owner.patch("fin_ai_extraction", 3, { name: "AI Extraction", module: null, owner: null, tags: ["ai"] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "AI Extraction", module: null, owner: null, tags: ["ai"], version: 4 });
    const audits = await auditOf(t.db, ws.id, "flag.updated");
    expect(audits.at(-1)).toMatchObject({
      actorRole: "owner",
      before: { name: "AI Invoice Extraction", module: "FIN", owner: "finance-team", tags: ["fin", "ai"] },
      after: { name: "AI Extraction", module: null, owner: null, tags: ["ai"] },
    });
  });

  it("lets exactly one of two admins who read the same version win; the other gets 412 and nothing is lost", async () => {
    const { version } = (await admin.get("fin_ai_extraction")).json();
    const [a, b] = await Promise.all([
      admin.patch("fin_ai_extraction", version, { description: "written by admin" }),
      owner.patch("fin_ai_extraction", version, { isBeta: false }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
    const loser = a.statusCode === 412 ? a : b;
    expect(loser.json().error).toMatchObject({ code: "VERSION_MISMATCH", details: { currentVersion: version + 1 } });
    const now = (await admin.get("fin_ai_extraction")).json();
    expect(now.version).toBe(version + 1);
    // The winner's change is there in full; the loser's is not half-applied.
    if (a.statusCode === 200) expect(now).toMatchObject({ description: "written by admin", isBeta: true });
    else expect(now).toMatchObject({ description: "Parses invoices", isBeta: false });
    const audits = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, action: "flag.updated", after: { path: ["isBeta"], equals: false } } });
    const described = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, action: "flag.updated", after: { path: ["description"], equals: "written by admin" } } });
    expect(audits + described).toBe(1);
  });

  it("refuses a prerequisite cycle with 409 naming the path", async () => {
    for (const key of ["cycle-a", "cycle-b", "cycle-c"]) expect((await admin.create({ key, name: key })).statusCode).toBe(201);
    expect((await admin.patch("cycle-a", 1, { dependsOn: ["cycle-b"] })).statusCode).toBe(200);
    expect((await admin.patch("cycle-b", 1, { dependsOn: ["cycle-c"] })).statusCode).toBe(200);
    const res = await admin.patch("cycle-c", 1, { dependsOn: ["cycle-a"] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "PREREQUISITE_CYCLE", message: expect.stringContaining("cycle-c → cycle-a → cycle-b → cycle-c"), details: { cycle: ["cycle-c", "cycle-a", "cycle-b", "cycle-c"] } });
    const self = await admin.create({ key: "cycle-self", name: "Self", dependsOn: ["cycle-self"] });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.message).toContain("cycle-self → cycle-self");
    expect((await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "cycle-c" } })).dependsOn).toEqual([]);
  });

  it("refuses to remove a variant still served, naming where", async () => {
    await admin.create({ key: "variants-in-use", name: "V", type: "string", variants: [{ key: "a", value: "A" }, { key: "b", value: "B" }, { key: "c", value: "C" }], offVariant: "a", onVariant: "b" });
    const state = (await admin.state("variants-in-use", "staging")).json();
    expect((await admin.patchState("variants-in-use", "staging", state.version, { fallthrough: { variant: "c" } })).statusCode).toBe(200);
    const [tenant] = await createTenants(t.db, ws.id, ["variant-tenant"]);
    const flag = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "variants-in-use" } });
    await t.db.prisma.tenantOverride.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: ws.environments[2]!.id, tenantId: tenant!.id, variant: "c", source: "workspace_admin" } });
    const res = await admin.patch("variants-in-use", 1, { variants: [{ key: "a", value: "A" }, { key: "b", value: "B" }] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details.references).toEqual([
      { variant: "c", where: "fallthrough in staging" },
      { variant: "c", where: "tenant override of 'variant-tenant' in production" },
    ]);
    const renamed = await admin.patch("variants-in-use", 1, { variants: [{ key: "a", value: "A2" }, { key: "b", value: "B" }, { key: "c", value: "C" }] });
    expect(renamed.json().variants[0]).toEqual({ key: "a", value: "A2" });
  });

  it("deprecates (still listed, marked), archives (hidden), and restores", async () => {
    await admin.create({ key: "old-report", name: "Old report" });
    const deprecated = await admin.call("POST", "/old-report/deprecate", { version: 1 });
    expect(deprecated.statusCode).toBe(200);
    expect(deprecated.json().deprecatedAt).not.toBeNull();
    expect((await admin.call("POST", "/old-report/deprecate", { version: 2 })).statusCode).toBe(409);
    const listed = (await admin.list("search=old-report")).json();
    expect(listed.items.map((f: { key: string; deprecatedAt: string | null }) => [f.key, f.deprecatedAt !== null])).toEqual([["old-report", true]]);

    const archived = await admin.call("POST", "/old-report/archive", { version: 2 });
    expect(archived.json().archivedAt).not.toBeNull();
    expect((await admin.list("search=old-report")).json().total).toBe(0);
    expect((await admin.list("search=old-report&archived=true")).json().items[0].key).toBe("old-report");
    const edit = await admin.patch("old-report", 3, { name: "x" });
    expect(edit.statusCode).toBe(409);

    const restored = await admin.call("POST", "/old-report/restore", { version: 3 });
    expect(restored.json()).toMatchObject({ deprecatedAt: null, archivedAt: null, version: 4 });
    const actions = (await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetKey: "old-report" }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["flag.created", "flag.deprecated", "flag.archived", "flag.restored"]);
  });

  it("refuses to archive a prerequisite, naming its dependants, and to restore a flag whose prerequisite is archived", async () => {
    await admin.create({ key: "base-feature", name: "Base" });
    await admin.create({ key: "addon-one", name: "Addon 1", dependsOn: ["base-feature"] });
    await admin.create({ key: "addon-two", name: "Addon 2", dependsOn: ["base-feature"] });
    const refused = await admin.call("POST", "/base-feature/archive", { version: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "HAS_DEPENDANTS", details: { dependants: ["addon-one", "addon-two"] } });
    expect(refused.json().error.message).toContain("'addon-one', 'addon-two'");

    await admin.call("POST", "/addon-one/archive", { version: 1 });
    await admin.call("POST", "/addon-two/archive", { version: 1 });
    expect((await admin.call("POST", "/base-feature/archive", { version: 1 })).statusCode).toBe(200);
    const restore = await admin.call("POST", "/addon-one/restore", { version: 2 });
    expect(restore.statusCode).toBe(409);
    expect(restore.json().error).toMatchObject({ code: "DEPENDENCY_NOT_MET", details: { prerequisites: ["base-feature"] } });
  });

  it("answers one flag with every environment's summary, or one environment's full state", async () => {
    const all = (await admin.get("fin_ai_extraction")).json();
    expect(all.environments).toHaveLength(3);
    expect(all.state).toBeUndefined();
    const one = (await admin.get("fin_ai_extraction", "production")).json();
    expect(one.environments.map((e: { environment: string }) => e.environment)).toEqual(["production"]);
    expect(one.state).toMatchObject({ flag: "fin_ai_extraction", environment: "production", enabled: false, rules: [], version: 1 });
    expect((await admin.get("fin_ai_extraction", "nowhere")).statusCode).toBe(404);
    expect((await admin.get("no-such-flag")).statusCode).toBe(404);
  });
});
