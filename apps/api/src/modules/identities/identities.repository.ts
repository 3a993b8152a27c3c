import { literal } from "../../infra/like";
import type { ListIdentitiesQuery } from "@ensign/contracts/identities";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { pageArgs } from "../../infra/paging";
import { environmentsRepository as environments } from "../environments/environments.repository";

const IDENTITY_SELECT = {
  id: true,
  key: true,
  traits: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.IdentitySelect;

export type IdentityRow = Prisma.IdentityGetPayload<{ select: typeof IDENTITY_SELECT }>;
export type Traits = Record<string, Prisma.InputJsonValue | null>;

/** How the identities of one trait's values spread: the most common values, and the totals. */
export interface TraitStatsRows {
  values: { value: unknown; count: number }[];
  total: number;
  withTrait: number;
}

/**
 * Where the identities service reads and writes, inside the transaction it is given. Every
 * method takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface IdentitiesRepository {
  /** The environment by key, or by id (an API key's own environment). */
  findEnvironment(tx: Tx, workspaceId: string, ref: string | { id: string }): Promise<{ id: string; key: string } | null>;
  /** Searched by key prefix (any case); sorted as asked, then by key. */
  list(tx: Tx, workspaceId: string, environmentId: string, query: ListIdentitiesQuery): Promise<{ rows: IdentityRow[]; total: number }>;
  /** How many identities the environment has, counting no further than `limit`. */
  countUpTo(tx: Tx, workspaceId: string, environmentId: string, limit: number): Promise<number>;
  find(tx: Tx, workspaceId: string, environmentId: string, key: string): Promise<IdentityRow | null>;
  /** Fails as a unique violation when the key is taken. */
  create(tx: Tx, workspaceId: string, environmentId: string, key: string, traits: Traits): Promise<IdentityRow>;
  /** Creates the identity or replaces its traits whatever its version: of two racing writes, the later wins. */
  upsert(tx: Tx, workspaceId: string, environmentId: string, key: string, traits: Traits): Promise<IdentityRow>;
  /** Replaces the traits; with `expectedVersion`, only if it is still current. */
  replaceTraits(tx: Tx, workspaceId: string, id: string, traits: Traits, expectedVersion?: number): Promise<IdentityRow | null>;
  /** Counts of the identities per value of `trait` (most common first, `limit` of them), and the totals. */
  traitStats(tx: Tx, workspaceId: string, environmentId: string, trait: string, limit: number): Promise<TraitStatsRows>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** The identities repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createIdentitiesRepository(): IdentitiesRepository {
  const identities = identitiesRepository;
  return {
    findEnvironment: (tx, workspaceId, ref) => (typeof ref === "string" ? environments.findByKey(tx, workspaceId, ref) : environments.findById(tx, workspaceId, ref.id)),
    list: (tx, workspaceId, environmentId, query) => identities.list(tx, workspaceId, environmentId, query),
    countUpTo: (tx, workspaceId, environmentId, limit) => identities.countUpTo(tx, workspaceId, environmentId, limit),
    find: (tx, workspaceId, environmentId, key) => identities.find(tx, workspaceId, environmentId, key),
    create: (tx, workspaceId, environmentId, key, traits) => identities.create(tx, workspaceId, environmentId, key, traits),
    upsert: (tx, workspaceId, environmentId, key, traits) => identities.upsert(tx, workspaceId, environmentId, key, traits),
    replaceTraits: async (tx, workspaceId, id, traits, expectedVersion) => (await identities.replaceTraits(tx, workspaceId, id, traits, expectedVersion)) ?? null,
    traitStats: (tx, workspaceId, environmentId, trait, limit) => identities.traitStats(tx, workspaceId, environmentId, trait, limit),
    delete: (tx, workspaceId, id, expectedVersion) => identities.delete(tx, workspaceId, id, expectedVersion),
  };
}

/**
 * Identities (a user key's server-side traits) of one environment. Shared by the admin routes
 * and the server-key traits route; every call names the workspace and the environment.
 */
export const identitiesRepository = {
  async list(tx: Tx, workspaceId: string, environmentId: string, query: ListIdentitiesQuery) {
    const where: Prisma.IdentityWhereInput = {
      workspaceId,
      environmentId,
      ...(query.search ? { key: { startsWith: literal(query.search), mode: "insensitive" } } : {}),
    };
    const rows = await tx.identity.findMany({ where, orderBy: [{ [query.sort]: query.order }, { key: "asc" }], ...pageArgs(query), select: IDENTITY_SELECT });
    const total = await tx.identity.count({ where });
    return { rows, total };
  },

  /** How many identities the environment has, counting no further than `limit`. */
  async countUpTo(tx: Tx, workspaceId: string, environmentId: string, limit: number): Promise<number> {
    const rows = await tx.identity.findMany({ where: { workspaceId, environmentId }, select: { id: true }, take: limit });
    return rows.length;
  },

  find(tx: Tx, workspaceId: string, environmentId: string, key: string) {
    return tx.identity.findFirst({ where: { workspaceId, environmentId, key }, select: IDENTITY_SELECT });
  },

  create(tx: Tx, workspaceId: string, environmentId: string, key: string, traits: Traits) {
    return tx.identity.create({ data: { workspaceId, environmentId, key, traits }, select: IDENTITY_SELECT });
  },

  /**
   * Creates the identity or replaces its traits, whatever its version, in one statement: two
   * writes racing for a new key both succeed, the later one winning. The environment was read
   * in this workspace by the caller; row-level security holds the write to it as well.
   */
  upsert(tx: Tx, workspaceId: string, environmentId: string, key: string, traits: Traits) {
    return tx.identity.upsert({
      where: { environmentId_key: { environmentId, key } },
      create: { workspaceId, environmentId, key, traits },
      update: { traits, version: { increment: 1 } },
      select: IDENTITY_SELECT,
    });
  },

  /** Replaces the traits; with `expectedVersion`, only if it is still current (else undefined). */
  async replaceTraits(tx: Tx, workspaceId: string, id: string, traits: Traits, expectedVersion?: number) {
    const { count } = await tx.identity.updateMany({
      where: { workspaceId, id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
      data: { traits, version: { increment: 1 } },
    });
    return count === 1 ? tx.identity.findUnique({ where: { id }, select: IDENTITY_SELECT }) : undefined;
  },

  /** Counts of the identities per value of `trait` (most common first, `limit` of them), and the totals. */
  async traitStats(tx: Tx, workspaceId: string, environmentId: string, trait: string, limit: number) {
    const values = await tx.$queryRaw<{ value: unknown; count: bigint }[]>`
      SELECT traits -> ${trait} AS value, count(*) AS count FROM identities
       WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid AND traits ? ${trait}
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`;
    const [totals] = await tx.$queryRaw<{ total: bigint; with_trait: bigint }[]>`
      SELECT count(*) AS total, count(*) FILTER (WHERE traits ? ${trait}) AS with_trait FROM identities
       WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid`;
    return { values: values.map((row) => ({ value: row.value, count: Number(row.count) })), total: Number(totals!.total), withTrait: Number(totals!.with_trait) };
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.identity.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },
};
