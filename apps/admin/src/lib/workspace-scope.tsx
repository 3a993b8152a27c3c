import { can as roleCan, type Capability, type MembershipSummary, type Role } from "@ensign/contracts/auth";
import type { EnvironmentSummary, WorkspaceResponse } from "@ensign/contracts/workspaces";
import { createContext, useContext } from "react";

/** Where the user is working: the workspace in the URL, the chosen environment, their role there. */
export interface WorkspaceScope {
  workspace: WorkspaceResponse;
  /** The workspace's slug, as used in API paths and query keys. */
  ws: string;
  environments: EnvironmentSummary[];
  environment: EnvironmentSummary;
  /** The environment's key, as used in API paths and query keys. */
  env: string;
  setEnvironment(key: string): void;
  role: Role;
  tenant: MembershipSummary["tenant"];
  can(capability: Capability): boolean;
}

export const WorkspaceScopeContext = createContext<WorkspaceScope | null>(null);

export function useWorkspaceScope(): WorkspaceScope {
  const scope = useContext(WorkspaceScopeContext);
  if (!scope) throw new Error("useWorkspaceScope is used outside a workspace");
  return scope;
}

export function buildCan(role: Role) {
  return (capability: Capability) => roleCan(role, capability);
}

const storageKey = (ws: string) => `ensign:env:${ws}`;

/** The environment last chosen in this workspace, remembered across visits. */
export function rememberedEnvironment(ws: string, environments: EnvironmentSummary[]): EnvironmentSummary | undefined {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(storageKey(ws));
  } catch {
    // Storage can be unavailable (private mode); fall back to the default below.
  }
  return environments.find((e) => e.key === saved) ?? environments.find((e) => e.key === "production") ?? environments[0];
}

export function rememberEnvironment(ws: string, key: string) {
  try {
    localStorage.setItem(storageKey(ws), key);
  } catch {
    // Not remembering is acceptable.
  }
}
