import type { OverviewResponse } from "@ensign/contracts/overview";
import type { Reader } from "../../infra/db/scoped";
import { notFound } from "../../infra/errors";
import type { OverviewRepository } from "./overview.repository";

const HOUR_MS = 3_600_000;
const USAGE_DAYS = 7;
const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

export interface OverviewServiceDeps {
  reading: Reader;
  repo: OverviewRepository;
  now?: () => number;
}

/** The overview page: how the workspace stands at a glance, read in one statement. */
export function createOverviewService({ reading, repo, now = Date.now }: OverviewServiceDeps) {
  return {
    async overview(workspaceId: string, environmentKey: string): Promise<OverviewResponse> {
      return reading(workspaceId, async (tx) => {
        const environment = await repo.findEnvironment(tx, workspaceId, environmentKey);
        if (!environment) throw notFound(`Environment '${environmentKey}'`);
        const at = now();
        const row = await repo.read(tx, workspaceId, environment.id, new Date(at), new Date(at - 24 * HOUR_MS), new Date(at - USAGE_DAYS * 24 * HOUR_MS));
        const usage = (u: (typeof row.most)[number]) => ({ flag: u.flag, name: u.name, evaluations: Number(u.evaluations), createdAt: new Date(u.created_at).toISOString() });
        return {
          generatedAt: new Date(at).toISOString(),
          environments: row.environments.map((e) => ({
            key: e.key,
            name: e.name,
            isProduction: e.is_production,
            flags: { on: e.on, off: e.off, partial: e.partial },
            masterSwitch: { isOn: e.switch_on, reason: e.switch_reason, changedAt: iso(e.switch_changed_at) },
          })),
          changes: {
            total: row.change_total,
            latest: row.changes.map((c) => ({ id: c.id, at: new Date(c.at).toISOString(), action: c.action, actor: c.actor, environment: c.environment, targetType: c.target_type, targetKey: c.target_key })),
          },
          schedules: row.schedules.map((s) => ({ id: s.id, flag: s.flag, flagName: s.flag_name, environment: s.environment, runAt: new Date(s.run_at).toISOString(), action: s.action })),
          usage: { environment: environment.key, days: USAGE_DAYS, most: row.most.map(usage), least: row.least.map(usage) },
        };
      });
    },
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
