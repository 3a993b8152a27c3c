import type { Capability } from "@ensign/contracts/auth";
import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Navigate } from "react-router";
import { EmptyState } from "../../components/ui/empty-state";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { homePathFor } from "../layout/navigation";

/** Renders its page only for roles with the capability; a tenant admin is taken to their own pages. */
export function RequireCapability({ capability, children }: { capability: Capability; children: ReactNode }) {
  const { can, ws } = useWorkspaceScope();
  if (can(capability)) return children;
  if (can("tenant:manage")) return <Navigate to={`/w/${ws}/${homePathFor(can)}`} replace />;
  return (
    <EmptyState icon={ShieldAlert} title="You do not have access to this page" className="mt-10">
      Your role in this workspace does not include it. An owner or admin can change your role.
    </EmptyState>
  );
}

export function WorkspaceIndex() {
  const { can, ws } = useWorkspaceScope();
  return <Navigate to={`/w/${ws}/${homePathFor(can)}`} replace />;
}
