import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import type { QueryClient } from "@tanstack/react-query";

/**
 * Query keys are hierarchical, workspace then environment first, so a mutation can invalidate
 * exactly the prefixes it changed: `['ws', ws, 'env', env, 'flags', 'list', filters]`. The
 * prefixes more than one feature invalidates are made here; each feature extends them.
 */
export const sessionKey = ["session"] as const;
/** How people may sign in (password, a provider): the server's configuration, not the session's. */
export const signInMethodsKey = ["sign-in-methods"] as const;
export const workspacesKey = ["workspaces"] as const;
export const wsKey = (workspace: string) => ["ws", workspace] as const;
/** Everything that differs by environment, in every environment of the workspace. */
export const environmentsKey = (workspace: string) => [...wsKey(workspace), "env"] as const;
export const envKey = (workspace: string, environment: string) => [...environmentsKey(workspace), environment] as const;
/** Flags' lists and details in one environment (their state differs by environment). */
export const flagsKey = (workspace: string, environment: string) => [...envKey(workspace, environment), "flags"] as const;
/** Tenants' lists and details in one environment (they show the flags' effective values there). */
export const tenantsKey = (workspace: string, environment: string) => [...envKey(workspace, environment), "tenants"] as const;
export const auditKey = (workspace: string) => [...wsKey(workspace), "audit"] as const;
/** A tenant admin's own tenant, in a workspace. */
export const tenantKey = (workspace: string) => ["tenant", workspace] as const;

/**
 * `key` for each environment of the workspace, as the workspaces query lists them: what a change
 * that shows in every environment invalidates. Before that list is loaded, every
 * environment's queries of the workspace.
 */
export function inEveryEnvironment(queryClient: QueryClient, workspace: string, key: (environment: string) => readonly unknown[]): (readonly unknown[])[] {
  const environments = queryClient.getQueryData<WorkspaceResponse[]>(workspacesKey)?.find((w) => w.slug === workspace)?.environments;
  return environments ? environments.map((environment) => key(environment.key)) : [environmentsKey(workspace)];
}

/** Invalidates every query under each of these prefixes. */
export const invalidatePrefixes = (queryClient: QueryClient, prefixes: (readonly unknown[])[]) => Promise.all(prefixes.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
