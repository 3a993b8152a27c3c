import type { FieldIssue } from "@ensign/contracts/common";
import type { CreateRampBody, CreateScheduleBody, ListSchedulesQuery, RampResponse, ScheduleAction, ScheduleList, ScheduleResponse } from "@ensign/contracts/schedules";
import { randomUUID } from "node:crypto";
import type { Actor } from "../../infra/audit";
import type { Reader } from "../../infra/db/scoped";
import type { Write, Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import type { StateTarget } from "../flags/state-writes";
import type { ScheduleRow, SchedulesRepository, ScheduleScope } from "./schedules.repository";

/** How far in the past a new schedule's time may be (clock skew); it then runs at the next tick. */
export const PAST_TOLERANCE_MS = 60_000;
/** How far ahead a schedule may be set. */
export const MAX_AHEAD_MS = 5 * 366 * 86_400_000;

function toResponse(target: StateTarget, row: ScheduleRow): ScheduleResponse {
  return {
    id: row.id,
    flag: target.flag.key,
    environment: target.environment.key,
    runAt: row.runAt.toISOString(),
    action: row.action,
    rampId: row.rampId,
    status: row.status,
    appliedAt: row.appliedAt?.toISOString() ?? null,
    error: row.error,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

function timeIssue(at: string, path: string, now: number): FieldIssue | undefined {
  const time = Date.parse(at);
  if (time < now - PAST_TOLERANCE_MS) return { path, message: "must not be in the past" };
  if (time > now + MAX_AHEAD_MS) return { path, message: "must be within five years" };
  return undefined;
}

function checked(issues: (FieldIssue | undefined)[]): void {
  const found = issues.filter((issue): issue is FieldIssue => issue !== undefined);
  if (found.length > 0) throw invalid(`The request is not valid: ${found.map((i) => i.path).join(", ")}.`, found);
}

const scopeOf = (workspaceId: string, target: StateTarget): ScheduleScope => ({ workspaceId, flagId: target.flag.id, environmentId: target.environment.id });

export interface SchedulesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: SchedulesRepository;
  now?: () => number;
}

/** Schedules of a flag state: created and cancelled here, applied by the schedule runner. */
export function createSchedulesService({ reading, writing, repo, now = Date.now }: SchedulesServiceDeps) {
  async function schedule(w: Write, target: StateTarget, steps: { runAt: Date; action: ScheduleAction }[], actor: Actor, rampId?: string) {
    const { tx, workspaceId } = w;
    const created = await repo.create(
      tx,
      scopeOf(workspaceId, target),
      steps.map((step) => ({ ...step, rampId, createdBy: actor.email ?? actor.id ?? null })),
    );
    await w.audit(
      actor,
      ...created.map((row) => ({
        workspaceId,
        environment: target.environment,
        action: "schedule.created",
        targetType: "flag",
        targetId: target.flag.id,
        targetKey: target.flag.key,
        after: { scheduleId: row.id, runAt: row.runAt.toISOString(), action: row.action, rampId: row.rampId },
      })),
    );
    return created.map((row) => toResponse(target, row));
  }

  return {
    list(workspaceId: string, flagKey: string, envKey: string, query: ListSchedulesQuery): Promise<ScheduleList> {
      return reading(workspaceId, async (tx) => {
        const target = await repo.target(tx, workspaceId, flagKey, envKey, { isWrite: false });
        const { rows, total } = await repo.page(tx, scopeOf(workspaceId, target), query.status, query.page, query.pageSize);
        return { items: rows.map((row) => toResponse(target, row)), total, page: query.page, pageSize: query.pageSize };
      });
    },

    async create(workspaceId: string, flagKey: string, envKey: string, body: CreateScheduleBody, actor: Actor): Promise<ScheduleResponse> {
      checked([timeIssue(body.runAt, "body.runAt", now())]);
      return writing(workspaceId, async (tx, w) => {
        const target = await repo.target(tx, workspaceId, flagKey, envKey, { isWrite: true });
        const [created] = await schedule(w, target, [{ runAt: new Date(body.runAt), action: body.action }], actor);
        return created!;
      });
    },

    /** One `set_rollout` schedule per step, sharing a ramp id; steps must be in time order. */
    async ramp(workspaceId: string, flagKey: string, envKey: string, body: CreateRampBody, actor: Actor): Promise<RampResponse> {
      const at = now();
      checked(
        body.steps.flatMap((step, i) => [
          timeIssue(step.at, `body.steps.${i}.at`, at),
          i > 0 && Date.parse(step.at) <= Date.parse(body.steps[i - 1]!.at) ? { path: `body.steps.${i}.at`, message: "steps must be in time order" } : undefined,
        ]),
      );
      return writing(workspaceId, async (tx, w) => {
        const target = await repo.target(tx, workspaceId, flagKey, envKey, { isWrite: true });
        const rampId = randomUUID();
        const steps = body.steps.map((step) => ({ runAt: new Date(step.at), action: { type: "set_rollout" as const, percentage: step.percentage } }));
        return { rampId, items: await schedule(w, target, steps, actor, rampId) };
      });
    },

    /** Cancels a pending schedule, or with `wholeRamp` every pending step of its ramp. */
    cancel(workspaceId: string, flagKey: string, envKey: string, scheduleId: string, wholeRamp: boolean, actor: Actor): Promise<ScheduleResponse[]> {
      return writing(workspaceId, async (tx, w) => {
        const target = await repo.target(tx, workspaceId, flagKey, envKey, { isWrite: false });
        const scope = scopeOf(workspaceId, target);
        const found = await repo.find(tx, scope, scheduleId);
        if (!found) throw notFound(`Schedule '${scheduleId}'`);
        const cancelled = await repo.cancel(tx, scope, wholeRamp && found.rampId ? { rampId: found.rampId } : { id: scheduleId });
        if (cancelled.length === 0) throw new AppError("CONFLICT", `Schedule '${scheduleId}' is ${found.status === "pending" ? "being applied" : found.status}; only pending schedules can be cancelled.`);
        await w.audit(
          actor,
          ...cancelled.map((row) => ({
            workspaceId,
            environment: target.environment,
            action: "schedule.cancelled",
            targetType: "flag",
            targetId: target.flag.id,
            targetKey: target.flag.key,
            before: { scheduleId: row.id, status: "pending" },
            after: { scheduleId: row.id, status: "cancelled", runAt: row.runAt.toISOString(), action: row.action },
          })),
        );
        return cancelled.map((row) => toResponse(target, { ...row, status: "cancelled" }));
      });
    },
  };
}

export type SchedulesService = ReturnType<typeof createSchedulesService>;
