import type { ListSegmentsQuery } from "@ensign/contracts/segments";
import type { SegmentUsage } from "@ensign/contracts/segments";
import { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { containing, pageArgs } from "../../infra/paging";

const SEGMENT_SELECT = {
  id: true,
  key: true,
  name: true,
  description: true,
  includedUsers: true,
  excludedUsers: true,
  includedTenants: true,
  excludedTenants: true,
  rules: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.SegmentSelect;

export type SegmentRow = Prisma.SegmentGetPayload<{ select: typeof SEGMENT_SELECT }>;

export interface SegmentData {
  name?: string;
  description?: string;
  includedUsers?: string[];
  excludedUsers?: string[];
  includedTenants?: string[];
  excludedTenants?: string[];
  rules?: Prisma.InputJsonValue;
}

/**
 * The segment keys every `in_segment` condition of the workspace's flag rules names, one row
 * per (rule, key). Conditions that are not arrays of objects are skipped, never an error.
 */
const SEGMENT_REFERENCES = Prisma.sql`
  FROM flag_rules r
  JOIN flag_states s ON s.id = r.flag_state_id
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.conditions) = 'array' THEN r.conditions ELSE '[]'::jsonb END) AS c(cond)
  CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(c.cond) = 'object' AND jsonb_typeof(c.cond->'values') = 'array' THEN c.cond->'values' ELSE '[]'::jsonb END
  ) AS v(segment)`;

export const segmentsRepository = {
  async list(tx: Tx, workspaceId: string, query: ListSegmentsQuery) {
    const member = query.member;
    const where: Prisma.SegmentWhereInput = {
      workspaceId,
      AND: [
        query.search ? { OR: [{ key: containing(query.search) }, { name: containing(query.search) }] } : {},
        member
          ? {
              OR: [
                { includedUsers: { has: member } },
                { excludedUsers: { has: member } },
                { includedTenants: { has: member } },
                { excludedTenants: { has: member } },
              ],
            }
          : {},
      ],
    };
    const rows = await tx.segment.findMany({ where, orderBy: [{ [query.sort]: query.order }, { key: "asc" }], ...pageArgs(query), select: SEGMENT_SELECT });
    const total = await tx.segment.count({ where });
    return { rows, total };
  },

  findByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.segment.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: SEGMENT_SELECT });
  },

  /** How many distinct flags read each of the segments, by segment key. */
  async flagCounts(tx: Tx, workspaceId: string, keys: string[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows = await tx.$queryRaw<{ segment: string; flags: number }[]>`
      SELECT v.segment, COUNT(DISTINCT s.flag_id)::int AS flags ${SEGMENT_REFERENCES}
      WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'in_segment' AND v.segment = ANY(${keys}::text[])
      GROUP BY v.segment`;
    return new Map(rows.map((row) => [row.segment, row.flags]));
  },

  /** The flags (and their environments) whose rules read the segment. */
  usage(tx: Tx, workspaceId: string, key: string): Promise<SegmentUsage[]> {
    return tx.$queryRaw<SegmentUsage[]>`
      SELECT f.key AS "flagKey", array_agg(DISTINCT e.key ORDER BY e.key) AS environments ${SEGMENT_REFERENCES}
      JOIN flags f ON f.id = s.flag_id
      JOIN environments e ON e.id = s.environment_id
      WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'in_segment' AND v.segment = ${key}
      GROUP BY f.key
      ORDER BY f.key`;
  },

  create(tx: Tx, workspaceId: string, data: SegmentData & { key: string; name: string }) {
    return tx.segment.create({ data: { ...data, workspaceId }, select: SEGMENT_SELECT });
  },

  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: SegmentData) {
    const { count } = await tx.segment.updateMany({
      where: { workspaceId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1 ? tx.segment.findUnique({ where: { id }, select: SEGMENT_SELECT }) : undefined;
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.segment.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },
};
