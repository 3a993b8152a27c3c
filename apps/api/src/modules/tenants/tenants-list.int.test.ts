import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { createFlag, createModule, createTenant, setOverride, touch } from "../../../test/helpers/tenancy-fixtures";

describe("listing tenants", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let viewer: Record<string, string>;
  const list = async (query: string) => t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants?${query}`, headers: viewer });
  const keys = (res: { json(): { items: { key: string }[] } }) => res.json().items.map((item) => item.key);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    viewer = await memberHeaders(t.app, t.db, ws.id, "viewer");
    const str = await createModule(t.db, ws, "STR");
    const tenants = [];
    for (const [i, key] of ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"].entries()) {
      tenants.push(await createTenant(t.db, ws, key, { plan: i % 2 === 0 ? "pro" : "standard", venues: i, beta: i < 2 }));
    }
    await t.db.prisma.tenant.update({ where: { id: tenants[5]!.id }, data: { name: "Zulu Foxtrot" } });
    await t.db.prisma.tenantModule.create({ data: { workspaceId: ws.id, tenantId: tenants[1]!.id, moduleId: str.id, enabled: false } });
    // Knowledge base: off by default, on for alpha and charlie (charlie's in staging only), denied to echo.
    const kb = await createFlag(t.db, ws, { key: "knowledge_base_enabled" });
    await setOverride(t.db, ws, kb.id, tenants[0]!.id, "on");
    await setOverride(t.db, ws, kb.id, tenants[2]!.id, "on", { env: "staging" });
    await setOverride(t.db, ws, kb.id, tenants[3]!.id, "on", { expiresAt: new Date(Date.now() - 60_000) });
    // Pricing: on by default, in module STR (off for bravo), and needs the knowledge base.
    await createFlag(t.db, ws, { key: "pricing", fallthrough: "on", moduleId: str.id });
    await createFlag(t.db, ws, { key: "pricing_plus", fallthrough: "on", dependsOn: ["knowledge_base_enabled"] });
    // Pro reports: a targeting rule on the tenant's stored plan.
    const reports = await createFlag(t.db, ws, { key: "pro_reports" });
    const state = await t.db.prisma.flagState.findFirstOrThrow({ where: { flagId: reports.id, environment: { key: "production" } } });
    await t.db.prisma.flagRule.create({
      data: {
        workspaceId: ws.id,
        flagStateId: state.id,
        position: 0,
        conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }],
        serve: { variant: "on" },
      },
    });
    await touch(t.db, ws);
  });
  afterAll(() => t.close());

  it("paginates with the total, sorts and searches key and name", async () => {
    const page = await list("page=2&pageSize=4&sort=key&order=asc");
    expect(page.json()).toMatchObject({ total: 6, page: 2, pageSize: 4 });
    expect(keys(page)).toEqual(["echo", "foxtrot"]);
    expect(keys(await list("sort=key&order=desc&pageSize=2"))).toEqual(["foxtrot", "echo"]);
    expect(keys(await list("sort=name"))).toEqual(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]);
    expect(keys(await list("search=ZULU"))).toEqual(["foxtrot"]);
    expect(keys(await list("search=ar"))).toEqual(["charlie"]);
  });

  it("filters by attributes, matching strings, numbers and booleans", async () => {
    expect(keys(await list("attr.plan=pro&sort=key"))).toEqual(["alpha", "charlie", "echo"]);
    expect(keys(await list("attr.venues=1,3&sort=key"))).toEqual(["bravo", "delta"]);
    expect(keys(await list("attr.beta=true&sort=key"))).toEqual(["alpha", "bravo"]);
    expect(keys(await list("attr.plan=pro&attr.venues=2"))).toEqual(["charlie"]);
    expect((await list("attr.missing=x")).json().total).toBe(0);
  });

  it("filters by module state", async () => {
    expect(keys(await list("module=STR&moduleState=off"))).toEqual(["bravo"]);
    expect((await list("module=STR&moduleState=on")).json().total).toBe(5);
  });

  it("filters by a flag's effective value in an environment, as the evaluator answers it", async () => {
    expect(keys(await list("flag=knowledge_base_enabled&env=production&flagState=on"))).toEqual(["alpha"]);
    expect(keys(await list("flag=knowledge_base_enabled&env=staging&flagState=on"))).toEqual(["charlie"]);
    const off = await list("flag=knowledge_base_enabled&env=production&flagState=off&pageSize=2&page=2&sort=key");
    expect(off.json().total).toBe(5);
    expect(keys(off)).toEqual(["delta", "echo"]);
    // Module off beats the fallthrough; a failed prerequisite turns the dependant off.
    expect(keys(await list("flag=pricing&env=production&flagState=off"))).toEqual(["bravo"]);
    expect(keys(await list("flag=pricing_plus&env=production&flagState=on"))).toEqual(["alpha"]);
    expect(keys(await list("flag=pricing_plus&env=production&flagState=on&attr.plan=standard"))).toEqual([]);
    // Targeting rules count: the list asks the evaluator.
    expect(keys(await list("flag=pro_reports&env=production&flagState=on&sort=key"))).toEqual(["alpha", "charlie", "echo"]);
    expect(keys(await list("flag=pro_reports&env=staging&flagState=on"))).toEqual([]);
  });

  it("adds effective values of requested flags to each row", async () => {
    const some = await list("flags=knowledge_base_enabled,pricing&env=production&sort=key&pageSize=2");
    expect(some.json().items[0]).toMatchObject({
      key: "alpha",
      flags: {
        knowledge_base_enabled: { value: true, variant: "on", isOn: true, detail: "TENANT_OVERRIDE" },
        pricing: { value: true, isOn: true },
      },
    });
    expect(Object.keys(some.json().items[1].flags)).toEqual(["knowledge_base_enabled", "pricing"]);
    expect(some.json().items[1].flags.pricing).toMatchObject({ value: false, reason: "DISABLED", detail: "MODULE_DISABLED" });

    const all = await list("include=flags&env=production&sort=key&pageSize=1");
    expect(Object.keys(all.json().items[0].flags).sort()).toEqual(["knowledge_base_enabled", "pricing", "pricing_plus", "pro_reports"]);
    expect(all.json().items[0].flags.pro_reports).toMatchObject({ value: true, reason: "TARGETING_MATCH", detail: expect.stringMatching(/^RULE:/) });
    expect(all.json().items[0].flags.pricing_plus).toMatchObject({ isOn: true });
    expect((await list("sort=key")).json().items[0].flags).toBeUndefined();
  });

  it("pages at the boundaries in every sort: each tenant once, in list order, the total on every page", async () => {
    for (const sort of ["key", "name", "createdAt", "updatedAt"]) {
      for (const order of ["asc", "desc"]) {
        const all = keys(await list(`sort=${sort}&order=${order}&pageSize=200`));
        expect(all).toHaveLength(6);
        const pages = await Promise.all([1, 2, 3].map((page) => list(`sort=${sort}&order=${order}&pageSize=3&page=${page}`)));
        expect(pages.map((page) => page.json().total)).toEqual([6, 6, 6]);
        expect(pages.flatMap(keys)).toEqual(all);
        expect(keys(pages[2]!)).toEqual([]);
        const exact = await Promise.all([1, 2].map((page) => list(`sort=${sort}&order=${order}&pageSize=5&page=${page}`)));
        expect(exact.map(keys)).toEqual([all.slice(0, 5), all.slice(5)]);
      }
    }
    const filtered = await list("attr.plan=pro&sort=key&pageSize=2&page=3");
    expect(filtered.json()).toMatchObject({ items: [], total: 3, page: 3, pageSize: 2 });
  });

  it("splits every filtered, sorted list into the tenants a flag is on for and those it is off for, each in list order", async () => {
    const filters = ["", "search=o", "attr.plan=pro", "module=STR&moduleState=on", "attr.beta=true&search=a"];
    for (const filter of filters) {
      for (const sort of ["key&order=desc", "name", "updatedAt"]) {
        const base = `${filter}&sort=${sort}&pageSize=200`;
        const all = keys(await list(base));
        for (const flag of ["knowledge_base_enabled", "pricing", "pro_reports"]) {
          const on = keys(await list(`${base}&flag=${flag}&env=production&flagState=on`));
          const off = keys(await list(`${base}&flag=${flag}&env=production&flagState=off`));
          expect({ filter, sort, flag, on, off }).toEqual({ filter, sort, flag, on: all.filter((key) => on.includes(key)), off: all.filter((key) => !on.includes(key)) });
        }
      }
    }
  });

  it("filters by a flag as each tenant's page answers it: segments, splits, lists, live and expired overrides", async () => {
    const other = await createWorkspace(t.db);
    const headers = await memberHeaders(t.app, t.db, other.id, "viewer");
    const get = async (url: string) => (await t.app.inject({ method: "GET", url: `/v1/workspaces/${other.slug}${url}`, headers })).json();
    const fin = await createModule(t.db, other, "FIN");
    const tenants = [];
    for (let i = 0; i < 24; i++) tenants.push(await createTenant(t.db, other, `t${String(i).padStart(2, "0")}`, { region: i % 3 === 0 ? "eu" : "us" }));
    for (const tenant of tenants.filter((_, i) => i % 5 === 0)) {
      await t.db.prisma.tenantModule.create({ data: { workspaceId: other.id, tenantId: tenant.id, moduleId: fin.id, enabled: false } });
    }
    await t.db.prisma.segment.create({
      data: { workspaceId: other.id, key: "beta", name: "Beta", includedTenants: ["t01"], excludedTenants: ["t03"], rules: [{ conditions: [{ attribute: "tenant.region", operator: "in", values: ["eu"] }] }] },
    });
    const state = async (flagId: string) => t.db.prisma.flagState.findFirstOrThrow({ where: { flagId, environment: { key: "production" } } });
    const bySegment = await createFlag(t.db, other, { key: "by_segment" });
    await t.db.prisma.flagRule.create({
      data: { workspaceId: other.id, flagStateId: (await state(bySegment.id)).id, position: 0, conditions: [{ attribute: "tenantKey", operator: "in_segment", values: ["beta"] }], serve: { variant: "on" } },
    });
    const split = await createFlag(t.db, other, { key: "split", moduleId: fin.id });
    await t.db.prisma.flagState.update({
      where: { id: (await state(split.id)).id },
      data: { fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } }, tenantAllow: ["t02"], tenantDeny: ["t04"] },
    });
    const overridden = await createFlag(t.db, other, { key: "overridden", fallthrough: "on" });
    await setOverride(t.db, other, overridden.id, tenants[6]!.id, "off");
    await setOverride(t.db, other, overridden.id, tenants[7]!.id, "off", { expiresAt: new Date(Date.now() - 60_000) });
    await setOverride(t.db, other, overridden.id, tenants[8]!.id, "off", { expiresAt: new Date(Date.now() + 3_600_000) });
    await touch(t.db, other);

    const listed = (await get("/tenants?sort=name&pageSize=200")).items.map((item: { key: string }) => item.key);
    for (const flag of ["by_segment", "split", "overridden"]) {
      const isOn = new Map<string, boolean>();
      for (const key of listed) {
        const page = await get(`/tenants/${key}?env=production`);
        isOn.set(key, page.flagValues.find((value: { key: string }) => value.key === flag).isOn);
      }
      const on = (await get(`/tenants?flag=${flag}&env=production&flagState=on&sort=name&pageSize=200`)).items.map((item: { key: string }) => item.key);
      const off = (await get(`/tenants?flag=${flag}&env=production&flagState=off&sort=name&pageSize=200`)).items.map((item: { key: string }) => item.key);
      expect({ flag, on, off }).toEqual({ flag, on: listed.filter((key: string) => isOn.get(key)), off: listed.filter((key: string) => !isOn.get(key)) });
      expect({ flag, on: on.length > 0, off: off.length > 0 }).toEqual({ flag, on: true, off: true });
    }
  });

  it("gives every flag's value with include=flags exactly as the named flags and the tenant's page give them", async () => {
    const named = "knowledge_base_enabled,pricing,pricing_plus,pro_reports";
    const all = (await list("include=flags&env=production&sort=key")).json();
    const some = (await list(`flags=${named}&env=production&sort=key`)).json();
    expect(all.items.map((item: { flags: object }) => item.flags)).toEqual(some.items.map((item: { flags: object }) => item.flags));
    for (const item of all.items) {
      const page = (await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants/${item.key}?env=production`, headers: viewer })).json();
      const fromPage = Object.fromEntries(page.flagValues.map(({ key, value, variant, reason, detail, isOn }: Record<string, unknown>) => [key, { value, variant, reason, detail, isOn }]));
      expect(JSON.parse(JSON.stringify(fromPage))).toEqual(item.flags);
    }
  });

  it("pages include=flags 10 rows at a time unless pageSize says otherwise", async () => {
    const other = await createWorkspace(t.db);
    const headers = await memberHeaders(t.app, t.db, other.id, "viewer");
    await createFlag(t.db, other, { key: "one" });
    for (let i = 1; i <= 12; i++) await createTenant(t.db, other, `t${String(i).padStart(2, "0")}`);
    await touch(t.db, other);
    const get = async (query: string) => (await t.app.inject({ method: "GET", url: `/v1/workspaces/${other.slug}/tenants?${query}`, headers })).json();
    const first = await get("include=flags&env=production&sort=key");
    expect(first).toMatchObject({ total: 12, page: 1, pageSize: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.items[9].flags.one).toMatchObject({ isOn: false });
    const second = await get("include=flags&env=production&sort=key&page=2");
    expect(second.items.map((item: { key: string }) => item.key)).toEqual(["t11", "t12"]);
    expect(await get("include=flags&env=production&pageSize=12")).toMatchObject({ pageSize: 12, items: expect.any(Array) });
    expect((await get("include=flags&env=production&pageSize=12")).items).toHaveLength(12);
    expect(await get("sort=key")).toMatchObject({ pageSize: 50, total: 12 });
  });

  it("treats hostile search and filter values as plain text", async () => {
    for (const query of ["search=%25", "search=_", "search=%27%20OR%201%3D1%20--", "attr.plan=%27%3B%20DROP%20TABLE%20tenants%3B%20--", "attr.plan=%7B%7D", "search=%F0%9F%98%80"]) {
      const res = await list(query);
      expect({ query, status: res.statusCode, total: res.json().total }).toEqual({ query, status: 200, total: 0 });
    }
    expect((await list("sort=key")).json().total).toBe(6);
  });

  it("names each bad query parameter", async () => {
    const cases: [string, string][] = [
      ["flag=knowledge_base_enabled&flagState=on", "querystring.env"],
      ["flag=knowledge_base_enabled&env=production", "querystring.flagState"],
      ["flagState=on&env=production", "querystring.flag"],
      ["flag=nope&env=production&flagState=on", "querystring.flag"],
      ["flags=nope&env=production", "querystring.flags"],
      ["flag=knowledge_base_enabled&env=nope&flagState=on", "querystring.env"],
      ["module=NOPE&moduleState=on", "querystring.module"],
      ["module=STR", "querystring.moduleState"],
      ["flagState=maybe", "querystring.flagState"],
      ["color=red", "querystring.color"],
      ["attr.bad.name=1", "querystring.attr.bad.name"],
      ["sort=password", "querystring.sort"],
      [Array.from({ length: 21 }, (_, i) => `attr.a${i}=1`).join("&"), "querystring"],
      ["pageSize=1000", "querystring.pageSize"],
      [`search=${"x".repeat(201)}`, "querystring.search"],
      [`flags=${Array.from({ length: 51 }, (_, i) => `f${i}`).join(",")}&env=production`, "querystring.flags"],
    ];
    for (const [query, path] of cases) {
      const res = await list(query);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      expect(res.json().error.details.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    }
  });
});
