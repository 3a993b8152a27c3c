import { gunzipSync, gzipSync } from "node:zlib";
import type { AuditExportResponse, AuditRetention } from "@ensign/contracts/audit";
import type { FastifyBaseLogger } from "fastify";
import type { PrismaClient } from "../../generated/prisma/client";
import { SYSTEM_ACTOR, type Actor } from "../../infra/audit";
import { inWorkspace } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { createPeriodicJob } from "../../infra/periodic-job";
import { notFound } from "../../infra/errors";
import { auditRetentionRepository as repo } from "./audit-retention.repository";
import { toAuditEntryResponse } from "./audit.service";

/** Entries exported and purged per transaction; a workspace with more is worked through batch by batch. */
const BATCH = 5_000;
/** Batches per workspace per pass, so one pass never runs away; the next pass goes on. */
const MAX_BATCHES = 20;

export interface AuditRetentionOptions {
  prisma: PrismaClient;
  writing: Writer;
  log: Pick<FastifyBaseLogger, "info" | "error">;
  intervalMs: number;
  batchSize?: number;
}

function toExportResponse(row: { id: string; createdAt: Date; fromAt: Date; toAt: Date; entryCount: number; bytes: number }): AuditExportResponse {
  return { id: row.id, createdAt: row.createdAt.toISOString(), from: row.fromAt.toISOString(), to: row.toAt.toISOString(), entryCount: row.entryCount, bytes: row.bytes };
}

/**
 * Audit retention: each workspace keeps its audit entries forever unless an owner sets a period.
 * A job in every replica exports the entries past the period as JSON Lines (kept, gzipped, for
 * owners to download) and purges them through the database's one privileged function, in one
 * transaction with the export and a `audit.purged` entry of its own. Replicas never purge the
 * same workspace at once (an advisory lock); the append-only trigger refuses every other delete.
 */
export function createAuditRetention({ prisma, writing, log, intervalMs, batchSize = BATCH }: AuditRetentionOptions) {
  /** Exports and purges one batch of a workspace's expired entries; how many, 0 when none (or another replica is at it). */
  function purgeBatch(workspaceId: string): Promise<number> {
    return writing(workspaceId, async (tx, w) => {
      if (!(await repo.tryLock(tx, workspaceId))) return 0;
      const days = await repo.retentionDays(tx, workspaceId);
      if (days === null) return 0;
      const rows = await repo.expired(tx, workspaceId, days, batchSize);
      if (rows.length === 0) return 0;
      const lines = rows.map((row) => `${JSON.stringify(toAuditEntryResponse(row))}\n`).join("");
      const first = rows[0]!;
      const last = rows[rows.length - 1]!;
      const times = rows.map((row) => row.at.getTime());
      const exported = await repo.createExport(tx, {
        workspaceId,
        fromAt: new Date(Math.min(...times)),
        toAt: new Date(Math.max(...times)),
        firstId: first.id,
        lastId: last.id,
        entryCount: rows.length,
        bytes: Buffer.byteLength(lines),
        content: new Uint8Array(gzipSync(lines)),
      });
      const purged = await repo.purge(tx, workspaceId, last.id);
      // The export must hold exactly what went: anything else rolls the whole batch back.
      if (purged !== rows.length) throw new Error(`audit purge of workspace ${workspaceId} removed ${purged} entries, exported ${rows.length}`);
      await w.audit(SYSTEM_ACTOR, {
        workspaceId,
        action: "audit.purged",
        targetType: "audit_export",
        targetId: exported.id,
        after: { entries: purged, from: exported.fromAt.toISOString(), to: exported.toAt.toISOString(), retentionDays: days },
      });
      return purged;
    }, { timeout: 60_000 });
  }

  /** One pass over every workspace with a retention period; the number of entries purged. */
  async function runOnce(): Promise<number> {
    let total = 0;
    for (const workspace of await repo.withRetention(prisma)) {
      for (let i = 0; i < MAX_BATCHES; i++) {
        const purged = await purgeBatch(workspace.id);
        total += purged;
        if (purged < batchSize) break;
      }
    }
    if (total > 0) log.info({ purged: total }, "audit retention pass");
    return total;
  }

  return {
    runOnce,
    ...createPeriodicJob("audit retention pass", runOnce, { intervalMs, log }),

    async get(workspaceId: string): Promise<AuditRetention> {
      return { days: await inWorkspace(prisma, workspaceId, (tx) => repo.retentionDays(tx, workspaceId)) };
    },

    /** Sets the period (or `null`: forever), audited in the same transaction. */
    async set(workspaceId: string, days: number | null, actor: Actor): Promise<AuditRetention> {
      return writing(workspaceId, async (tx, w) => {
        const before = await repo.retentionDays(tx, workspaceId);
        if (before === days) return { days };
        const after = await repo.setRetentionDays(tx, workspaceId, days);
        await w.audit(actor, {
          workspaceId,
          action: "workspace.audit_retention_changed",
          targetType: "workspace",
          targetId: workspaceId,
          before: { auditRetentionDays: before },
          after: { auditRetentionDays: after.auditRetentionDays },
        });
        return { days: after.auditRetentionDays };
      });
    },

    async listExports(workspaceId: string): Promise<AuditExportResponse[]> {
      const rows = await inWorkspace(prisma, workspaceId, (tx) => repo.listExports(tx, workspaceId));
      return rows.map(toExportResponse);
    },

    /** An export's JSON Lines, with its summary. */
    async download(workspaceId: string, id: string): Promise<{ summary: AuditExportResponse; jsonLines: Buffer }> {
      const row = await inWorkspace(prisma, workspaceId, (tx) => repo.findExport(tx, workspaceId, id));
      if (!row) throw notFound(`Audit export '${id}'`);
      return { summary: toExportResponse(row), jsonLines: gunzipSync(row.content) };
    },
  };
}

export type AuditRetentionService = ReturnType<typeof createAuditRetention>;
