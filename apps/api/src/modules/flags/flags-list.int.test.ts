import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { createModule, createTenants, flagsClient, type FlagsClient } from "../../../test/helpers/flags";

interface Row {
  key: string;
  name: string;
  environments: { environment: string; status: string; enabled: boolean; rollout: { summary: string }; ruleCount: number; overrideCount: number }[];
}

const split = { split: { allocations: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } };

describe("the flags list", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let viewer: FlagsClient;
  let admin: FlagsClient;
  const keys = (res: { json(): { items: Row[] } }) => res.json().items.map((row) => row.key);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    viewer = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "viewer"));
    await createModule(t.db, ws.id, "FIN");
    await createModule(t.db, ws.id, "STR");
    const [acme] = await createTenants(t.db, ws.id, ["acme"]);

    const flags: [string, string, Record<string, unknown>][] = [
      ["a-on", "Zebra dashboard", { module: "FIN", tags: ["ui"] }],
      ["b-off", "Yak export", { module: "FIN", isBeta: true }],
      ["c-split", "Xylophone 100%_pricing", { module: "STR", tags: ["ui", "pricing"] }],
      ["d-rules", "Walrus rules", { type: "number", variants: [{ key: "off", value: 0 }, { key: "on", value: 10 }], offVariant: "off", onVariant: "on" }],
      ["e-overrides", "Vulture overrides", { tags: ["pricing"] }],
      ["f-enabled-off", "Urchin", {}],
      ["g-expired", "Tapir", {}],
      ["h-allow", "Seal allow", {}],
      ["i-deprecated", "Rhino", { module: "STR" }],
      ["j-archived", "Quail", {}],
    ];
    for (const [key, name, extra] of flags) expect((await admin.create({ key, name, ...extra })).statusCode).toBe(201);
    const prod = "production";
    await admin.patchState("a-on", prod, 1, { enabled: true, fallthrough: { variant: "on" } });
    await admin.patchState("c-split", prod, 1, { enabled: true, fallthrough: split });
    await admin.patchState("d-rules", prod, 1, { enabled: true });
    await admin.addRule("d-rules", prod, 2, { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } });
    await admin.patchState("e-overrides", prod, 1, { enabled: true });
    await admin.patchState("f-enabled-off", prod, 1, { enabled: true });
    await admin.patchState("g-expired", prod, 1, { enabled: true, fallthrough: { variant: "on" } });
    await admin.patchState("h-allow", prod, 1, { enabled: true, tenantAllow: ["acme"] });
    await admin.call("POST", "/i-deprecated/deprecate", { version: 1 });
    await admin.call("POST", "/j-archived/archive", { version: 1 });
    const production = ws.environments.find((e) => e.key === prod)!;
    const flagId = async (key: string) => (await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key } })).id;
    await t.db.prisma.tenantOverride.create({
      data: { workspaceId: ws.id, flagId: await flagId("e-overrides"), environmentId: production.id, tenantId: acme!.id, variant: "on", source: "workspace_admin" },
    });
    await t.db.prisma.tenantOverride.create({
      data: { workspaceId: ws.id, flagId: await flagId("g-expired"), environmentId: production.id, tenantId: acme!.id, variant: "off", source: "workspace_admin", expiresAt: new Date(Date.now() - 60_000) },
    });
  });
  afterAll(() => t.close());

  it("filters by state in an environment exactly as each row's summary reports it", async () => {
    const expected = {
      on: ["a-on", "g-expired"],
      off: ["b-off", "f-enabled-off", "i-deprecated"],
      partial: ["c-split", "d-rules", "e-overrides", "h-allow"],
    };
    for (const [state, want] of Object.entries(expected)) {
      const res = await viewer.list(`env=production&state=${state}`);
      expect({ state, keys: keys(res) }).toEqual({ state, keys: want });
      for (const row of res.json().items as Row[]) expect(row.environments).toEqual([expect.objectContaining({ environment: "production", status: state })]);
    }
    // Every other environment is untouched: all off there.
    expect((await viewer.list("env=staging&state=off")).json().total).toBe(9);
  });

  it("carries rollout summary, rule and override counts per row (expired overrides do not count)", async () => {
    const rows = (await viewer.list("env=production")).json().items as Row[];
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row.environments[0]!]));
    expect(byKey["c-split"]).toMatchObject({ enabled: true, rollout: { summary: "25% on" }, ruleCount: 0 });
    expect(byKey["d-rules"]).toMatchObject({ rollout: { summary: "1 rule, else off" }, ruleCount: 1 });
    expect(byKey["e-overrides"]).toMatchObject({ overrideCount: 1 });
    expect(byKey["g-expired"]).toMatchObject({ overrideCount: 0, rollout: { summary: "on" } });
    expect(byKey["h-allow"]!.rollout.summary).toBe("off, 1 tenant allowed");
    const all = (await viewer.list("search=a-on")).json().items[0] as Row;
    expect(all.environments.map((e) => e.environment)).toEqual(["development", "staging", "production"]);
  });

  it("filters by module, tag, type, beta and deprecated; hides archived unless asked", async () => {
    expect(keys(await viewer.list("module=FIN"))).toEqual(["a-on", "b-off"]);
    expect(keys(await viewer.list("tag=pricing"))).toEqual(["c-split", "e-overrides"]);
    expect(keys(await viewer.list("type=number"))).toEqual(["d-rules"]);
    expect(keys(await viewer.list("beta=true"))).toEqual(["b-off"]);
    expect(keys(await viewer.list("deprecated=true"))).toEqual(["i-deprecated"]);
    expect((await viewer.list("deprecated=false")).json().total).toBe(8);
    expect((await viewer.list()).json().total).toBe(9);
    expect(keys(await viewer.list("archived=true"))).toEqual(["j-archived"]);
    expect(keys(await viewer.list("module=STR&tag=ui&env=production&state=partial"))).toEqual(["c-split"]);
  });

  it("searches key and name case-insensitively, taking % and _ literally", async () => {
    expect(keys(await viewer.list("search=ZEBRA"))).toEqual(["a-on"]);
    expect(keys(await viewer.list("search=-rules"))).toEqual(["d-rules"]);
    expect(keys(await viewer.list(`search=${encodeURIComponent("100%_")}`))).toEqual(["c-split"]);
    expect(keys(await viewer.list(`search=${encodeURIComponent("%")}`))).toEqual(["c-split"]);
  });

  it("sorts and paginates with a total", async () => {
    expect(keys(await viewer.list("sort=name&pageSize=3"))).toEqual(["i-deprecated", "h-allow", "g-expired"]);
    expect(keys(await viewer.list("sort=key&order=desc&pageSize=2&page=2"))).toEqual(["g-expired", "f-enabled-off"]);
    const created = keys(await viewer.list("sort=createdAt"));
    expect(created.slice(0, 3)).toEqual(["a-on", "b-off", "c-split"]);
    const updated = keys(await viewer.list("sort=updatedAt&order=desc&pageSize=1"));
    expect(updated).toEqual(["i-deprecated"]);
    const page = (await viewer.list("pageSize=4&page=3")).json();
    expect(page).toMatchObject({ total: 9, page: 3, pageSize: 4 });
    expect(page.items).toHaveLength(1);
    const beyond = (await viewer.list("pageSize=4&page=9")).json();
    expect(beyond).toMatchObject({ items: [], total: 9 });
  });

  it("sorts by type, module and the state in an environment: status, rollout and rules", async () => {
    expect(keys(await viewer.list("sort=type&order=desc&pageSize=1"))).toEqual(["d-rules"]);
    expect(keys(await viewer.list("sort=module"))).toEqual(["a-on", "b-off", "c-split", "i-deprecated", "d-rules", "e-overrides", "f-enabled-off", "g-expired", "h-allow"]);
    expect(keys(await viewer.list("sort=module&order=desc&pageSize=4"))).toEqual(["c-split", "i-deprecated", "a-on", "b-off"]);
    expect(keys(await viewer.list("env=production&sort=status"))).toEqual(["b-off", "f-enabled-off", "i-deprecated", "c-split", "d-rules", "e-overrides", "h-allow", "a-on", "g-expired"]);
    expect(keys(await viewer.list("env=production&sort=rollout&order=desc&pageSize=4"))).toEqual(["a-on", "g-expired", "c-split", "b-off"]);
    expect(keys(await viewer.list("env=production&sort=rules&order=desc&pageSize=2"))).toEqual(["d-rules", "a-on"]);
    // With a state filter too, and past the first page.
    expect(keys(await viewer.list("env=production&state=partial&sort=rollout&order=desc&pageSize=2&page=1"))).toEqual(["c-split", "d-rules"]);
  });

  it("refuses bad list queries with 400 naming the parameter, and unknown environments with 404", async () => {
    const cases: [string, string][] = [
      ["state=on", "querystring.env"],
      ["sort=salt", "querystring.sort"],
      ["sort=status", "querystring.env"],
      ["sort=rollout", "querystring.env"],
      ["pageSize=1000", "querystring.pageSize"],
      ["state=sideways&env=production", "querystring.state"],
      ["beta=maybe", "querystring.beta"],
      [`search=${"x".repeat(300)}`, "querystring.search"],
    ];
    for (const [query, path] of cases) {
      const res = await viewer.list(query);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await viewer.list("env=nowhere")).statusCode).toBe(404);
  });
});
