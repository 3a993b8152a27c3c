import type { RouteObject } from "react-router";
import { EnvironmentsPage } from "../../features/environments/components/environments-page";
import { OverviewPage } from "../../features/workspaces/components/overview-page";
import { NotFoundPage } from "./not-found";
import { RequireCapability, WorkspaceIndex } from "./guard";

export const workspaceRoutes: RouteObject[] = [
  { index: true, element: <WorkspaceIndex /> },
  { path: "overview", element: <RequireCapability capability="workspace:read"><OverviewPage /></RequireCapability> },
  { path: "environments", element: <RequireCapability capability="workspace:read"><EnvironmentsPage /></RequireCapability> },
  { path: "*", element: <NotFoundPage /> },
];
