import type { CreateSegmentBody, SegmentUsage } from "@ensign/contracts/segments";
import type { SegmentRule } from "@ensign/contracts/targeting";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { editor, NOW, versionedWrites, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import { AppError } from "../../infra/errors";
import type { SegmentRow, SegmentsRepository } from "./segments.repository";
import { createSegmentsService } from "./segments.service";

type StoredSegment = SegmentRow & { workspaceId: string };

/** The repository in memory: segments, and the flag rules that read them (`reads`). */
function fakeRepository() {
  const segments: StoredSegment[] = [];
  const reads: (SegmentUsage & { segmentKey: string })[] = [];
  let ids = 0;
  const { inScope, strip } = workspaceRows(segments);

  const repo: SegmentsRepository = {
    async list(_tx, workspaceId, query) {
      const found = inScope(workspaceId)
        .filter((s) => !query.search || `${s.key} ${s.name}`.toLowerCase().includes(query.search.toLowerCase()))
        .sort((a, b) => a.key.localeCompare(b.key));
      const skip = (query.page - 1) * query.pageSize;
      return { rows: found.slice(skip, skip + query.pageSize).map(strip), total: found.length };
    },
    async findByKey(_tx, workspaceId, key) {
      const row = inScope(workspaceId).find((s) => s.key === key);
      return row ? strip(row) : null;
    },
    async flagCounts(_tx, workspaceId, keys) {
      const counts = new Map<string, number>();
      if (workspaceId !== WS) return counts;
      for (const read of reads) if (keys.includes(read.segmentKey)) counts.set(read.segmentKey, (counts.get(read.segmentKey) ?? 0) + 1);
      return counts;
    },
    async usage(_tx, workspaceId, key) {
      return workspaceId === WS ? reads.filter((r) => r.segmentKey === key).map(({ flagKey, environments }) => ({ flagKey, environments })) : [];
    },
    async create(_tx, workspaceId, data) {
      const at = new Date(NOW);
      const row: StoredSegment = {
        workspaceId,
        id: `seg-${++ids}`,
        description: "",
        includedUsers: [],
        excludedUsers: [],
        includedTenants: [],
        excludedTenants: [],
        ...data,
        rules: (data.rules ?? []) as SegmentRow["rules"],
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      segments.push(row);
      return strip(row);
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const row = inScope(workspaceId).find((s) => s.id === id && s.version === expectedVersion);
      if (!row) return null;
      Object.assign(row, data, { version: row.version + 1 });
      return strip(row);
    },
    delete: versionedWrites(segments).delete,
  };
  const rows = {
    save() {
      const saved = structuredClone(segments);
      return () => void segments.splice(0, segments.length, ...saved);
    },
  };
  return { repo, rows, segments, reads };
}

const country = (...values: string[]): SegmentRule => ({ conditions: [{ attribute: "country", operator: "in", values }] });

describe("segments service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  /** The fake limit: how many listed members the workspace's segments may hold in all. */
  let maxMembers: number;
  let checked: number;
  let service: ReturnType<typeof createSegmentsService>;
  const body = (key: string, fields: Partial<CreateSegmentBody> = {}): CreateSegmentBody => ({
    key,
    name: key,
    includedUsers: [],
    excludedUsers: [],
    includedTenants: [],
    excludedTenants: [],
    rules: [],
    ...fields,
  });

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    maxMembers = 5;
    checked = 0;
    const limits = {
      async assertSegments(_tx: unknown, workspaceId: string) {
        checked += 1;
        const members = fake.segments.filter((s) => s.workspaceId === workspaceId).flatMap((s) => [...s.includedUsers, ...s.excludedUsers]).length;
        if (members > maxMembers) throw new AppError("LIMIT_EXCEEDED", `The workspace would hold ${members} members.`);
      },
    };
    service = createSegmentsService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, limits });
  });

  it("creates a segment, audited, checked against the workspace's limits and bumped in every environment", async () => {
    const created = await service.create(WS, body("beta", { description: "Beta testers", includedUsers: ["ann"], rules: [country("NL")] }), editor);
    expect(created).toMatchObject({ key: "beta", description: "Beta testers", includedUsers: ["ann"], rules: [country("NL")], usedByFlags: 0, version: 1 });
    expect(checked).toBe(1);
    expect(writer.committed.bumped).toEqual([["*"]]);
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        action: "segment.created",
        targetType: "segment",
        targetId: created.id,
        targetKey: "beta",
        after: {
          key: "beta",
          name: "beta",
          description: "Beta testers",
          includedUsers: ["ann"],
          excludedUsers: [],
          includedTenants: [],
          excludedTenants: [],
          rules: [country("NL")],
        },
      },
    ]);
  });

  it("refuses a key already taken", async () => {
    await service.create(WS, body("beta"), editor);
    expect((await refusal(service.create(WS, body("beta", { name: "Other" }), editor))).code).toBe("ALREADY_EXISTS");
    expect(fake.segments.map((s) => s.name)).toEqual(["beta"]);
  });

  it("refuses rules that read another segment, naming each condition, on create and on update", async () => {
    const nested: SegmentRule[] = [country("NL"), { conditions: [country("DE").conditions[0]!, { attribute: "user", operator: "in_segment", values: ["staff"] }] }];
    const refused = await refusal(service.create(WS, body("beta", { rules: nested }), editor));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.details).toEqual({ issues: [{ path: "body.rules.1.conditions.1.operator", message: "a segment cannot refer to another segment" }] });
    await service.create(WS, body("beta"), editor);
    expect((await refusal(service.update(WS, "beta", 1, { rules: nested }, editor))).code).toBe("VALIDATION_FAILED");
    expect(fake.segments[0]!.rules).toEqual([]);
    expect(writer.committed.audit).toHaveLength(1);
  });

  it("rolls back a write that takes the workspace past its limits", async () => {
    await service.create(WS, body("beta", { includedUsers: ["a", "b", "c"] }), editor);
    const tooBig = await refusal(service.create(WS, body("staff", { includedUsers: ["d", "e", "f"] }), editor));
    expect(tooBig.code).toBe("LIMIT_EXCEEDED");
    expect((await refusal(service.update(WS, "beta", 1, { excludedUsers: ["x", "y", "z"] }, editor))).code).toBe("LIMIT_EXCEEDED");
    expect(fake.segments.map((s) => [s.key, s.includedUsers, s.excludedUsers, s.version])).toEqual([["beta", ["a", "b", "c"], [], 1]]);
    expect(writer.committed.bumped).toEqual([["*"]]);
  });

  it("replaces lists only under the version read, audits what changed, and clears the description with null", async () => {
    await service.create(WS, body("beta", { description: "Testers", includedUsers: ["ann"] }), editor);
    const stale = await refusal(service.update(WS, "beta", 4, { includedUsers: ["bob"] }, editor));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });

    const updated = await service.update(WS, "beta", 1, { includedUsers: ["bob"], description: null, name: "beta" }, editor);
    expect(updated).toMatchObject({ includedUsers: ["bob"], description: "", version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "segment.updated",
      before: { includedUsers: ["ann"], description: "Testers" },
      after: { includedUsers: ["bob"], description: "" },
    });
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
    expect((await refusal(service.update(WS, "nobody", 1, { name: "x" }, editor))).code).toBe("NOT_FOUND");
  });

  it("refuses to delete a segment flags still read, naming them, and deletes it once none does", async () => {
    await service.create(WS, body("beta"), editor);
    fake.reads.push({ segmentKey: "beta", flagKey: "checkout", environments: ["production", "staging"] });
    const inUse = await refusal(service.delete(WS, "beta", 1, editor));
    expect(inUse.code).toBe("CONFLICT");
    expect(inUse.message).toBe("Segment 'beta' is used by 1 flag: checkout.");
    expect(inUse.details).toEqual({ flags: [{ flagKey: "checkout", environments: ["production", "staging"] }] });
    expect(fake.segments).toHaveLength(1);

    fake.reads.length = 0;
    expect((await refusal(service.delete(WS, "beta", 2, editor))).code).toBe("VERSION_MISMATCH");
    await service.delete(WS, "beta", 1, editor);
    expect(fake.segments).toEqual([]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "segment.deleted", targetKey: "beta", before: { key: "beta" } });
    expect(writer.committed.bumped).toEqual([["*"], ["*"]]);
  });

  it("names at most ten of the flags that read a segment in the message, and all of them in the details", async () => {
    await service.create(WS, body("beta"), editor);
    for (let i = 1; i <= 12; i++) fake.reads.push({ segmentKey: "beta", flagKey: `flag-${String(i).padStart(2, "0")}`, environments: ["production"] });
    const inUse = await refusal(service.delete(WS, "beta", 1, editor));
    expect(inUse.message).toBe(`Segment 'beta' is used by 12 flags: ${Array.from({ length: 10 }, (_, i) => `flag-${String(i + 1).padStart(2, "0")}`).join(", ")}, ....`);
    expect((inUse.details as { flags: unknown[] }).flags).toHaveLength(12);
  });

  it("lists and shows segments with how many flags read them, and never another workspace's", async () => {
    await service.create(WS, body("beta"), editor);
    await service.create(WS, body("staff"), editor);
    fake.reads.push({ segmentKey: "staff", flagKey: "admin-tools", environments: ["production"] }, { segmentKey: "staff", flagKey: "reports", environments: ["staging"] });
    const page = await service.list(WS, { page: 1, pageSize: 10, sort: "key", order: "asc" });
    expect({ total: page.total, items: page.items.map((s) => [s.key, s.usedByFlags]) }).toEqual({ total: 2, items: [["beta", 0], ["staff", 2]] });
    const staff = await service.get(WS, "staff");
    expect({ usedByFlags: staff.usedByFlags, usedBy: staff.usedBy.map((u) => u.flagKey) }).toEqual({ usedByFlags: 2, usedBy: ["admin-tools", "reports"] });
    expect((await refusal(service.get("ws-other", "staff"))).code).toBe("NOT_FOUND");
    expect((await service.list("ws-other", { page: 1, pageSize: 10, sort: "key", order: "asc" })).total).toBe(0);
  });
});
