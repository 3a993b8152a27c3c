import type { Actor } from "../../src/infra/audit";
import type { EnvironmentRow, FlagRow } from "../../src/infra/db/lookups.repository";
import type { Tx } from "../../src/infra/db/scoped";
import type { EnvironmentLimitsChecker } from "../../src/infra/environment-limits";
import type { StoredState } from "../../src/modules/flags/flag-states.repository";
import type { FlagLookups } from "../../src/modules/overrides/overrides.rules";

/*
 * Fixtures for the services' unit tests over in-memory repositories: one workspace, a fixed
 * clock, the callers, and the flag and environment rows the lookups answer.
 */

/** The workspace the in-memory repositories hold; any other finds nothing. */
export const WS = "ws-1";
/** The tests' clock. */
export const NOW = Date.parse("2026-06-01T12:00:00Z");

export const editor: Actor = { type: "user", id: "u-1", email: "editor@example.test", role: "editor" };
export const admin: Actor = { type: "user", id: "u-2", email: "admin@example.test", role: "admin" };
export const tenantAdmin: Actor = { type: "user", id: "u-ta", email: "ta@goodwin.test", role: "tenant_admin" };

export const staging: EnvironmentRow = { id: "env-staging", key: "staging", snapshotVersion: 4 };
export const production: EnvironmentRow = { id: "env-production", key: "production", snapshotVersion: 9 };

/** A live boolean flag as the lookups find it, id `flag-<key>`. */
export function flagRow(key: string, options: Partial<FlagRow> = {}): FlagRow {
  return {
    id: `flag-${key}`,
    key,
    name: key,
    type: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    offVariant: "off",
    onVariant: "on",
    dependsOn: [],
    deprecatedAt: null,
    archivedAt: null,
    module: null,
    ...options,
  };
}

/** A flag's state as a new flag or environment gets it: on or off, no rules, no tenant lists, version 1. */
export function newStateRow(id: string, flagId: string, environmentId: string, initial: { enabled: boolean; variant: string }): StoredState {
  return {
    id,
    flagId,
    environmentId,
    enabled: initial.enabled,
    fallthrough: { variant: initial.variant },
    tenantAllow: [],
    tenantDeny: [],
    version: 1,
    updatedAt: new Date(NOW),
    rules: [],
  };
}

/** The flag and environment lookups over rows in memory, all of them in `WS`. */
export function memoryFlagLookups(flags: FlagRow[], environments: EnvironmentRow[]): FlagLookups {
  return {
    async findFlag(_tx, workspaceId, key) {
      return workspaceId === WS ? (flags.find((f) => f.key === key) ?? null) : null;
    },
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS ? (environments.find((e) => e.key === key) ?? null) : null;
    },
  };
}

/** Environment limits that let everything through and keep the environments each check was asked about. */
export function recordingLimits() {
  const checked: string[][] = [];
  const limits: Pick<EnvironmentLimitsChecker, "assertEnvironments"> = {
    async assertEnvironments(_tx, environmentIds) {
      checked.push([...environmentIds]);
    },
  };
  return { limits, checked };
}

/** Versioned writes over rows in memory: each answers false when `expectedVersion` is no longer current. */
export function versionedWrites<Row extends { workspaceId: string; id: string; version: number }>(rows: Row[]) {
  const current = (workspaceId: string, id: string, expectedVersion: number) =>
    rows.findIndex((r) => r.workspaceId === workspaceId && r.id === id && r.version === expectedVersion);
  return {
    async update(_tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: Partial<Row>): Promise<boolean> {
      const row = rows[current(workspaceId, id, expectedVersion)];
      if (!row) return false;
      Object.assign(row, data, { version: row.version + 1 });
      return true;
    },
    async delete(_tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
      const index = current(workspaceId, id, expectedVersion);
      if (index < 0) return false;
      rows.splice(index, 1);
      return true;
    },
  };
}

/** Rows of several workspaces in memory: one workspace's, and a row as the repository answers it (without its workspace, a copy). */
export function workspaceRows<Row extends { workspaceId: string }>(rows: Row[]) {
  return {
    inScope: (workspaceId: string) => rows.filter((r) => r.workspaceId === workspaceId),
    strip: ({ workspaceId: _w, ...row }: Row): Omit<Row, "workspaceId"> => structuredClone(row),
  };
}
