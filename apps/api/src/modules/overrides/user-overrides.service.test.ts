import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading, recordingWriter } from "../../../test/helpers/recording-writer";
import { editor, flagRow, memoryFlagLookups, NOW, production, recordingLimits, staging, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { EnvironmentRow, FlagRow } from "../../infra/db/lookups.repository";
import type { UserOverrideRow } from "./overrides.repository";
import type { UserOverridesRepository } from "./user-overrides.repository";
import { createUserOverridesService } from "./user-overrides.service";

/** The repository in memory: one workspace's flags, environments and user overrides. */
function fakeRepository(flags: FlagRow[], environments: EnvironmentRow[]) {
  const rows: (UserOverrideRow & { workspaceId: string; flagId: string; environmentId: string })[] = [];
  let ids = 0;
  const inScope = (workspaceId: string) => rows.filter((row) => row.workspaceId === workspaceId);
  const byKey = (a: { userKey: string }, b: { userKey: string }) => a.userKey.localeCompare(b.userKey);
  const strip = ({ workspaceId: _w, flagId: _f, environmentId: _e, ...row }: (typeof rows)[number]): UserOverrideRow => ({ ...row });
  const repo: UserOverridesRepository = {
    ...memoryFlagLookups(flags, environments),
    async find(_tx, workspaceId, flagId, environmentId, userKey) {
      const row = inScope(workspaceId).find((r) => r.flagId === flagId && r.environmentId === environmentId && r.userKey === userKey);
      return row ? strip(row) : null;
    },
    async list(_tx, workspaceId, filter, skip, take) {
      const found = inScope(workspaceId)
        .filter((r) => r.flagId === filter.flagId && r.environmentId === filter.environmentId)
        .filter((r) => !filter.search || r.userKey.toLowerCase().includes(filter.search.toLowerCase()))
        .sort(byKey);
      return { total: found.length, items: found.slice(skip, skip + take).map(strip) };
    },
    async listInEnvironment(_tx, workspaceId, filter, skip, take) {
      const found = inScope(workspaceId)
        .filter((r) => r.environmentId === filter.environmentId)
        .map((r) => ({ row: r, flag: flags.find((f) => f.id === r.flagId)! }))
        .filter(({ flag }) => flag.archivedAt === null && (!filter.flagKey || flag.key === filter.flagKey))
        .filter(({ row }) => !filter.search || row.userKey.toLowerCase().includes(filter.search.toLowerCase()))
        .filter(({ row }) => !filter.liveAt || row.expiresAt === null || row.expiresAt > filter.liveAt)
        .sort((a, b) => byKey(a.row, b.row) || a.flag.key.localeCompare(b.flag.key));
      return { total: found.length, items: found.slice(skip, skip + take).map(({ row, flag }) => ({ ...strip(row), flag: { key: flag.key, name: flag.name } })) };
    },
    async create(_tx, workspaceId, key, data) {
      const at = new Date(NOW);
      const row = { id: `uo-${++ids}`, workspaceId, ...key, ...data, version: 1, createdAt: at, updatedAt: at };
      rows.push(row);
      return strip(row);
    },
    ...versionedWrites(rows),
  };
  return { repo, rows };
}

describe("user overrides service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let limited: string[][];
  let service: ReturnType<typeof createUserOverridesService>;
  const ref = (userKey = "user-42", flagKey = "checkout") => ({ flag: flagKey, env: "staging", userKey });

  beforeEach(() => {
    fake = fakeRepository([flagRow("checkout"), flagRow("legacy", { archivedAt: new Date(NOW - 1000) }), flagRow("search")], [staging, production]);
    writer = recordingWriter();
    const { limits, checked } = recordingLimits();
    limited = checked;
    service = createUserOverridesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, limits, now: () => NOW });
  });

  it("creates an override: checked against the environment's limits, audited and bumped in its environment only", async () => {
    const { override, isCreated } = await service.set(WS, ref(), { variant: "on", expiresAt: "2026-06-02T00:00:00Z" }, undefined, editor);
    expect(isCreated).toBe(true);
    expect(override).toMatchObject({ flag: "checkout", environment: "staging", userKey: "user-42", variant: "on", isExpired: false, version: 1, updatedBy: editor.email });
    expect(limited).toEqual([[staging.id]]);
    expect(writer.committed).toEqual({
      bumped: [[staging.id]],
      audit: [
        expect.objectContaining({
          actor: editor,
          workspaceId: WS,
          environment: staging,
          action: "user_override.set",
          targetType: "user_override",
          targetKey: "checkout",
          before: null,
          after: { userKey: "user-42", variant: "on", expiresAt: "2026-06-02T00:00:00.000Z" },
        }),
      ],
    });
  });

  it("replaces an existing override only with the version read", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, editor);
    expect(await codeOf(service.set(WS, ref(), { variant: "off" }, undefined, editor))).toBe("PRECONDITION_REQUIRED");
    expect(await codeOf(service.set(WS, ref(), { variant: "off" }, 7, editor))).toBe("VERSION_MISMATCH");
    const { override, isCreated } = await service.set(WS, ref(), { variant: "off" }, 1, editor);
    expect({ isCreated, variant: override.variant, version: override.version }).toEqual({ isCreated: false, variant: "off", version: 2 });
    expect(writer.committed.audit.map((r) => [r.action, r.before, r.after])).toEqual([
      ["user_override.set", null, { userKey: "user-42", variant: "on", expiresAt: null }],
      ["user_override.set", { userKey: "user-42", variant: "on", expiresAt: null }, { userKey: "user-42", variant: "off", expiresAt: null }],
    ]);
    // Replacing never grows the environment: only the creation was checked against its limits.
    expect(limited).toHaveLength(1);
  });

  it("records and bumps nothing when the override is set to what it already is", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, editor);
    const { override, isCreated } = await service.set(WS, ref(), { variant: "on" }, 1, editor);
    expect({ isCreated, version: override.version }).toEqual({ isCreated: false, version: 1 });
    expect(writer.committed.audit).toHaveLength(1);
    expect(writer.committed.bumped).toHaveLength(1);
  });

  it("refuses unknown variants, past expiries, archived and unknown flags, and unknown environments, writing nothing", async () => {
    expect(await codeOf(service.set(WS, ref(), { variant: "maybe" }, undefined, editor))).toBe("VALIDATION_FAILED");
    expect(await codeOf(service.set(WS, ref(), { variant: "on", expiresAt: "2026-06-01T11:59:59Z" }, undefined, editor))).toBe("VALIDATION_FAILED");
    expect(await codeOf(service.set(WS, ref("user-42", "legacy"), { variant: "on" }, undefined, editor))).toBe("CONFLICT");
    expect(await codeOf(service.set(WS, ref("user-42", "missing"), { variant: "on" }, undefined, editor))).toBe("NOT_FOUND");
    expect(await codeOf(service.set(WS, { ...ref(), env: "qa" }, { variant: "on" }, undefined, editor))).toBe("NOT_FOUND");
    expect(await codeOf(service.set("ws-other", ref(), { variant: "on" }, undefined, editor))).toBe("NOT_FOUND");
    expect(fake.rows).toEqual([]);
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
  });

  it("clears an override, with If-Match optional but checked when sent", async () => {
    await service.set(WS, ref(), { variant: "on" }, undefined, editor);
    expect(await codeOf(service.clear(WS, ref(), 3, editor))).toBe("VERSION_MISMATCH");
    await service.clear(WS, ref(), undefined, editor);
    expect(fake.rows).toEqual([]);
    expect(await codeOf(service.clear(WS, ref(), undefined, editor))).toBe("NOT_FOUND");
    expect(await codeOf(service.get(WS, ref()))).toBe("NOT_FOUND");
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "user_override.cleared", before: { userKey: "user-42", variant: "on" }, after: null });
    expect(writer.committed.bumped).toEqual([[staging.id], [staging.id]]);
  });

  it("lists a flag's overrides by user key and searches them; the environment's page skips archived flags and, when asked, expired overrides", async () => {
    for (const userKey of ["zoe", "Adam", "mia"]) await service.set(WS, ref(userKey), { variant: "on" }, undefined, editor);
    await service.set(WS, ref("kim", "search"), { variant: "off", expiresAt: "2026-06-01T12:00:01Z" }, undefined, editor);
    // The legacy flag was archived after its override was set.
    fake.rows.push({ ...fake.rows[0]!, id: "uo-legacy", userKey: "bob", flagId: flagRow("legacy").id });

    const listed = await service.list(WS, "checkout", "staging", { page: 1, pageSize: 2 });
    expect({ total: listed.total, users: listed.items.map((i) => i.userKey) }).toEqual({ total: 3, users: ["Adam", "mia"] });
    const searched = await service.list(WS, "checkout", "staging", { page: 1, pageSize: 10, search: "ADA" });
    expect(searched.items.map((i) => i.userKey)).toEqual(["Adam"]);

    const page = await service.listInEnvironment(WS, "staging", { page: 1, pageSize: 10 });
    expect(page.items.map((i) => [i.userKey, i.flag, i.flagName])).toEqual([
      ["Adam", "checkout", "checkout"],
      ["kim", "search", "search"],
      ["mia", "checkout", "checkout"],
      ["zoe", "checkout", "checkout"],
    ]);
    const later = createUserOverridesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, limits: { assertEnvironments: async () => {} }, now: () => NOW + 5_000 });
    const live = await later.listInEnvironment(WS, "staging", { page: 1, pageSize: 10, expired: false });
    expect(live.items.map((i) => i.userKey)).toEqual(["Adam", "mia", "zoe"]);
    expect(await codeOf(service.listInEnvironment(WS, "qa", { page: 1, pageSize: 10 }))).toBe("NOT_FOUND");
  });
});
