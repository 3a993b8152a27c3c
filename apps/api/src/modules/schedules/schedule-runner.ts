import type { FastifyBaseLogger } from "fastify";
import { SYSTEM_ACTOR } from "../../infra/audit";
import { enterWorkspace, type Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
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
  writing: Writer;
  log: Pick<FastifyBaseLogger, "info" | "warn" | "error">;
  intervalMs: number;
  metrics?: Pick<Metrics, "scheduleRan">;
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
export function createScheduleRunner({ writing, log, intervalMs, metrics }: ScheduleRunnerOptions) {
  /** Claims and applies one due schedule; undefined when none is left for this runner. */
  function applyNext(now: Date): Promise<"applied" | "failed" | undefined> {
    return writing.asOwner(async (tx, open) => {
      const due = await repo.claimDue(tx, now);
      if (!due) return undefined;
      await enterWorkspace(tx, due.workspace_id);
      const w = open(due.workspace_id);
      const { flagKey, environment } = await namesOf(tx, due);
      try {
        await w.undoable(async () => {
          const target = await loadTarget(tx, due.workspace_id, flagKey, environment.key, true);
          await applyScheduleAction(w, target, due.id, due.action, SYSTEM_ACTOR);
          await repo.finish(tx, due.workspace_id, due.id, { status: "applied" }, now);
        });
        return "applied" as const;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // The product refused the change: its part is undone, the claim kept, the reason recorded.
        await repo.finish(tx, due.workspace_id, due.id, { status: "failed", error: error.message }, now);
        await w.audit(SYSTEM_ACTOR, {
          workspaceId: due.workspace_id,
          environment,
          action: "schedule.failed",
          targetType: "flag",
          targetId: due.flag_id,
          targetKey: flagKey,
          after: { scheduleId: due.id, action: due.action, error: error.message },
        });
        return "failed" as const;
      }
    });
  }

  /** One pass: every due schedule, then every expired override, up to the per-tick bound. */
  async function runOnce(now = new Date()): Promise<RunOutcome> {
    const outcome: RunOutcome = { applied: 0, failed: 0, sweptOverrides: 0 };
    for (let i = 0; i < MAX_PER_TICK; i++) {
      const result = await applyNext(now);
      if (!result) break;
      outcome[result]++;
    }
    for (const kind of ["tenant", "user", "layer"] as const) {
      for (let i = 0; i < MAX_PER_TICK; i++) {
        const swept = await sweepExpiredBatch(writing, kind, now);
        if (swept === 0) break;
        outcome.sweptOverrides += swept;
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
