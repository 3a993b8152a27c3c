import { describe, expect, it } from "vitest";
import { codeOf, memoryReading } from "../../../test/helpers/recording-writer";
import { NOW, production, staging, WS } from "../../../test/helpers/service-fixtures";
import type { OverviewRepository, OverviewRow } from "./overview.repository";
import { createOverviewService } from "./overview.service";

const DAY = 24 * 3_600_000;

const row: OverviewRow = {
  environments: [
    { key: "production", name: "Production", is_production: true, on: 2, off: 1, partial: 1, switch_on: true, switch_reason: "incident 42", switch_changed_at: "2026-06-01T10:00:00+00:00" },
    { key: "staging", name: "Staging", is_production: false, on: 0, off: 4, partial: 0, switch_on: false, switch_reason: null, switch_changed_at: null },
  ],
  change_total: 12,
  changes: [{ id: "77", at: "2026-06-01T11:30:00+00:00", action: "flag.updated", actor: "Ada", environment: null, target_type: "flag", target_key: "checkout" }],
  schedules: [{ id: "sch-1", flag: "checkout", flag_name: "Checkout", environment: "production", run_at: "2026-06-01T13:00:00+00:00", action: "enable" }],
  most: [{ flag: "checkout", name: "Checkout", evaluations: 1200, created_at: "2026-05-01T00:00:00+00:00" }],
  least: [{ flag: "search", name: "Search", evaluations: 0, created_at: "2026-05-02T00:00:00+00:00" }],
};

/** The overview read in memory: one answer for any environment the workspace has, and the windows it was asked for. */
function fakeRepository() {
  const asked: { workspaceId: string; environmentId: string; now: Date; changesSince: Date; usageSince: Date }[] = [];
  const repo: OverviewRepository = {
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS ? ([production, staging].find((e) => e.key === key) ?? null) : null;
    },
    async read(_tx, workspaceId, environmentId, now, changesSince, usageSince) {
      asked.push({ workspaceId, environmentId, now, changesSince, usageSince });
      return row;
    },
  };
  return { repo, asked };
}

describe("overview service", () => {
  it("reads the last day's changes and the last week's usage in the environment asked for, answering ISO times", async () => {
    const fake = fakeRepository();
    const service = createOverviewService({ reading: memoryReading, repo: fake.repo, now: () => NOW });
    const overview = await service.overview(WS, "staging");
    expect(fake.asked).toEqual([{ workspaceId: WS, environmentId: staging.id, now: new Date(NOW), changesSince: new Date(NOW - DAY), usageSince: new Date(NOW - 7 * DAY) }]);
    expect(overview).toEqual({
      generatedAt: new Date(NOW).toISOString(),
      environments: [
        { key: "production", name: "Production", isProduction: true, flags: { on: 2, off: 1, partial: 1 }, masterSwitch: { isOn: true, reason: "incident 42", changedAt: "2026-06-01T10:00:00.000Z" } },
        { key: "staging", name: "Staging", isProduction: false, flags: { on: 0, off: 4, partial: 0 }, masterSwitch: { isOn: false, reason: null, changedAt: null } },
      ],
      changes: {
        total: 12,
        latest: [{ id: "77", at: "2026-06-01T11:30:00.000Z", action: "flag.updated", actor: "Ada", environment: null, targetType: "flag", targetKey: "checkout" }],
      },
      schedules: [{ id: "sch-1", flag: "checkout", flagName: "Checkout", environment: "production", runAt: "2026-06-01T13:00:00.000Z", action: "enable" }],
      usage: {
        environment: "staging",
        days: 7,
        most: [{ flag: "checkout", name: "Checkout", evaluations: 1200, createdAt: "2026-05-01T00:00:00.000Z" }],
        least: [{ flag: "search", name: "Search", evaluations: 0, createdAt: "2026-05-02T00:00:00.000Z" }],
      },
    });
  });

  it("answers 404 for an environment the workspace does not have, reading nothing more", async () => {
    const fake = fakeRepository();
    const service = createOverviewService({ reading: memoryReading, repo: fake.repo, now: () => NOW });
    expect(await codeOf(service.overview(WS, "qa"))).toBe("NOT_FOUND");
    expect(await codeOf(service.overview("ws-other", "production"))).toBe("NOT_FOUND");
    expect(fake.asked).toEqual([]);
  });
});
