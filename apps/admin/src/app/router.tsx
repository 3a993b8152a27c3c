import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, useNavigate, useSearchParams } from "react-router";
import { PageSkeleton } from "../components/ui/skeleton";
import { useSession } from "../lib/auth";
import { LoginPage } from "../features/auth/components/login-page";
import { HomeRedirect } from "./routes/home-redirect";
import { NotFoundPage } from "./routes/not-found";
import { WorkspaceLayout } from "./layout/workspace-layout";
import { workspaceRoutes } from "./routes/workspace-routes";

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <FullPageLoading />;
  if (!session.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <Outlet />;
}

function LoginRoute() {
  const session = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));
  if (session.isPending) return <FullPageLoading />;
  if (session.data) return <Navigate to={next} replace />;
  return <LoginPage next={next} ssoError={params.get("error")} onSignedIn={() => navigate(next, { replace: true })} />;
}

/** Only same-app paths: never an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function FullPageLoading() {
  return (
    <div className="mx-auto max-w-5xl p-10">
      <PageSkeleton />
    </div>
  );
}

const router = createBrowserRouter([
  { path: "/login", element: <LoginRoute /> },
  {
    element: <RequireSession />,
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: "w/:workspace", element: <WorkspaceLayout />, children: workspaceRoutes },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
