import type { ListApiKeysQuery } from "@ensign/contracts/api-keys";
import type { Prisma } from "../../generated/prisma/client";
import { lookupsRepository as lookups, type EnvironmentRow } from "../../infra/db/lookups.repository";
import type { Tx } from "../../infra/db/scoped";
import { containing, pageArgs } from "../../infra/paging";

/** Never the hash: lists and answers cannot leak what they do not read. */
const API_KEY_SELECT = {
  id: true,
  name: true,
  kind: true,
  prefix: true,
  createdBy: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  environmentId: true,
  environment: { select: { key: true } },
} satisfies Prisma.ApiKeySelect;

export type ApiKeyRow = Prisma.ApiKeyGetPayload<{ select: typeof API_KEY_SELECT }>;

export type ApiKeyWithHash = ApiKeyRow & { secretHash: string };

/** What a new key stores: its secret only as a hash. */
export interface NewApiKey {
  environmentId: string;
  name: string;
  kind: "server" | "client";
  prefix: string;
  secretHash: string;
  createdBy: string | null;
}

/** Where the API keys service reads and writes, inside the transaction it is given; every method keeps to the workspace. */
export interface ApiKeysRepository {
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRow | null>;
  /** Of one environment when `environmentId` is given (else of `query.environment`), sorted as asked, then by id. */
  list(tx: Tx, workspaceId: string, query: ListApiKeysQuery, environmentId?: string): Promise<{ rows: ApiKeyRow[]; total: number }>;
  /** The key with its hash, for the revocation message that names it. */
  find(tx: Tx, workspaceId: string, environmentId: string, id: string): Promise<ApiKeyWithHash | null>;
  create(tx: Tx, workspaceId: string, data: NewApiKey): Promise<ApiKeyRow>;
  /** Sets `revokedAt` once; false when the key was already revoked. */
  revoke(tx: Tx, workspaceId: string, id: string, at: Date): Promise<boolean>;
}

/** The API keys repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createApiKeysRepository(): ApiKeysRepository {
  return {
    findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
    ...apiKeysRepository,
  };
}

const apiKeysRepository = {
  async list(tx: Tx, workspaceId: string, query: ListApiKeysQuery, environmentId?: string) {
    const where: Prisma.ApiKeyWhereInput = {
      workspaceId,
      ...(environmentId ? { environmentId } : query.environment ? { environment: { key: query.environment } } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.includeRevoked ? {} : { revokedAt: null }),
      ...(query.search ? { OR: [{ name: containing(query.search) }, { prefix: containing(query.search) }] } : {}),
    };
    const nulls = query.sort === "lastUsedAt" ? ({ sort: query.order, nulls: "last" } as const) : query.order;
    const rows = await tx.apiKey.findMany({ where, orderBy: [{ [query.sort]: nulls }, { id: "asc" }], ...pageArgs(query), select: API_KEY_SELECT });
    const total = await tx.apiKey.count({ where });
    return { rows, total };
  },

  find(tx: Tx, workspaceId: string, environmentId: string, id: string) {
    return tx.apiKey.findFirst({ where: { workspaceId, environmentId, id }, select: { ...API_KEY_SELECT, secretHash: true } });
  },

  create(tx: Tx, workspaceId: string, data: NewApiKey) {
    return tx.apiKey.create({ data: { ...data, workspaceId }, select: API_KEY_SELECT });
  },

  /** Sets `revokedAt` once; a second revocation changes nothing. */
  async revoke(tx: Tx, workspaceId: string, id: string, at: Date): Promise<boolean> {
    const { count } = await tx.apiKey.updateMany({ where: { workspaceId, id, revokedAt: null }, data: { revokedAt: at } });
    return count === 1;
  },
};
