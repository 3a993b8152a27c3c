import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { editor, NOW, WS } from "../../../test/helpers/service-fixtures";
import { notFound } from "../../infra/errors";
import { defaultState } from "../flags/flag-states.repository";
import type { FlagRow } from "../flags/flags.repository";
import type { StateTarget } from "../flags/state-writes";
import type { ScheduleRow, SchedulesRepository, ScheduleScope } from "./schedules.repository";
import { createSchedulesService, MAX_AHEAD_MS, PAST_TOLERANCE_MS } from "./schedules.service";

const HOUR = 3_600_000;
const at = (offset: number) => new Date(NOW + offset).toISOString();

/** The repository in memory: one flag in two environments, and its schedules. */
function fakeRepository() {
  const flag = { id: "flag-checkout", key: "checkout", offVariant: "off", onVariant: "on", createdAt: new Date(NOW) } as FlagRow;
  const environments = [
    { id: "env-staging", key: "staging" },
    { id: "env-production", key: "production" },
  ];
  const schedules: (ScheduleRow & ScheduleScope)[] = [];
  const targeted: { envKey: string; isWrite: boolean }[] = [];
  let ids = 0;
  const inScope = (scope: ScheduleScope) =>
    schedules.filter((s) => s.workspaceId === scope.workspaceId && s.flagId === scope.flagId && s.environmentId === scope.environmentId);
  const strip = ({ workspaceId: _w, flagId: _f, environmentId: _e, ...row }: ScheduleRow & ScheduleScope): ScheduleRow => structuredClone(row);
  const byTime = (a: ScheduleRow, b: ScheduleRow) => a.runAt.getTime() - b.runAt.getTime() || a.id.localeCompare(b.id);

  const repo: SchedulesRepository = {
    async target(_tx, workspaceId, flagKey, envKey, { isWrite }): Promise<StateTarget> {
      targeted.push({ envKey, isWrite });
      if (workspaceId !== WS || flagKey !== flag.key) throw notFound(`Flag '${flagKey}'`);
      const environment = environments.find((e) => e.key === envKey);
      if (!environment) throw notFound(`Environment '${envKey}'`);
      return { flag, environment, state: defaultState(flag, environment.id) };
    },
    async create(_tx, scope, rows) {
      const created = rows.map((row) => ({
        ...scope,
        id: `sch-${String(++ids).padStart(2, "0")}`,
        runAt: row.runAt,
        action: row.action,
        rampId: row.rampId ?? null,
        status: "pending" as const,
        appliedAt: null,
        error: null,
        createdBy: row.createdBy,
        createdAt: new Date(NOW),
      }));
      schedules.push(...created);
      return created.map(strip).sort(byTime);
    },
    async page(_tx, scope, status, page, pageSize) {
      const found = inScope(scope)
        .filter((s) => !status || s.status === status)
        .sort(byTime);
      return { rows: found.slice((page - 1) * pageSize, page * pageSize).map(strip), total: found.length };
    },
    async find(_tx, scope, id) {
      const row = inScope(scope).find((s) => s.id === id);
      return row ? strip(row) : null;
    },
    async cancel(_tx, scope, which) {
      const pending = inScope(scope).filter((s) => s.status === "pending" && ("id" in which ? s.id === which.id : s.rampId === which.rampId));
      for (const row of pending) row.status = "cancelled";
      return pending.map(strip).sort(byTime);
    },
  };
  const rows = {
    save() {
      const saved = structuredClone(schedules);
      return () => void schedules.splice(0, schedules.length, ...saved);
    },
  };
  return { repo, rows, schedules, targeted };
}

describe("schedules service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createSchedulesService>;
  const enable = { type: "enable" as const };

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createSchedulesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, now: () => NOW });
  });

  it("creates a pending schedule on the flag's state for writes, audited with its time and action", async () => {
    const created = await service.create(WS, "checkout", "staging", { runAt: at(HOUR), action: enable }, editor);
    expect(created).toMatchObject({
      flag: "checkout",
      environment: "staging",
      runAt: at(HOUR),
      action: enable,
      rampId: null,
      status: "pending",
      appliedAt: null,
      createdBy: "editor@example.test",
    });
    expect(fake.targeted).toEqual([{ envKey: "staging", isWrite: true }]);
    expect(fake.schedules.map((s) => [s.environmentId, s.status])).toEqual([["env-staging", "pending"]]);
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        environment: { id: "env-staging", key: "staging" },
        action: "schedule.created",
        targetType: "flag",
        targetId: "flag-checkout",
        targetKey: "checkout",
        after: { scheduleId: created.id, runAt: at(HOUR), action: enable, rampId: null },
      },
    ]);
    // A schedule changes nothing until it runs.
    expect(writer.committed.bumped).toEqual([]);
  });

  it("refuses a time in the past beyond the clock-skew tolerance, or more than five years ahead, writing nothing", async () => {
    const past = await refusal(service.create(WS, "checkout", "staging", { runAt: at(-PAST_TOLERANCE_MS - 1), action: enable }, editor));
    expect(past.code).toBe("VALIDATION_FAILED");
    expect(past.details).toEqual({ issues: [{ path: "body.runAt", message: "must not be in the past" }] });
    const far = await refusal(service.create(WS, "checkout", "staging", { runAt: at(MAX_AHEAD_MS + 1), action: enable }, editor));
    expect(far.details).toEqual({ issues: [{ path: "body.runAt", message: "must be within five years" }] });
    expect(fake.schedules).toEqual([]);
    expect(fake.targeted).toEqual([]);

    // Within the tolerance it is accepted, and runs at the runner's next tick.
    await service.create(WS, "checkout", "staging", { runAt: at(-PAST_TOLERANCE_MS), action: enable }, editor);
    await service.create(WS, "checkout", "staging", { runAt: at(MAX_AHEAD_MS), action: enable }, editor);
    expect(fake.schedules).toHaveLength(2);
  });

  it("creates a ramp as one set_rollout schedule per step sharing a ramp id, steps strictly in time order", async () => {
    const steps = [
      { at: at(HOUR), percentage: 10 },
      { at: at(2 * HOUR), percentage: 50 },
      { at: at(3 * HOUR), percentage: 100 },
    ];
    const ramp = await service.ramp(WS, "checkout", "production", { steps }, editor);
    expect(ramp.items.map((s) => [s.runAt, s.action, s.rampId])).toEqual(steps.map((step) => [step.at, { type: "set_rollout", percentage: step.percentage }, ramp.rampId]));
    expect(writer.committed.audit.map((r) => (r.after as { rampId: string }).rampId)).toEqual([ramp.rampId, ramp.rampId, ramp.rampId]);

    const unordered = await refusal(
      service.ramp(WS, "checkout", "production", { steps: [steps[1]!, steps[0]!, { at: at(-2 * HOUR), percentage: 20 }, { at: at(-2 * HOUR), percentage: 30 }] }, editor),
    );
    expect(unordered.details).toEqual({
      issues: [
        { path: "body.steps.1.at", message: "steps must be in time order" },
        { path: "body.steps.2.at", message: "must not be in the past" },
        { path: "body.steps.2.at", message: "steps must be in time order" },
        { path: "body.steps.3.at", message: "must not be in the past" },
        { path: "body.steps.3.at", message: "steps must be in time order" },
      ],
    });
    expect(fake.schedules).toHaveLength(3);
  });

  it("cancels a pending schedule, or every pending step of its ramp, audited per schedule", async () => {
    const single = await service.create(WS, "checkout", "production", { runAt: at(HOUR), action: enable }, editor);
    const ramp = await service.ramp(WS, "checkout", "production", { steps: [{ at: at(HOUR), percentage: 10 }, { at: at(2 * HOUR), percentage: 50 }] }, editor);
    fake.schedules.find((s) => s.id === ramp.items[0]!.id)!.status = "applied";

    const cancelled = await service.cancel(WS, "checkout", "production", single.id, true, editor);
    expect(cancelled.map((s) => [s.id, s.status])).toEqual([[single.id, "cancelled"]]);
    const rest = await service.cancel(WS, "checkout", "production", ramp.items[1]!.id, true, editor);
    expect(rest.map((s) => [s.id, s.status])).toEqual([[ramp.items[1]!.id, "cancelled"]]);
    expect(fake.schedules.map((s) => s.status)).toEqual(["cancelled", "applied", "cancelled"]);
    expect(fake.targeted.at(-1)).toEqual({ envKey: "production", isWrite: false });
    expect(writer.committed.audit.slice(3).map((r) => [r.action, r.before, r.after])).toEqual([
      ["schedule.cancelled", { scheduleId: single.id, status: "pending" }, { scheduleId: single.id, status: "cancelled", runAt: at(HOUR), action: enable }],
      [
        "schedule.cancelled",
        { scheduleId: ramp.items[1]!.id, status: "pending" },
        { scheduleId: ramp.items[1]!.id, status: "cancelled", runAt: at(2 * HOUR), action: { type: "set_rollout", percentage: 50 } },
      ],
    ]);
  });

  it("cancels one step of a ramp alone unless the whole ramp is asked for", async () => {
    const ramp = await service.ramp(WS, "checkout", "staging", { steps: [{ at: at(HOUR), percentage: 10 }, { at: at(2 * HOUR), percentage: 50 }] }, editor);
    await service.cancel(WS, "checkout", "staging", ramp.items[0]!.id, false, editor);
    expect(fake.schedules.map((s) => s.status)).toEqual(["cancelled", "pending"]);
  });

  it("refuses to cancel a schedule that is no longer pending, saying what it is, and one it does not know", async () => {
    const created = await service.create(WS, "checkout", "staging", { runAt: at(HOUR), action: enable }, editor);
    await service.cancel(WS, "checkout", "staging", created.id, false, editor);
    const again = await refusal(service.cancel(WS, "checkout", "staging", created.id, false, editor));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toBe(`Schedule '${created.id}' is cancelled; only pending schedules can be cancelled.`);

    const applying = await service.create(WS, "checkout", "staging", { runAt: at(HOUR), action: enable }, editor);
    // The runner holds it: still pending, but the cancel finds nothing left to cancel.
    const cancel = fake.repo.cancel;
    fake.repo.cancel = async () => [];
    expect((await refusal(service.cancel(WS, "checkout", "staging", applying.id, false, editor))).message).toBe(
      `Schedule '${applying.id}' is being applied; only pending schedules can be cancelled.`,
    );
    fake.repo.cancel = cancel;

    expect((await refusal(service.cancel(WS, "checkout", "production", applying.id, false, editor))).code).toBe("NOT_FOUND");
    expect((await refusal(service.cancel(WS, "checkout", "staging", "sch-99", false, editor))).code).toBe("NOT_FOUND");
    expect(writer.committed.audit.map((r) => r.action)).toEqual(["schedule.created", "schedule.cancelled", "schedule.created"]);
  });

  it("lists one environment's schedules by time, of one status when asked, paged", async () => {
    for (const hours of [3, 1, 2]) await service.create(WS, "checkout", "staging", { runAt: at(hours * HOUR), action: enable }, editor);
    await service.create(WS, "checkout", "production", { runAt: at(HOUR), action: enable }, editor);
    const [first] = (await service.list(WS, "checkout", "staging", { page: 1, pageSize: 10 })).items;
    await service.cancel(WS, "checkout", "staging", first!.id, false, editor);

    const page = await service.list(WS, "checkout", "staging", { page: 1, pageSize: 2 });
    expect({ total: page.total, times: page.items.map((s) => s.runAt) }).toEqual({ total: 3, times: [at(HOUR), at(2 * HOUR)] });
    const pending = await service.list(WS, "checkout", "staging", { page: 1, pageSize: 10, status: "pending" });
    expect(pending.items.map((s) => s.runAt)).toEqual([at(2 * HOUR), at(3 * HOUR)]);
    expect((await refusal(service.list(WS, "checkout", "qa", { page: 1, pageSize: 10 }))).code).toBe("NOT_FOUND");
  });
});
