import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ifMatch } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { waitUntil } from "../../../test/helpers/wait";

const signed = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(secret));

describe("request headers exposed to targeting as header.<name>", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prod: { id: string; contextSecret: string };
  let client: string;
  let owner: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    prod = ws.environments[2]!;
    const rule = (attribute: string, value: string) => ({ conditions: [{ attribute, operator: "equals" as const, values: [value] }], serve: { variant: "on" } });
    await createFlag(t.db, ws.id, {
      key: "tiktok_share",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [rule("header.x-platform", "tiktok")] } },
    });
    await createFlag(t.db, ws.id, {
      key: "beta_channel",
      states: { [prod.id]: { enabled: true, fallthrough: { variant: "off" }, rules: [rule("header.x-channel", "beta")] } },
    });
    client = (await createApiKey(t.db, ws.id, prod.id, "client")).secret;
    owner = await memberHeaders(t.app, t.db, ws.id, "owner");
  });
  afterAll(() => t.close());

  const url = () => `/v1/workspaces/${ws.slug}/environments/production`;
  async function patch(payload: Record<string, unknown>) {
    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: prod.id } });
    return t.app.inject({ method: "PATCH", url: url(), headers: { ...owner, ...ifMatch(env.version) }, payload });
  }
  const portal = (headers: Record<string, string> = {}, query = "targetingKey=ana") =>
    t.app.inject({ method: "GET", url: `/v1/flags?${query}`, headers: { ...apiKeyHeaders(client), ...headers } });
  const ofrep = (path: string, headers: Record<string, string> = {}, context: Record<string, unknown> = { targetingKey: "ana" }) =>
    t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags${path}`, headers: { ...apiKeyHeaders(client), ...headers }, payload: { context } });
  const bulkValue = async (headers: Record<string, string>, key = "tiktok_share") =>
    ((await ofrep("", headers)).json().flags as { key: string; value: unknown }[]).find((flag) => flag.key === key)?.value;

  it("exposes nothing by default: a header rule never matches", async () => {
    expect((await t.app.inject({ method: "GET", url: url(), headers: owner })).json().exposedHeaders).toEqual([]);
    expect((await portal({ "x-platform": "tiktok" })).json().flags.tiktok_share.value).toBe(false);
    expect((await ofrep("/tiktok_share", { "x-platform": "tiktok" })).json().value).toBe(false);
  });

  it("refuses credential headers, bad names, duplicates and more than 20 headers (400 naming the rule)", async () => {
    for (const [names, message] of [
      [["authorization"], /credential headers/],
      [["cookie"], /credential headers/],
      [["x-api-key"], /credential headers/],
      [["x-ensign-context"], /credential headers/],
      [["X-Platform"], /lower-case token characters/],
      [["x platform"], /lower-case token characters/],
      [["x-platform", "x-platform"], /each header appears once/],
      [Array.from({ length: 21 }, (_, i) => `x-h${i}`), /at most 20 headers/],
    ] as const) {
      const res = await patch({ exposedHeaders: names });
      expect({ names, status: res.statusCode }).toEqual({ names, status: 400 });
      expect(JSON.stringify(res.json().error)).toMatch(message);
    }
    const env = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: prod.id } });
    expect(env.exposedHeaders).toEqual([]);
  });

  it("sets the list through the API, audited, and bumps the snapshot", async () => {
    const before = await t.db.prisma.environment.findUniqueOrThrow({ where: { id: prod.id } });
    const res = await patch({ exposedHeaders: ["x-platform"] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ exposedHeaders: ["x-platform"], snapshotVersion: before.snapshotVersion + 1 });
    const [entry] = await auditOf(t.db, ws.id, "environment.updated");
    expect(entry).toMatchObject({ environmentKey: "production", before: { exposedHeaders: [] }, after: { exposedHeaders: ["x-platform"] } });
    await waitUntil(async () => (await portal({ "x-platform": "tiktok" })).json().flags.tiktok_share.value === true, undefined, 2);
  });

  it("serves the rule on /v1/flags, OFREP single and OFREP bulk with the header, off without it", async () => {
    const withHeader = await portal({ "x-platform": "tiktok" });
    expect(withHeader.json().flags.tiktok_share.value).toBe(true);
    expect(withHeader.headers.vary).toMatch(/x-platform/);
    expect((await portal()).json().flags.tiktok_share.value).toBe(false);
    expect((await portal({ "x-platform": "android" })).json().flags.tiktok_share.value).toBe(false);

    expect((await ofrep("/tiktok_share", { "x-platform": "tiktok" })).json()).toMatchObject({ key: "tiktok_share", value: true });
    expect((await ofrep("/tiktok_share")).json()).toMatchObject({ key: "tiktok_share", value: false });
    expect(await bulkValue({ "x-platform": "tiktok" })).toBe(true);
    expect(await bulkValue({})).toBe(false);
  });

  it("ignores headers that are not exposed, and a body that claims an exposed header the request did not send", async () => {
    expect((await portal({ "x-channel": "beta" })).json().flags.beta_channel.value).toBe(false);
    expect(await bulkValue({ "x-channel": "beta" }, "beta_channel")).toBe(false);
    for (const context of [{ targetingKey: "ana", header: { "x-platform": "tiktok" } }, { targetingKey: "ana", "header.x-platform": "tiktok" }]) {
      expect((await ofrep("/tiktok_share", {}, context)).json().value).toBe(false);
    }
    const claimed = encodeURIComponent(JSON.stringify({ targetingKey: "ana", header: { "x-platform": "tiktok" } }));
    expect((await portal({}, `context=${claimed}`)).json().flags.tiktok_share.value).toBe(false);
  });

  it("cuts long values to 256 characters", async () => {
    expect((await patch({ exposedHeaders: ["x-platform", "x-channel"] })).statusCode).toBe(200);
    await waitUntil(async () => (await portal({ "x-channel": "beta" })).json().flags.beta_channel.value === true, undefined, 2);
    expect((await portal({ "x-channel": `beta${"x".repeat(300)}` })).json().flags.beta_channel.value).toBe(false);
  });

  it("adds headers to a signed context token's claims too", async () => {
    const token = await signed(prod.contextSecret, { sub: "ana" });
    expect((await patch({ requireContextToken: true })).statusCode).toBe(200);
    await waitUntil(async () => (await portal()).statusCode === 401, undefined, 2);
    expect((await portal({ "x-ensign-context": token, "x-platform": "tiktok" })).json().flags.tiktok_share.value).toBe(true);
    expect((await portal({ "x-ensign-context": token })).json().flags.tiktok_share.value).toBe(false);
    expect((await ofrep("/tiktok_share", { "x-ensign-context": token, "x-platform": "tiktok" })).json().value).toBe(true);
  });

  it("is part of the workspace export", async () => {
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/export`, headers: owner });
    expect(res.statusCode).toBe(200);
    const environments = (res.json() as { environments: { key: string; exposedHeaders?: string[] }[] }).environments;
    expect(environments.find((env) => env.key === "production")?.exposedHeaders).toEqual(["x-platform", "x-channel"]);
  });

  it("clears the list with an empty array", async () => {
    expect((await patch({ exposedHeaders: [] })).json().exposedHeaders).toEqual([]);
  });
});
