import type { FieldIssue, Page } from "@ensign/contracts/common";
import type {
  CreateSegmentBody,
  ListSegmentsQuery,
  SegmentDetailResponse,
  SegmentResponse,
  UpdateSegmentBody,
} from "@ensign/contracts/segments";
import type { SegmentRule } from "@ensign/contracts/targeting";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";
import type { Write, Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { iso, pageFrom } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import type { SegmentData, SegmentRow, SegmentsRepository } from "./segments.repository";

export function toSegmentResponse(row: SegmentRow, usedByFlags: number): SegmentResponse {
  return { ...row, rules: row.rules as SegmentRule[], usedByFlags, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

type Audited = Omit<SegmentRow, "id" | "version" | "createdAt" | "updatedAt">;
const audited = ({ key, name, description, includedUsers, excludedUsers, includedTenants, excludedTenants, rules }: SegmentRow): Audited => ({
  key,
  name,
  description,
  includedUsers,
  excludedUsers,
  includedTenants,
  excludedTenants,
  rules,
});
const target = (row: SegmentRow) => ({ targetType: "segment", targetId: row.id, targetKey: row.key });

/**
 * Segments cannot read other segments: membership stays a flat, cycle-free question that the
 * evaluator answers in one pass. Flags combine segments with several `in_segment` conditions.
 */
function refuseNestedSegments(rules: SegmentRule[] | undefined) {
  const issues: FieldIssue[] = [];
  rules?.forEach((rule, r) =>
    rule.conditions.forEach((condition, c) => {
      if (condition.operator === "in_segment") {
        issues.push({ path: `body.rules.${r}.conditions.${c}.operator`, message: "a segment cannot refer to another segment" });
      }
    }),
  );
  if (issues.length > 0) throw invalid("Segment rules cannot use in_segment.", issues);
}

function dataOf(body: UpdateSegmentBody): SegmentData {
  const { description, rules, ...rest } = body;
  return {
    ...rest,
    ...(description !== undefined ? { description: description ?? "" } : {}),
    ...(rules !== undefined ? { rules } : {}),
  };
}

export interface SegmentsServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: SegmentsRepository;
  limits: Pick<EnvironmentLimitsChecker, "assertSegments">;
}

export function createSegmentsService({ reading, writing, repo, limits }: SegmentsServiceDeps) {
  async function requireSegment(tx: Tx, workspaceId: string, key: string) {
    const row = await repo.findByKey(tx, workspaceId, key);
    if (!row) throw notFound(`Segment '${key}'`);
    return row;
  }

  /** A segment write: audited, size-checked, every environment bumped (segments are in every snapshot). */
  function write<R>(workspaceId: string, fn: (tx: Tx, w: Write) => Promise<R>): Promise<R> {
    return writing(workspaceId, async (tx, w) => {
      const result = await fn(tx, w);
      await limits.assertSegments(tx, workspaceId);
      await w.bump();
      return result;
    });
  }

  return {
    async list(workspaceId: string, query: ListSegmentsQuery): Promise<Page<SegmentResponse>> {
      const { rows, counts, total } = await reading(workspaceId, async (tx) => {
        const { rows, total } = await repo.list(tx, workspaceId, query);
        return { rows, total, counts: await repo.flagCounts(tx, workspaceId, rows.map((row) => row.key)) };
      });
      return pageFrom(rows.map((row) => toSegmentResponse(row, counts.get(row.key) ?? 0)), total, query);
    },

    async get(workspaceId: string, key: string): Promise<SegmentDetailResponse> {
      return reading(workspaceId, async (tx) => {
        const row = await requireSegment(tx, workspaceId, key);
        const usedBy = await repo.usage(tx, workspaceId, key);
        return { ...toSegmentResponse(row, usedBy.length), usedBy };
      });
    },

    async create(workspaceId: string, body: CreateSegmentBody, actor: Actor): Promise<SegmentResponse> {
      refuseNestedSegments(body.rules);
      return translating(`Segment '${body.key}'`, () =>
        write(workspaceId, async (tx, w) => {
          if (await repo.findByKey(tx, workspaceId, body.key)) throw new AppError("ALREADY_EXISTS", `Segment '${body.key}' already exists.`);
          const row = await repo.create(tx, workspaceId, { ...dataOf(body), key: body.key, name: body.name });
          await w.audit(actor, { workspaceId, action: "segment.created", ...target(row), after: audited(row) });
          return toSegmentResponse(row, 0);
        }),
      );
    },

    async update(workspaceId: string, key: string, expectedVersion: number, body: UpdateSegmentBody, actor: Actor): Promise<SegmentResponse> {
      refuseNestedSegments(body.rules);
      const data = dataOf(body);
      return write(workspaceId, async (tx, w) => {
        const current = await requireSegment(tx, workspaceId, key);
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, data);
        if (!updated) throw staleVersion(`Segment '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "segment.updated", ...target(current), ...changes(audited(current), data as Partial<Audited>) });
        const counts = await repo.flagCounts(tx, workspaceId, [key]);
        return toSegmentResponse(updated, counts.get(key) ?? 0);
      });
    },

    /** Refused while any flag rule reads the segment: the 409 names those flags. */
    async delete(workspaceId: string, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      await write(workspaceId, async (tx, w) => {
        const current = await requireSegment(tx, workspaceId, key);
        const usedBy = await repo.usage(tx, workspaceId, key);
        if (usedBy.length > 0) {
          const flags = usedBy.map((usage) => usage.flagKey);
          const named = flags.length > 10 ? `${flags.slice(0, 10).join(", ")}, ...` : flags.join(", ");
          throw new AppError("CONFLICT", `Segment '${key}' is used by ${flags.length} flag${flags.length === 1 ? "" : "s"}: ${named}.`, {
            details: { flags: usedBy },
          });
        }
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Segment '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "segment.deleted", ...target(current), before: audited(current) });
      });
    },
  };
}

export type SegmentsService = ReturnType<typeof createSegmentsService>;
