import { Navigate, useNavigate, useParams, useSearchParams } from "react-router";
import { AcceptInvitationPage } from "../../features/auth/components/accept-invitation-page";
import { LoginPage } from "../../features/auth/components/login-page";
import { ResetPasswordPage } from "../../features/auth/components/reset-password-page";
import { PageSkeleton } from "../../components/ui/skeleton";
import { useSession } from "../../lib/auth";

export function LoginRoute() {
  const session = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));
  if (session.isPending) return <FullPageLoading />;
  if (session.data) return <Navigate to={next} replace />;
  return <LoginPage next={next} ssoError={params.get("error")} onSignedIn={() => navigate(next, { replace: true })} />;
}

/** The token is the page's key: a new link starts the page afresh. */
export function InviteRoute() {
  const { token = "" } = useParams();
  return <AcceptInvitationPage key={token} token={token} />;
}

export function ResetRoute() {
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
