import type { ScheduleAction, ScheduleStatus } from "@ensign/contracts/schedules";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { loadTarget, type StateTarget } from "../flags/state-writes";

const SCHEDULE_SELECT = {
  id: true,
  runAt: true,
  action: true,
  rampId: true,
  status: true,
  appliedAt: true,
  error: true,
  createdBy: true,
  createdAt: true,
} satisfies Prisma.ScheduleSelect;

type Row = Prisma.ScheduleGetPayload<{ select: typeof SCHEDULE_SELECT }>;
export type ScheduleRow = Omit<Row, "action"> & { action: ScheduleAction };

const typed = (row: Row): ScheduleRow => ({ ...row, action: row.action as ScheduleAction });

export interface ScheduleScope {
  workspaceId: string;
  flagId: string;
  environmentId: string;
}

/** A pending schedule whose time has come, locked by the transaction that claimed it. */
export interface DueSchedule {
  id: string;
  workspace_id: string;
  flag_id: string;
  environment_id: string;
  action: ScheduleAction;
}

/** A schedule to create: its time, its action, and the ramp it is a step of. */
export interface NewSchedule {
  runAt: Date;
  action: ScheduleAction;
  rampId?: string | undefined;
  createdBy: string | null;
}

/**
 * Where the schedules service reads and writes, inside the transaction it is given; the scope
 * (workspace, flag and environment) is in every query.
 */
export interface SchedulesRepository {
  /**
   * The flag's state in the environment, or a 404 naming what is missing. For writes the flag is
   * share-locked, an archived flag is refused and a missing state is created first.
   */
  target(tx: Tx, workspaceId: string, flagKey: string, envKey: string, options: { isWrite: boolean }): Promise<StateTarget>;
  /** Answers the schedules created, by time. */
  create(tx: Tx, scope: ScheduleScope, rows: NewSchedule[]): Promise<ScheduleRow[]>;
  /** By time, then id; of one status when given. */
  page(tx: Tx, scope: ScheduleScope, status: ScheduleStatus | undefined, page: number, pageSize: number): Promise<{ rows: ScheduleRow[]; total: number }>;
  find(tx: Tx, scope: ScheduleScope, id: string): Promise<ScheduleRow | null>;
  /** Cancels the schedule, or every step of the ramp, that is still pending; answers those it cancelled, by time. */
  cancel(tx: Tx, scope: ScheduleScope, which: { id: string } | { rampId: string }): Promise<ScheduleRow[]>;
}

/** The schedules repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createSchedulesRepository(): SchedulesRepository {
  const schedules = schedulesRepository;
  return {
    target: (tx, workspaceId, flagKey, envKey, { isWrite }) => loadTarget(tx, workspaceId, flagKey, envKey, isWrite),
    create: (tx, scope, rows) => schedules.create(tx, scope, rows),
    page: (tx, scope, status, page, pageSize) => schedules.page(tx, scope, status, page, pageSize),
    find: (tx, scope, id) => schedules.find(tx, scope, id),
    cancel: (tx, scope, which) => schedules.cancel(tx, scope, which),
  };
}

export const schedulesRepository = {
  async create(tx: Tx, scope: ScheduleScope, rows: NewSchedule[]): Promise<ScheduleRow[]> {
    const created = await tx.schedule.createManyAndReturn({
      data: rows.map((row) => ({ ...scope, runAt: row.runAt, action: row.action, rampId: row.rampId ?? null, createdBy: row.createdBy })),
      select: SCHEDULE_SELECT,
    });
    return created.map(typed).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  },

  async page(tx: Tx, scope: ScheduleScope, status: ScheduleStatus | undefined, page: number, pageSize: number) {
    const where = { ...scope, ...(status ? { status } : {}) };
    const [rows, total] = [
      await tx.schedule.findMany({ where, select: SCHEDULE_SELECT, orderBy: [{ runAt: "asc" }, { id: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
      await tx.schedule.count({ where }),
    ];
    return { rows: rows.map(typed), total };
  },

  async find(tx: Tx, scope: ScheduleScope, id: string): Promise<ScheduleRow | null> {
    const row = await tx.schedule.findFirst({ where: { ...scope, id }, select: SCHEDULE_SELECT });
    return row && typed(row);
  },

  /**
   * Cancels the schedule (or every step of the ramp) if still pending; returns those it
   * cancelled. One the runner is applying right now is waited for, and then no longer pending.
   */
  async cancel(tx: Tx, scope: ScheduleScope, which: { id: string } | { rampId: string }): Promise<ScheduleRow[]> {
    const where = { ...scope, status: "pending" as const, ...which };
    const rows = await tx.schedule.updateManyAndReturn({ where, data: { status: "cancelled", version: { increment: 1 } }, select: SCHEDULE_SELECT });
    return rows.map(typed).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  },

  /**
   * Claims the next due schedule of any workspace, skipping those another runner holds: with
   * several replicas each schedule is applied by exactly one. Runs as the owner connection
   * (before the transaction takes the workspace role), so it sees every workspace.
   */
  async claimDue(tx: Tx, now: Date): Promise<DueSchedule | undefined> {
    const [row] = await tx.$queryRaw<DueSchedule[]>`
      SELECT id, workspace_id, flag_id, environment_id, action FROM schedules
      WHERE status = 'pending' AND run_at <= ${now}
      ORDER BY run_at, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED`;
    return row;
  },

  async finish(tx: Tx, workspaceId: string, id: string, outcome: { status: "applied" } | { status: "failed"; error: string }, now: Date) {
    await tx.schedule.updateMany({
      where: { workspaceId, id },
      data: { status: outcome.status, appliedAt: now, error: outcome.status === "failed" ? outcome.error.slice(0, 1000) : null, version: { increment: 1 } },
    });
  },
};
