/**
 * Query keys are hierarchical, workspace then environment first, so a mutation can invalidate
 * exactly the prefixes it changed: `['ws', ws, 'env', env, 'flags', 'list', filters]`.
 */
export const sessionKey = ["session"] as const;
/** How people may sign in (password, a provider): the server's configuration, not the session's. */
export const signInMethodsKey = ["sign-in-methods"] as const;
export const workspacesKey = ["workspaces"] as const;
export const wsKey = (workspace: string) => ["ws", workspace] as const;
export const envKey = (workspace: string, environment: string) => ["ws", workspace, "env", environment] as const;
/** A tenant admin's own tenant, in a workspace. */
export const tenantKey = (workspace: string) => ["tenant", workspace] as const;
