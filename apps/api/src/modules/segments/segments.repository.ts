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

/** A page of segments and how many there are in all. */
export interface SegmentPage {
  rows: SegmentRow[];
  total: number;
}

/**
 * Where the segments service reads and writes, inside the transaction it is given. Every
 * method takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface SegmentsRepository {
  /** Searched by key and name, or by a member named in one of the lists; sorted as asked, then by key. */
  list(tx: Tx, workspaceId: string, query: ListSegmentsQuery): Promise<SegmentPage>;
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<SegmentRow | null>;
  /** How many distinct flags read each of the segments, by segment key (absent when none). */
  flagCounts(tx: Tx, workspaceId: string, keys: string[]): Promise<Map<string, number>>;
  /** The flags (and their environments) whose rules read the segment, by flag key. */
  usage(tx: Tx, workspaceId: string, key: string): Promise<SegmentUsage[]>;
  create(tx: Tx, workspaceId: string, data: SegmentData & { key: string; name: string }): Promise<SegmentRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: SegmentData): Promise<SegmentRow | null>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** The segments repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createSegmentsRepository(): SegmentsRepository {
  return {
    async list(tx, workspaceId, query) {
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

    findByKey(tx, workspaceId, key) {
      return tx.segment.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: SEGMENT_SELECT });
    },

    /** How many distinct flags read each of the segments, by segment key. */
    async flagCounts(tx, workspaceId, keys) {
      if (keys.length === 0) return new Map();
      const rows = await tx.$queryRaw<{ segment: string; flags: number }[]>`
        SELECT v.segment, COUNT(DISTINCT s.flag_id)::int AS flags ${SEGMENT_REFERENCES}
        WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'in_segment' AND v.segment = ANY(${keys}::text[])
        GROUP BY v.segment`;
      return new Map(rows.map((row) => [row.segment, row.flags]));
    },

    /** The flags (and their environments) whose rules read the segment. */
    usage(tx, workspaceId, key) {
      return tx.$queryRaw<SegmentUsage[]>`
        SELECT f.key AS "flagKey", array_agg(DISTINCT e.key ORDER BY e.key) AS environments ${SEGMENT_REFERENCES}
        JOIN flags f ON f.id = s.flag_id
        JOIN environments e ON e.id = s.environment_id
        WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'in_segment' AND v.segment = ${key}
        GROUP BY f.key
        ORDER BY f.key`;
    },

    create(tx, workspaceId, data) {
      return tx.segment.create({ data: { ...data, workspaceId }, select: SEGMENT_SELECT });
    },

    async update(tx, workspaceId, id, expectedVersion, data) {
      const { count } = await tx.segment.updateMany({
        where: { workspaceId, id, version: expectedVersion },
        data: { ...data, version: { increment: 1 } },
      });
      return count === 1 ? tx.segment.findUnique({ where: { id }, select: SEGMENT_SELECT }) : null;
    },

    async delete(tx, workspaceId, id, expectedVersion) {
      const { count } = await tx.segment.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
      return count === 1;
    },
  };
}
