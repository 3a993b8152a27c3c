import type { SnapshotFlagState } from "@ensign/contracts/snapshot";
import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { useWorkspaceScope } from "../../../lib/workspace-scope";

/** Renders the blast radius of a proposed state of a flag; provided by the evaluation feature. */
export type ImpactPreview = (props: { flagKey: string; flagName: string; state: Partial<SnapshotFlagState> }) => ReactNode;

/**
 * "Turn X off in Production?": a change to a production environment waits here until confirmed,
 * with the tenants it affects shown first. Cancelling changes nothing.
 */
export function ProductionConfirmDialog({
  open,
  title,
  confirmLabel,
  flagKey,
  flagName,
  state,
  impact,
  isPending,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  flagKey: string;
  flagName: string;
  state: Partial<SnapshotFlagState>;
  impact?: ImpactPreview;
  isPending: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { environment } = useWorkspaceScope();
  return (
    <ConfirmDialog open={open} onOpenChange={(isOpen) => !isOpen && onCancel()} title={title} confirmLabel={confirmLabel} tone="danger" isPending={isPending} onConfirm={onConfirm}>
      <p className="flex items-start gap-2">
        <ShieldAlert className="mt-0.5 h-4 w-4 shrink-0 text-red-600" aria-hidden="true" />
        <span>
          {environment.name} is a production environment: the change reaches live traffic at once, and SDKs pick it up within seconds.
        </span>
      </p>
      {open && impact?.({ flagKey, flagName, state })}
    </ConfirmDialog>
  );
}
