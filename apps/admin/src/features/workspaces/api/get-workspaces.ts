import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { workspacesKey } from "../../../lib/query-keys";

export const getWorkspaces = () => api<{ items: WorkspaceResponse[] }>("/v1/workspaces").then((page) => page.items);

/** The workspaces the user belongs to, with their environments. Every role may read this. */
export const getWorkspacesQueryOptions = () => queryOptions({ queryKey: workspacesKey, queryFn: getWorkspaces, staleTime: 60_000 });

export const useWorkspaces = () => useQuery(getWorkspacesQueryOptions());
