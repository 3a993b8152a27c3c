import type { FastifyBaseLogger } from "fastify";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "../../generated/prisma/client";
import { createMemoryCache } from "../../infra/cache/memory-cache";
import { ENVIRONMENT_CHANGED_CHANNEL, type EnvironmentChange } from "../../infra/changes";
import { createVersionWatcher } from "./version-watcher";

/**
 * PostgreSQL's answer to the version poll, from a map of environment id → snapshot version; `hold`
 * keeps the next answer back until `release`, to act while a poll is under way.
 */
function versionsTable(rows: Map<string, number>) {
  let gate: Promise<void> | undefined;
  let open = () => {};
  const prisma = {
    environment: {
      async findMany({ where }: { where: { id: { in: string[] } } }) {
        const ids = where.id.in;
        await gate;
        return ids.filter((id) => rows.has(id)).map((id) => ({ id, snapshotVersion: rows.get(id)! }));
      },
    },
  } as unknown as PrismaClient;
  return {
    prisma,
    hold: () => void (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => open(),
  };
}

function watcherOver(rows: Map<string, number>, cache = createMemoryCache()) {
  const table = versionsTable(rows);
  const watcher = createVersionWatcher({ cache, prisma: table.prisma, log: pino({ level: "silent" }) as FastifyBaseLogger, pollMs: 60_000 });
  const heard: EnvironmentChange[] = [];
  watcher.onChange((change) => heard.push(change));
  return { watcher, heard, table };
}

const info = (version: number) => ({ workspaceId: "w1", environmentKey: "production", version });

describe("version watcher polling", () => {
  it("announces a newer version once", async () => {
    const rows = new Map([["e1", 3]]);
    const { watcher, heard } = watcherOver(rows);
    watcher.track("e1", info(3));
    rows.set("e1", 5);
    await watcher.pollNow();
    await watcher.pollNow();
    expect(heard).toEqual([{ workspaceId: "w1", environmentId: "e1", environmentKey: "production", version: 5 }]);
  });

  it("announces an environment PostgreSQL no longer has as deleted, once, and stops polling it", async () => {
    const rows = new Map([["e1", 3]]);
    const { watcher, heard } = watcherOver(rows);
    watcher.track("e1", info(3));
    rows.delete("e1");
    await watcher.pollNow();
    await watcher.pollNow();
    expect(heard).toEqual([{ workspaceId: "w1", environmentId: "e1", environmentKey: "production", version: 4, isDeleted: true }]);
    expect(watcher.known("e1")).toBeUndefined();
  });

  it("never takes an environment tracked while a poll is under way for a deleted one", async () => {
    const rows = new Map([
      ["e1", 3],
      ["e2", 7],
    ]);
    const { watcher, heard, table } = watcherOver(rows);
    watcher.track("e1", info(3));
    table.hold();
    const polling = watcher.pollNow();
    watcher.track("e2", info(7));
    table.release();
    await polling;
    expect(heard).toEqual([]);
    expect(watcher.known("e2")).toBe(7);
  });
});

describe("version watcher polling ahead of the messages", () => {
  afterEach(() => void vi.useRealTimers());
  const change = (version: number): EnvironmentChange => ({ workspaceId: "w1", environmentId: "e1", environmentKey: "production", version });

  /** A watcher holding e1 at version 3 whose PostgreSQL has version 4, polled with `graceMs`. */
  async function polledAhead(graceMs?: number) {
    const rows = new Map([["e1", 3]]);
    const over = watcherOver(rows);
    over.watcher.track("e1", info(3));
    rows.set("e1", 4);
    await over.watcher.pollNow(graceMs);
    return { ...over, rows };
  }

  it("waits the grace for a version's message and announces only the message, with its delta", async () => {
    vi.useFakeTimers();
    const { watcher, heard } = await polledAhead(1_000);
    expect(heard).toEqual([]);
    const withDelta = { ...change(4), delta: { fromVersion: 3, flags: [] } };
    watcher.feed([withDelta]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(heard).toEqual([withDelta]);
  });

  it("announces the newest version polled once the grace passes without its message", async () => {
    vi.useFakeTimers();
    const { watcher, heard, rows } = await polledAhead(1_000);
    rows.set("e1", 6);
    await vi.advanceTimersByTimeAsync(500);
    await watcher.pollNow(1_000);
    await vi.advanceTimersByTimeAsync(499);
    expect(heard).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(heard).toEqual([change(6)]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(heard).toEqual([change(6)]);
  });

  it("announces at once when polled without a grace, as after a Redis outage", async () => {
    const { heard } = await polledAhead();
    expect(heard).toEqual([change(4)]);
  });
});

describe("version watcher messages", () => {
  const flag = { key: "kb", state: { enabled: true } };

  it("passes a change's delta on, and drops a malformed one while the change still counts", async () => {
    const cache = createMemoryCache();
    const { watcher, heard } = watcherOver(new Map(), cache);
    await watcher.start();
    const change = (environmentId: string, delta: unknown) => ({ workspaceId: "w1", environmentId, environmentKey: "production", version: 4, delta });
    await cache.publish(
      ENVIRONMENT_CHANGED_CHANNEL,
      JSON.stringify([change("e1", { fromVersion: 3, flags: [flag] }), change("e2", { fromVersion: "3", flags: [flag] }), change("e3", { fromVersion: 3, flags: [{ state: {} }] })]),
    );
    await watcher.stop();
    expect(heard).toEqual([
      { workspaceId: "w1", environmentId: "e1", environmentKey: "production", version: 4, delta: { fromVersion: 3, flags: [flag] } },
      { workspaceId: "w1", environmentId: "e2", environmentKey: "production", version: 4 },
      { workspaceId: "w1", environmentId: "e3", environmentKey: "production", version: 4 },
    ]);
  });
});
