import { OctagonX } from "lucide-react";
import { Link } from "react-router";
import { formatDateTime } from "../../lib/format";
import { useWorkspaceScope } from "../../lib/workspace-scope";

/**
 * A banner across every page while the current environment's master switch is on: whatever the
 * page shows about flags there, every one of them serves its off variant until it is lifted.
 */
export function MasterSwitchBanner() {
  const { ws, environment, can } = useWorkspaceScope();
  const state = environment.masterSwitch;
  if (!state.enabled) return null;
  const since = [state.changedAt && `since ${formatDateTime(state.changedAt)}`, state.changedBy && `by ${state.changedBy}`].filter(Boolean).join(" ");
  return (
    <div role="alert" data-testid="master-switch-banner" className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-red-700 bg-red-600 px-6 py-2 text-sm text-white xl:px-8">
      <OctagonX className="h-4 w-4 shrink-0" aria-hidden="true" />
      <strong className="font-semibold">Master switch on in {environment.name}: every flag serves its off variant.</strong>
      {since && <span className="text-red-100">Turned on {since}.</span>}
      {state.reason && <span className="text-red-100">Reason: {state.reason}</span>}
      {can("definitions:write") && (
        <Link to={`/w/${ws}/environments`} className="ml-auto rounded px-2 py-0.5 font-medium underline underline-offset-2 hover:bg-red-700">
          Lift it on the Environments page
        </Link>
      )}
    </div>
  );
}
