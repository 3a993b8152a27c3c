import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { DIRTY_SET } from "./stats-codec";

describe("stats flusher", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let environmentId: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { STATS_FLUSH_INTERVAL: "1h" } });
    ws = await createWorkspace(t.db);
    environmentId = ws.environments[2]!.id;
  });
  afterAll(() => t.close());

  const record = (workspaceId: string, environment: string, flagKey: string, times: number) => {
    for (let i = 0; i < times; i++) {
      t.app.services.statsRecorder.record(workspaceId, environment, { key: flagKey, variant: "on", value: true, reason: "STATIC" }, `user-${i}`, 5);
    }
  };
  const stored = async (flagKey: string) =>
    (await t.db.prisma.flagStatBucket.findMany({ where: { environmentId, flagKey } })).reduce((sum, row) => sum + Number(row.evaluations), 0);

  it("moves counters of environments that are gone out of the way, without holding back or doubling the others", async () => {
    // Counters of an environment deleted since they were counted (or of a workspace another
    // database owns, on a shared Redis) wait in Redis next to this environment's.
    record(randomUUID(), randomUUID(), "orphan", 3);
    await t.app.services.statsFlusher.flush();
    record(ws.id, environmentId, "kept", 7);
    await t.app.services.statsFlusher.flush();
    expect(await stored("kept")).toBe(7);
    expect(await t.cache.setPop(DIRTY_SET, 100)).toEqual([]);

    // Later rounds add only what is new.
    record(ws.id, environmentId, "kept", 2);
    await t.app.services.statsFlusher.flush();
    await t.app.services.statsFlusher.flush();
    expect(await stored("kept")).toBe(9);
    expect(await t.db.prisma.flagStatBucket.count({ where: { flagKey: "orphan" } })).toBe(0);
  });
});
