import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { PageSkeleton } from "../components/ui/skeleton";
import { useSession } from "../lib/auth";
import { HomeRedirect } from "./routes/home-redirect";
import { NotFoundPage } from "./routes/not-found";
import { workspaceRoutes } from "./routes/workspace-routes";

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <FullPageLoading />;
  if (!session.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Outlet />;
}

function FullPageLoading() {
  return (
    <div className="mx-auto max-w-5xl p-10">
      <PageSkeleton />
    </div>
  );
}

// Forms, dialogs, menus and the workspace frame load with the page that needs them: the first
// load carries React, the router, the query cache and this shell only.
const router = createBrowserRouter([
  { path: "/login", HydrateFallback: FullPageLoading, lazy: () => import("./routes/auth-routes").then((m) => ({ Component: m.LoginRoute })) },
  // Opened from links handed out by admins, signed in or not.
  { path: "/invite/:token", lazy: () => import("./routes/auth-routes").then((m) => ({ Component: m.InviteRoute })) },
  { path: "/reset/:token", lazy: () => import("./routes/auth-routes").then((m) => ({ Component: m.ResetRoute })) },
  {
    element: <RequireSession />,
    HydrateFallback: FullPageLoading,
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: "w/:workspace", lazy: () => import("./layout/workspace-layout").then((m) => ({ Component: m.WorkspaceLayout })), children: workspaceRoutes },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
