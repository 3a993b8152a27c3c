import { z } from "zod";
import { FlagKey, Key } from "./common";
import { WorkspaceParams } from "./workspaces";

export const OverviewParams = WorkspaceParams;
export const OverviewQuery = z
  .object({
    /** The environment whose evaluations rank the most and least evaluated flags. */
    env: Key,
  })
  .strict();
export type OverviewQuery = z.infer<typeof OverviewQuery>;

export const OverviewEnvironment = z.object({
  key: Key,
  name: z.string(),
  isProduction: z.boolean(),
  /** Live flags by status there, as the flags table colours them. */
  flags: z.object({ on: z.number().int(), off: z.number().int(), partial: z.number().int() }),
  masterSwitch: z.object({ isOn: z.boolean(), reason: z.string().nullable(), changedAt: z.string().nullable() }),
});
export type OverviewEnvironment = z.infer<typeof OverviewEnvironment>;

export const OverviewChange = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actor: z.string().nullable(),
  environment: z.string().nullable(),
  targetType: z.string(),
  targetKey: z.string().nullable(),
});

export const OverviewSchedule = z.object({
  id: z.string(),
  flag: FlagKey,
  flagName: z.string(),
  environment: Key,
  runAt: z.string(),
  /** The action's kind: `enable`, `disable`, `rollout`, ... */
  action: z.string(),
});

export const OverviewUsage = z.object({
  flag: FlagKey,
  name: z.string(),
  evaluations: z.number().int(),
  createdAt: z.string(),
});

export const OverviewResponse = z.object({
  generatedAt: z.string(),
  environments: z.array(OverviewEnvironment),
  /** Audit entries of the last 24 hours: how many, and the latest. */
  changes: z.object({ total: z.number().int(), latest: z.array(OverviewChange) }),
  /** Pending schedules, soonest first. */
  schedules: z.array(OverviewSchedule),
  /** Evaluations in `env` over the last 7 days (flags that do not track analytics left out). */
  usage: z.object({ environment: Key, days: z.number().int(), most: z.array(OverviewUsage), least: z.array(OverviewUsage) }),
});
export type OverviewResponse = z.infer<typeof OverviewResponse>;
