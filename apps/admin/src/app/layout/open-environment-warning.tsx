import { TriangleAlert } from "lucide-react";
import { Link } from "react-router";
import { OPEN_ENVIRONMENT_WARNING } from "../../features/environments/components/context-token-switch";
import { useWorkspaceScope } from "../../lib/workspace-scope";

/**
 * A standing warning while the current environment does not require signed context tokens (an
 * owner opted it out): shown on every page, linking to the switch on the Environments page.
 */
export function OpenEnvironmentWarning() {
  const { ws, environment } = useWorkspaceScope();
  if (environment.requireContextToken) return null;
  return (
    <Link
      to={`/w/${ws}/environments`}
      role="status"
      title={`${OPEN_ENVIRONMENT_WARNING} Require signed context tokens again on the Environments page.`}
      className="inline-flex items-center gap-1.5 rounded-md bg-amber-50 px-2 py-1 text-xs font-medium text-amber-800 ring-1 ring-amber-600/25 ring-inset hover:bg-amber-100"
    >
      <TriangleAlert className="h-3.5 w-3.5" aria-hidden="true" />
      {environment.name}: no signed context tokens required
    </Link>
  );
}
