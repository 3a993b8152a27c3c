import { describe, expect, it } from "vitest";
import { memoryReading } from "../../../test/helpers/recording-writer";
import { NOW, WS } from "../../../test/helpers/service-fixtures";
import { AppError } from "../../infra/errors";
import type { AuditCursor, AuditFilters, AuditRepository, AuditRow } from "./audit.repository";
import { createAuditService, decodeCursor, encodeCursor, filtersOf } from "./audit.service";

describe("audit cursors and filters", () => {
  it("round-trips a cursor and refuses one it did not make", () => {
    const position = { at: new Date("2026-03-01T12:00:00.123Z"), id: 9_007_199_254_740_993n };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of ["", "abc", Buffer.from("1.2.3").toString("base64url"), Buffer.from("-1.5").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });

  it.each([
    [{ action: "flag." }, { action: { prefix: "flag." } }],
    [{ action: "tenant_override*" }, { action: { prefix: "tenant_override" } }],
    [{ action: "flag.created" }, { action: { exact: "flag.created" } }],
    [{ actor: "Ada@Example.test" }, { actor: { email: "ada@example.test" } }],
    [{ actor: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B" }, { actor: { id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" } }],
    [{ actor: "system" }, { actor: { type: "system" } }],
  ])("reads %j", (query, expected) => {
    expect(filtersOf(query)).toMatchObject(expected);
  });
});

/** The workspace's log in memory, oldest first, one entry a minute; the reads it was asked for. */
function fakeRepository(count: number) {
  const rows: AuditRow[] = Array.from({ length: count }, (_, i) => ({
    id: BigInt(i + 1),
    at: new Date(NOW - (count - i) * 60_000),
    actorType: "user",
    actorId: "u-1",
    actorEmail: "editor@example.test",
    actorUserId: null,
    actorName: null,
    actorRole: "editor",
    ip: "127.0.0.1",
    userAgent: "test",
    requestId: `req-${i + 1}`,
    environmentKey: "production",
    tenantKey: null,
    action: "flag.updated",
    targetType: "flag",
    targetId: null,
    targetKey: `flag-${i + 1}`,
    before: null,
    after: null,
  }));
  const asked: { workspaceId: string; filters: AuditFilters; cursor: AuditCursor | undefined; take: number }[] = [];
  const isBefore = (row: AuditRow, cursor: AuditCursor) => row.at < cursor.at || (row.at.getTime() === cursor.at.getTime() && row.id < cursor.id);
  const repo: AuditRepository = {
    async page(_tx, workspaceId, filters, cursor, take) {
      asked.push({ workspaceId, filters, cursor, take });
      const newestFirst = workspaceId === WS ? [...rows].reverse() : [];
      return { rows: newestFirst.filter((row) => !cursor || isBefore(row, cursor)).slice(0, take), total: newestFirst.length };
    },
  };
  return { repo, asked };
}

describe("audit service", () => {
  it("pages newest first, reading one entry more to know whether a next page follows, until the log ends", async () => {
    const fake = fakeRepository(5);
    const service = createAuditService({ reading: memoryReading, repo: fake.repo });
    const first = await service.list(WS, { pageSize: 2, action: "flag." });
    expect({ ids: first.items.map((i) => i.id), total: first.total, hasNext: first.nextCursor !== null }).toEqual({ ids: ["5", "4"], total: 5, hasNext: true });
    expect(fake.asked).toEqual([{ workspaceId: WS, filters: expect.objectContaining({ action: { prefix: "flag." } }), cursor: undefined, take: 3 }]);

    const second = await service.list(WS, { pageSize: 2, cursor: first.nextCursor! });
    expect(fake.asked.at(-1)!.cursor).toEqual({ at: new Date(NOW - 2 * 60_000), id: 4n });
    const third = await service.list(WS, { pageSize: 2, cursor: second.nextCursor! });
    expect([second.items.map((i) => i.id), third.items.map((i) => i.id), third.nextCursor]).toEqual([["3", "2"], ["1"], null]);
  });

  it("ends on a full last page without a cursor to an empty one", async () => {
    const service = createAuditService({ reading: memoryReading, repo: fakeRepository(2).repo });
    const only = await service.list(WS, { pageSize: 2 });
    expect({ ids: only.items.map((i) => i.id), nextCursor: only.nextCursor }).toEqual({ ids: ["2", "1"], nextCursor: null });
  });
});
