import type { Tx } from "../../infra/db/scoped";
import { AUDIT_SELECT } from "./audit.repository";

const EXPORT_SUMMARY = { id: true, createdAt: true, fromAt: true, toAt: true, entryCount: true, bytes: true } as const;

/** Retention settings, the expired entries of a workspace, their exports and the one purge. */
export const auditRetentionRepository = {
  async retentionDays(tx: Tx, workspaceId: string): Promise<number | null> {
    const row = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { auditRetentionDays: true } });
    return row.auditRetentionDays;
  },

  setRetentionDays(tx: Tx, workspaceId: string, days: number | null) {
    return tx.workspace.update({ where: { id: workspaceId }, data: { auditRetentionDays: days }, select: { auditRetentionDays: true } });
  },

  /** Whether this transaction holds the workspace's retention lock (one purger per workspace at a time). */
  async tryLock(tx: Tx, workspaceId: string): Promise<boolean> {
    const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext('ensign.audit_retention'), hashtext(${workspaceId})) AS locked`;
    return row?.locked === true;
  },

  /** The oldest expired entries by id: older than the retention period as the database's clock tells. */
  async expired(tx: Tx, workspaceId: string, days: number, limit: number) {
    const [row] = await tx.$queryRaw<{ cutoff: Date }[]>`SELECT now() - make_interval(days => ${days}::int) AS cutoff`;
    return tx.auditEntry.findMany({ where: { workspaceId, at: { lt: row!.cutoff } }, orderBy: { id: "asc" }, take: limit, select: AUDIT_SELECT });
  },

  createExport(tx: Tx, data: { workspaceId: string; fromAt: Date; toAt: Date; firstId: bigint; lastId: bigint; entryCount: number; bytes: number; content: Uint8Array<ArrayBuffer> }) {
    return tx.auditExport.create({ data, select: EXPORT_SUMMARY });
  },

  /** Removes the expired entries up to `throughId` through the database's one privileged purge function. */
  async purge(tx: Tx, workspaceId: string, throughId: bigint): Promise<number> {
    const [row] = await tx.$queryRaw<{ purged: number }[]>`SELECT ensign_purge_expired_audit(${workspaceId}::uuid, ${throughId}::bigint) AS purged`;
    return row!.purged;
  },

  listExports(tx: Tx, workspaceId: string) {
    return tx.auditExport.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 500, select: EXPORT_SUMMARY });
  },

  findExport(tx: Tx, workspaceId: string, id: string) {
    return tx.auditExport.findFirst({ where: { workspaceId, id }, select: { ...EXPORT_SUMMARY, content: true } });
  },

  /** Workspaces that keep their audit entries for a limited time (read across workspaces, as the job's owner). */
  withRetention(prisma: Pick<Tx, "workspace">) {
    return prisma.workspace.findMany({ where: { auditRetentionDays: { not: null }, archivedAt: null }, select: { id: true, auditRetentionDays: true } });
  },
};
