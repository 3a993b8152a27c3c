import type { FastifyBaseLogger } from "fastify";
import type { PrismaClient } from "../../generated/prisma/client";
import { recordAudit, SYSTEM_ACTOR } from "../../infra/audit";
import type { ChangeNotifier, EnvironmentChange } from "../../infra/changes";
import type { Tx } from "../../infra/db/scoped";
import { AppError } from "../../infra/errors";
import { loadTarget } from "../flags/state-writes";
import { sweepExpiredBatch } from "./expired-overrides";
import { applyScheduleAction } from "./schedule-actions";
import { schedulesRepository as repo, type DueSchedule } from "./schedules.repository";
import type { Metrics } from "../../infra/metrics";
import { createPeriodicJob } from "../../infra/periodic-job";

/** Schedules applied and overrides swept per tick at most, so one tick never runs away. */
const MAX_PER_TICK = 200;

export interface RunOutcome {
  applied: number;
  failed: number;
  sweptOverrides: number;
}

export interface ScheduleRunnerOptions {
  prisma: PrismaClient;
  notifier: ChangeNotifier;
  log: Pick<FastifyBaseLogger, "info" | "warn" | "error">;
  intervalMs: number;
  metrics?: Pick<Metrics, "scheduleRan">;
}

async function asWorkspace(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$queryRaw`SELECT set_config('role', 'ensign_app', true), set_config('app.workspace_id', ${workspaceId}, true)`;
}

async function namesOf(tx: Tx, due: DueSchedule) {
  // Schedules go with their flag and environment (cascade), so both exist.
  const flag = await tx.flag.findFirstOrThrow({ where: { workspaceId: due.workspace_id, id: due.flag_id }, select: { key: true } });
  const environment = await tx.environment.findFirstOrThrow({ where: { workspaceId: due.workspace_id, id: due.environment_id }, select: { id: true, key: true } });
  return { flagKey: flag.key, environment };
}

/**
 * The job that applies due schedules and sweeps expired overrides, in every API replica.
 * Each schedule is claimed with `FOR UPDATE SKIP LOCKED` in the transaction that applies it and
 * marks it applied, so replicas racing over the same schedules apply each exactly once; a
 * schedule that cannot apply (flag archived, ...) is marked failed with the reason, also audited.
 */
export function createScheduleRunner({ prisma, notifier, log, intervalMs, metrics }: ScheduleRunnerOptions) {
  /** Claims and applies one due schedule; undefined when none is left for this runner. */
  async function applyNext(now: Date): Promise<{ outcome: "applied" | "failed"; changed: EnvironmentChange[] } | undefined> {
    return prisma.$transaction(async (tx) => {
      const due = await repo.claimDue(tx, now);
      if (!due) return undefined;
      await asWorkspace(tx, due.workspace_id);
      const { flagKey, environment } = await namesOf(tx, due);
      await tx.$executeRaw`SAVEPOINT apply_schedule`;
      try {
        const target = await loadTarget(tx, due.workspace_id, flagKey, environment.key, true);
        const { changed } = await applyScheduleAction(tx, due.workspace_id, target, due.id, due.action, SYSTEM_ACTOR);
        await repo.finish(tx, due.workspace_id, due.id, { status: "applied" }, now);
        return { outcome: "applied" as const, changed };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // The product refused the change: undo what it started, keep the claim, record why.
        await tx.$executeRaw`ROLLBACK TO SAVEPOINT apply_schedule`;
        await repo.finish(tx, due.workspace_id, due.id, { status: "failed", error: error.message }, now);
        await recordAudit(tx, SYSTEM_ACTOR, {
          workspaceId: due.workspace_id,
          environment,
          action: "schedule.failed",
          targetType: "flag",
          targetId: due.flag_id,
          targetKey: flagKey,
          after: { scheduleId: due.id, action: due.action, error: error.message },
        });
        return { outcome: "failed" as const, changed: [] };
      }
    });
  }

  /** One pass: every due schedule, then every expired override, up to the per-tick bound. */
  async function runOnce(now = new Date()): Promise<RunOutcome> {
    const outcome: RunOutcome = { applied: 0, failed: 0, sweptOverrides: 0 };
    for (let i = 0; i < MAX_PER_TICK; i++) {
      const result = await applyNext(now);
      if (!result) break;
      outcome[result.outcome]++;
      await notifier.published(result.changed);
    }
    for (const kind of ["tenant", "user", "layer"] as const) {
      for (let i = 0; i < MAX_PER_TICK; i++) {
        const { swept, changed } = await sweepExpiredBatch(prisma, kind, now);
        if (swept === 0) break;
        outcome.sweptOverrides += swept;
        await notifier.published(changed);
      }
    }
    if (outcome.applied + outcome.failed + outcome.sweptOverrides > 0) log.info(outcome, "schedule runner tick");
    metrics?.scheduleRan("applied", outcome.applied);
    metrics?.scheduleRan("failed", outcome.failed);
    metrics?.scheduleRan("expired", outcome.sweptOverrides);
    return outcome;
  }

  return { runOnce, ...createPeriodicJob("schedule runner tick", runOnce, { intervalMs, log }) };
}

export type ScheduleRunner = ReturnType<typeof createScheduleRunner>;
