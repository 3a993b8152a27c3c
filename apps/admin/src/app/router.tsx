import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { PageSkeleton } from "../components/ui/skeleton";
import { useSession } from "../lib/auth";
import { AcceptInvitationPage } from "../features/auth/components/accept-invitation-page";
import { LoginPage } from "../features/auth/components/login-page";
import { ResetPasswordPage } from "../features/auth/components/reset-password-page";
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

/** The token is the page's key: a new link starts the page afresh. */
function InviteRoute() {
  const { token = "" } = useParams();
  return <AcceptInvitationPage key={token} token={token} />;
}

function ResetRoute() {
  const { token = "" } = useParams();
  return <ResetPasswordPage key={token} token={token} />;
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
  // Opened from links handed out by admins, signed in or not.
  { path: "/invite/:token", element: <InviteRoute /> },
  { path: "/reset/:token", element: <ResetRoute /> },
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
