import { z } from "zod";
import { FlagKey, IsoDateTime, Key, PageQuery, QueryBoolean, pageOf } from "./common";
import { FlagEnvParams } from "./flags";

/** A percentage of contexts, 0-100 in steps of 0.001 (split weights are thousandths of a percent). */
export const Percentage = z
  .number()
  .min(0)
  .max(100)
  .refine((p) => Math.abs(p * 1000 - Math.round(p * 1000)) < 1e-6, "use at most three decimals");

/**
 * What a schedule does to a flag's state in one environment when it runs:
 * `enable` and `disable` set the kill switch; `set_rollout` makes the fallthrough a split that
 * serves the on variant to `percentage` % and the off variant to the rest (on variant first, so
 * raising the percentage never turns anyone off); 0 and 100 serve one variant outright.
 */
export const ScheduleAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enable") }).strict(),
  z.object({ type: z.literal("disable") }).strict(),
  z.object({ type: z.literal("set_rollout"), percentage: Percentage }).strict(),
]);
export type ScheduleAction = z.infer<typeof ScheduleAction>;

export const SCHEDULE_STATUSES = ["pending", "applied", "failed", "cancelled"] as const;
export const ScheduleStatus = z.enum(SCHEDULE_STATUSES);
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

export const CreateScheduleBody = z
  .object({
    /** When to apply; no more than a minute in the past. */
    runAt: IsoDateTime,
    action: ScheduleAction,
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

export const RampStep = z.object({ at: IsoDateTime, percentage: Percentage }).strict();

/** A step-wise ramp: one `set_rollout` schedule per step, sharing a `rampId`. Steps in time order. */
export const CreateRampBody = z
  .object({ steps: z.array(RampStep).min(1).max(50) })
  .strict();
export type CreateRampBody = z.infer<typeof CreateRampBody>;

export const ScheduleResponse = z.object({
  id: z.string(),
  flag: FlagKey,
  environment: Key,
  runAt: z.string(),
  action: ScheduleAction,
  rampId: z.string().nullable(),
  status: ScheduleStatus,
  appliedAt: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type ScheduleResponse = z.infer<typeof ScheduleResponse>;

export const ScheduleList = pageOf(ScheduleResponse);
export type ScheduleList = z.infer<typeof ScheduleList>;

export const RampResponse = z.object({ rampId: z.string(), items: z.array(ScheduleResponse) });
export type RampResponse = z.infer<typeof RampResponse>;

export const ListSchedulesQuery = PageQuery.extend({ status: ScheduleStatus.optional() }).strict();
export type ListSchedulesQuery = z.infer<typeof ListSchedulesQuery>;

export const ScheduleParams = FlagEnvParams.extend({ scheduleId: z.uuid() });

/** `?ramp=true` cancels every pending step of the schedule's ramp. */
export const CancelScheduleQuery = z.object({ ramp: QueryBoolean.default(false) }).strict();
