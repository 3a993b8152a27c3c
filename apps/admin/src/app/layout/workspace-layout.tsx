import type { Role } from "@ensign/contracts/auth";
import { Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { Outlet, useLocation, useParams } from "react-router";
import { ErrorBoundary, ErrorPanel } from "../../components/ui/error-boundary";
import { PageSkeleton } from "../../components/ui/skeleton";
import { TooltipProvider } from "../../components/ui/tooltip";
import { useSession } from "../../lib/auth";
import { buildCan, rememberedEnvironment, rememberEnvironment, WorkspaceScopeContext, type WorkspaceScope } from "../../lib/workspace-scope";
import { useWorkspaces } from "../../features/workspaces/api/get-workspaces";
import { NotFoundPage } from "../routes/not-found";
import { KeyboardShortcuts } from "./keyboard-shortcuts";
import { MasterSwitchBanner } from "./master-switch-banner";
import { Sidebar } from "./sidebar";
import { Topbar } from "./topbar";
import { useLiveUpdates } from "./use-live-updates";

import { LAST_WORKSPACE_KEY } from "../../lib/last-workspace";

/** The frame of every workspace page: sidebar, top bar, and the scope every feature reads. */
export function WorkspaceLayout() {
  const { workspace: slug = "" } = useParams();
  const session = useSession();
  const workspaces = useWorkspaces();
  const location = useLocation();
  const workspace = workspaces.data?.find((w) => w.slug === slug);
  // The chosen environment per workspace; falls back to the one remembered from the last visit.
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const envKey = chosen[slug];

  useEffect(() => {
    if (!workspace) return;
    try {
      localStorage.setItem(LAST_WORKSPACE_KEY, workspace.slug);
    } catch {
      // Remembering the workspace is a convenience only.
    }
  }, [workspace]);

  const setEnvironment = useCallback(
    (key: string) => {
      setChosen((previous) => ({ ...previous, [slug]: key }));
      rememberEnvironment(slug, key);
    },
    [slug],
  );

  const scope = useMemo<WorkspaceScope | null>(() => {
    const user = session.data;
    if (!workspace || !user) return null;
    const membership = user.memberships.find((m) => m.workspace.slug === workspace.slug);
    const role: Role | undefined = user.isSuperadmin ? "owner" : membership?.role;
    const environment = workspace.environments.find((e) => e.key === envKey) ?? rememberedEnvironment(workspace.slug, workspace.environments);
    if (!role || !environment) return null;
    return {
      workspace,
      ws: workspace.slug,
      environments: [...workspace.environments].sort((a, b) => a.sortOrder - b.sortOrder),
      environment,
      env: environment.key,
      setEnvironment,
      role,
      tenant: user.isSuperadmin ? null : (membership?.tenant ?? null),
      can: buildCan(role),
    };
  }, [session.data, workspace, envKey, setEnvironment]);

  const live = useLiveUpdates(slug, !!scope?.can("workspace:read"));

  if (workspaces.isPending) {
    return (
      <div className="mx-auto max-w-5xl p-10">
        <PageSkeleton />
      </div>
    );
  }
  if (workspaces.isError) {
    return (
      <div className="mx-auto max-w-xl p-10">
        <ErrorPanel error={workspaces.error} onRetry={() => void workspaces.refetch()} title="Your workspaces could not be loaded" />
      </div>
    );
  }
  if (!scope) return <NotFoundPage title="Workspace not found" message={`There is no workspace "${slug}", or you are not a member of it.`} />;

  return (
    <WorkspaceScopeContext.Provider value={scope}>
      <TooltipProvider>
      <div className="flex min-h-screen">
        <a href="#main" className="sr-only z-50 rounded bg-white px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2">
          Skip to content
        </a>
        <Sidebar />
        <div className="flex min-w-0 flex-1 flex-col">
          <Topbar live={live} />
          <MasterSwitchBanner />
          <main id="main" tabIndex={-1} className="flex-1 px-6 py-7 focus:outline-none xl:px-8">
            <div className="mx-auto max-w-7xl">
              <ErrorBoundary resetKey={location.pathname}>
                <Suspense fallback={<PageSkeleton />}>
                  <Outlet />
                </Suspense>
              </ErrorBoundary>
            </div>
          </main>
        </div>
      </div>
      <KeyboardShortcuts />
      </TooltipProvider>
    </WorkspaceScopeContext.Provider>
  );
}
