import { Building2 } from "lucide-react";
import { Navigate } from "react-router";
import { EmptyState } from "../../components/ui/empty-state";
import { useSession } from "../../lib/auth";
import { useWorkspaces } from "../../features/workspaces/api/get-workspaces";
import { PageSkeleton } from "../../components/ui/skeleton";
import { ErrorPanel } from "../../components/ui/error-boundary";
import { LAST_WORKSPACE_KEY } from "../../lib/last-workspace";

/** `/` goes to the workspace used last, or the first one. */
export function HomeRedirect() {
  const session = useSession();
  const workspaces = useWorkspaces();
  if (workspaces.isPending) return <div className="mx-auto max-w-5xl p-10"><PageSkeleton /></div>;
  if (workspaces.isError) return <div className="mx-auto max-w-xl p-10"><ErrorPanel error={workspaces.error} onRetry={() => void workspaces.refetch()} /></div>;
  let last: string | null = null;
  try {
    last = localStorage.getItem(LAST_WORKSPACE_KEY);
  } catch {
    last = null;
  }
  const target = workspaces.data.find((w) => w.slug === last) ?? workspaces.data[0];
  if (!target) {
    return (
      <div className="mx-auto max-w-xl p-10">
        <EmptyState icon={Building2} title="You are not a member of any workspace yet">
          Ask an owner of your organisation's Ensign workspace to invite {session.data?.email ?? "you"}.
        </EmptyState>
      </div>
    );
  }
  return <Navigate to={`/w/${target.slug}`} replace />;
}
