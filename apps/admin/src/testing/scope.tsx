import type { Role } from "@ensign/contracts/auth";
import type { EnvironmentSummary, WorkspaceResponse } from "@ensign/contracts/workspaces";
import type { ReactNode } from "react";
import { buildCan, WorkspaceScopeContext, type WorkspaceScope } from "../lib/workspace-scope";

const environment = (key: string, sortOrder: number): EnvironmentSummary => ({ id: key, key, name: key[0]!.toUpperCase() + key.slice(1), color: null, sortOrder, requireContextToken: false, exposedHeaders: [], isProduction: key === "production", masterSwitch: { enabled: false, reason: null, changedAt: null, changedBy: null }, snapshotVersion: 1, version: 1 });

/** A workspace scope for component tests: `demo`, production, the given role. */
export function testScope(role: Role = "owner", tenant: WorkspaceScope["tenant"] = null): WorkspaceScope {
  const environments = [environment("development", 0), environment("staging", 1), environment("production", 2)];
  const workspace: WorkspaceResponse = { id: "w1", slug: "demo", name: "Demo", version: 1, archivedAt: null, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", environments };
  return { workspace, ws: "demo", environments, environment: environments[2]!, env: "production", setEnvironment: () => {}, role, tenant, can: buildCan(role) };
}

export function WithScope({ scope, children }: { scope: WorkspaceScope; children: ReactNode }) {
  return <WorkspaceScopeContext.Provider value={scope}>{children}</WorkspaceScopeContext.Provider>;
}
