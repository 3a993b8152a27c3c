import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { flagsClient, type FlagsClient } from "../../../test/helpers/flags";

describe("a flag's Track analytics option", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let admin: FlagsClient;
  let headers: Record<string, string>;
  let client: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { STATS_FLUSH_INTERVAL: "1h" } });
    ws = await createWorkspace(t.db);
    headers = await memberHeaders(t.app, t.db, ws.id, "admin");
    admin = flagsClient(t.app, ws.slug, headers);
    client = (await createApiKey(t.db, ws.id, ws.environments[2]!.id, "client")).secret;
  });
  afterAll(() => t.close());

  const evaluateOne = (key: string) =>
    t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${key}`, headers: apiKeyHeaders(client), payload: { context: { targetingKey: "user-1" } } });
  const evaluateAll = () => t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context: { targetingKey: "user-2" } } });
  const evaluations = async (key: string) => {
    await t.app.services.statsFlusher.flush();
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/flags/${key}/stats?env=production&days=1`, headers });
    expect(res.statusCode).toBe(200);
    return res.json().total.evaluations as number;
  };

  it("is on by default, and a flag with it off is evaluated but not counted, singly or in bulk", async () => {
    const counted = await admin.create({ key: "counted", name: "Counted" });
    expect(counted.json()).toMatchObject({ trackAnalytics: true });
    const quiet = await admin.create({ key: "quiet", name: "Quiet", trackAnalytics: false });
    expect(quiet.statusCode).toBe(201);
    expect(quiet.json()).toMatchObject({ trackAnalytics: false });

    expect((await evaluateOne("counted")).statusCode).toBe(200);
    const answer = await evaluateOne("quiet");
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ key: "quiet", value: false });
    const bulk = await evaluateAll();
    expect(bulk.json().flags.map((f: { key: string }) => f.key).sort()).toEqual(["counted", "quiet"]);

    expect(await evaluations("counted")).toBe(2);
    expect(await evaluations("quiet")).toBe(0);
    const listed = (await admin.list("search=quiet")).json().items[0];
    expect(listed).toMatchObject({ key: "quiet", trackAnalytics: false });
  });

  it("turned back on, counts from the next snapshot on; the change is audited", async () => {
    const res = await admin.patch("quiet", 1, { trackAnalytics: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ trackAnalytics: true });
    // The replica picks up the new snapshot shortly after the write.
    await expect.poll(async () => { await evaluateOne("quiet"); return evaluations("quiet"); }, { timeout: 10_000 }).toBeGreaterThan(0);
    const audit = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId: ws.id, action: "flag.updated", targetKey: "quiet" } });
    expect(audit.after).toMatchObject({ trackAnalytics: true });
    expect(audit.before).toMatchObject({ trackAnalytics: false });
  });

  it("refuses a non-boolean value with 400", async () => {
    const res = await admin.patch("counted", 1, { trackAnalytics: "no" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain("body.trackAnalytics");
  });
});
