import type { ScheduleAction } from "@ensign/contracts/schedules";
import { WEIGHT_TOTAL, type Serve } from "@ensign/contracts/targeting";
import type { Actor } from "../../infra/audit";
import type { Write } from "../../infra/writer";
import { flagStatesRepository as states, type StoredState } from "../flags/flag-states.repository";
import { changeState, type StateTarget } from "../flags/state-writes";

/**
 * The fallthrough of a `set_rollout`: the on variant for `percentage` % of contexts and the off
 * variant for the rest, on variant first, so raising the percentage only adds contexts. 0 and
 * 100 serve one variant outright. A split's `bucketBy` carries over.
 */
export function rolloutFallthrough(percentage: number, flag: { onVariant: string; offVariant: string }, current: Serve): Serve {
  const weight = Math.round(percentage * 1000);
  if (weight >= WEIGHT_TOTAL || flag.onVariant === flag.offVariant) return { variant: flag.onVariant };
  if (weight <= 0) return { variant: flag.offVariant };
  const bucketBy = "split" in current ? current.split.bucketBy : undefined;
  return {
    split: {
      allocations: [
        { variant: flag.onVariant, weight },
        { variant: flag.offVariant, weight: WEIGHT_TOTAL - weight },
      ],
      ...(bucketBy ? { bucketBy } : {}),
    },
  };
}

const pick = (state: StoredState, action: ScheduleAction) =>
  action.type === "set_rollout" ? { fallthrough: state.fallthrough } : { enabled: state.enabled };

/**
 * Applies a schedule's action to the current state through the same path as a manual write:
 * version and snapshot bump, and an audit entry (`schedule.applied`) naming the schedule.
 */
export async function applyScheduleAction(
  w: Write,
  target: StateTarget,
  scheduleId: string,
  action: ScheduleAction,
  actor: Actor,
): Promise<void> {
  const data =
    action.type === "set_rollout"
      ? { fallthrough: rolloutFallthrough(action.percentage, target.flag, target.state.fallthrough) }
      : { enabled: action.type === "enable" };
  await changeState(w, target, null, actor, {
    action: "schedule.applied",
    apply: () => states.update(w.tx, w.workspaceId, target.state.id, data),
    describe: (before, after) => ({ before: { scheduleId, ...pick(before, action) }, after: { scheduleId, action, ...pick(after, action) } }),
  });
}
