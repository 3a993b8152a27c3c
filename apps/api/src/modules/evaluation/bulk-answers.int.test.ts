import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, publishChange, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

/**
 * OFREP bulk and the portal endpoint answer flags that no context can change from what the
 * snapshot worked out once, and write each answer from bytes kept per snapshot: the answers,
 * their ETags and the statistics must be exactly those of evaluating every flag every time.
 */
describe("bulk answers of flags no context can change", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prod: { id: string };
  let server: string;
  let client: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { STATS_FLUSH_INTERVAL: "1h" } });
    ws = await createWorkspace(t.db);
    prod = ws.environments[2]!;
    // Context-free: on with one fallthrough variant, and switched off.
    await createFlag(t.db, ws.id, { key: "always_on", states: { [prod.id]: { enabled: true, fallthrough: { variant: "on" } } } });
    await createFlag(t.db, ws.id, { key: "switched_off", states: { [prod.id]: { enabled: false, fallthrough: { variant: "on" } } } });
    // Context-dependent: a rule on the role.
    await createFlag(t.db, ws.id, {
      key: "for_owners",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [{ conditions: [{ attribute: "role", operator: "equals", values: ["owner"] }], serve: { variant: "on" } }] } },
    });
    // Context-free, but not counted.
    await createFlag(t.db, ws.id, { key: "quiet", states: { [prod.id]: { enabled: true, fallthrough: { variant: "on" } } } });
    await t.db.prisma.flag.updateMany({ where: { workspaceId: ws.id, key: "quiet" }, data: { trackAnalytics: false } });
    await publishChange(t.app, t.db, ws.id);
    server = (await createApiKey(t.db, ws.id, prod.id, "server")).secret;
    client = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
  });
  afterAll(() => t.close());

  const ofrep = (role: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: { ...apiKeyHeaders(server), ...headers }, payload: { context: { targetingKey: "u1", role } } });
  const portal = (role: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "GET", url: `/v1/flags?targetingKey=u1&role=${role}`, headers: { ...apiKeyHeaders(client), ...headers } });
  const ofrepItem = (body: { flags: { key: string }[] }, key: string) => body.flags.find((flag) => flag.key === key);

  it("answers context-free flags as evaluation does, next to flags the context decides", async () => {
    for (const role of ["owner", "guest"]) {
      const res = await ofrep(role);
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(Number(res.headers["content-length"])).toBe(res.rawPayload.length);
      expect(res.json()).toEqual({
        // In snapshot order: by key.
        flags: [
          { key: "always_on", value: true, variant: "on", reason: "STATIC", metadata: { detail: "FALLTHROUGH" } },
          role === "owner"
            ? { key: "for_owners", value: true, variant: "on", reason: "TARGETING_MATCH", metadata: { detail: expect.stringMatching(/^RULE:/) } }
            : { key: "for_owners", value: false, variant: "off", reason: "DEFAULT", metadata: { detail: "FALLTHROUGH" } },
          { key: "quiet", value: true, variant: "on", reason: "STATIC", metadata: { detail: "FALLTHROUGH" } },
          { key: "switched_off", value: false, variant: "off", reason: "DISABLED", metadata: { detail: "FLAG_DISABLED" } },
        ],
      });
      const page = await portal(role);
      expect(page.statusCode).toBe(200);
      expect(page.json().flags).toEqual({
        always_on: { value: true, variant: "on", reason: "STATIC" },
        switched_off: { value: false, variant: "off", reason: "DISABLED" },
        for_owners: role === "owner" ? { value: true, variant: "on", reason: "TARGETING_MATCH" } : { value: false, variant: "off", reason: "DEFAULT" },
        quiet: { value: true, variant: "on", reason: "STATIC" },
      });
    }
  });

  it("changes a context-free flag's answer and the ETag when the snapshot changes", async () => {
    const before = await ofrep("guest");
    const beforePage = await portal("guest");
    const etag = before.headers.etag as string;
    const pageEtag = beforePage.headers.etag as string;
    expect((await ofrep("guest", { "if-none-match": etag })).statusCode).toBe(304);
    expect((await portal("guest", { "if-none-match": pageEtag })).statusCode).toBe(304);

    await toggleFlag(t.app, t.db, ws.id, prod.id, "switched_off", true);
    await expect.poll(async () => ofrepItem((await ofrep("guest")).json(), "switched_off"), { timeout: 10_000 }).toEqual({
      key: "switched_off",
      value: true,
      variant: "on",
      reason: "STATIC",
      metadata: { detail: "FALLTHROUGH" },
    });
    const after = await ofrep("guest", { "if-none-match": etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    const afterPage = await portal("guest", { "if-none-match": pageEtag });
    expect(afterPage.statusCode).toBe(200);
    expect(afterPage.headers.etag).not.toBe(pageEtag);
    expect(afterPage.json().flags.switched_off).toEqual({ value: true, variant: "on", reason: "STATIC" });
  });

  it("writes a JSON value's answer once per snapshot and follows its change", async () => {
    const variants = [
      { key: "wide", value: { columns: 3, labels: ["a", "b"] } },
      { key: "narrow", value: { columns: 1, labels: [] } },
    ];
    await createFlag(t.db, ws.id, { key: "layout", type: "json", variants, states: { [prod.id]: { enabled: true, fallthrough: { variant: "wide" } } } });
    await publishChange(t.app, t.db, ws.id);
    const layoutOf = async () => ofrepItem((await ofrep("guest")).json(), "layout");
    await expect.poll(layoutOf, { timeout: 10_000 }).toEqual({ key: "layout", value: variants[0]!.value, variant: "wide", reason: "STATIC", metadata: { detail: "FALLTHROUGH" } });
    const first = await ofrep("guest");
    const again = await ofrep("guest");
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await portal("guest")).json().flags.layout).toEqual({ value: variants[0]!.value, variant: "wide", reason: "STATIC" });

    await toggleFlag(t.app, t.db, ws.id, prod.id, "layout", false);
    await expect.poll(layoutOf, { timeout: 10_000 }).toEqual({ key: "layout", value: variants[1]!.value, variant: "narrow", reason: "DISABLED", metadata: { detail: "FLAG_DISABLED" } });
    expect((await ofrep("guest")).headers.etag).not.toBe(first.headers.etag);
    expect((await portal("guest")).json().flags.layout).toEqual({ value: variants[1]!.value, variant: "narrow", reason: "DISABLED" });
  });

  it("counts every flag a bulk evaluation answered, context-free ones included, but not those with Track analytics off", async () => {
    const environmentId = prod.id;
    t.app.services.statsRecorder.drain();
    for (let i = 0; i < 3; i++) expect((await ofrep(i === 0 ? "owner" : "guest")).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await portal("owner")).statusCode).toBe(200);
    const counted = t.app.services.statsRecorder.drain().filter((counter) => counter.environmentId === environmentId);
    const byFlag = Object.fromEntries(counted.map((counter) => [counter.flagKey, counter]));
    expect(Object.keys(byFlag).sort()).toEqual(["always_on", "for_owners", "layout", "switched_off"]);
    for (const key of ["always_on", "switched_off", "for_owners", "layout"]) expect(byFlag[key]!.evaluations).toBe(5);
    expect(byFlag.always_on!.trueCount).toBe(5);
    expect(Object.fromEntries(byFlag.always_on!.variants)).toEqual({ on: 5 });
    // Owners match the rule (three of the five requests), guests fall through to off.
    expect(Object.fromEntries(byFlag.for_owners!.variants)).toEqual({ on: 3, off: 2 });
    expect(byFlag.always_on!.users.count()).toBe(1);
  });
});
