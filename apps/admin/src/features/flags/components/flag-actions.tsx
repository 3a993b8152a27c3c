import type { FlagListItem } from "@ensign/contracts/flags";
import { Archive, Pencil } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { toast } from "../../../components/ui/toaster";
import { cn } from "../../../lib/cn";
import { useSetFlagLifecycle } from "../api/update-flag";
import { DeleteFlagButton } from "./delete-flag";

const iconLink = "inline-flex h-8 w-8 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600";

/**
 * The flags table's Actions cell: edit opens the flag's page; archive asks first; delete, only for
 * an archived flag, asks for the key as the flag page does.
 */
export function FlagActions({ ws, flag, canWrite }: { ws: string; flag: FlagListItem; canWrite: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const lifecycle = useSetFlagLifecycle(ws, flag.key);
  return (
    <span className="flex items-center justify-end gap-0.5">
      <Link to={`/w/${ws}/flags/${encodeURIComponent(flag.key)}`} className={cn(iconLink)} aria-label={`Edit ${flag.key}`} title="Edit">
        <Pencil className="h-4 w-4" aria-hidden="true" />
      </Link>
      {canWrite && !flag.archivedAt && (
        <Button size="icon" variant="danger-ghost" aria-label={`Archive ${flag.name}`} title="Archive" onClick={() => setConfirming(true)}>
          <Archive className="h-4 w-4" aria-hidden="true" />
        </Button>
      )}
      {canWrite && flag.archivedAt && <DeleteFlagButton ws={ws} flag={flag} compact />}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Archive ${flag.name}?`}
        tone="danger"
        confirmLabel="Archive"
        isPending={lifecycle.isPending}
        // A promise, not mutate's callbacks: the row (and this dialog) leaves the list once it refetches.
        onConfirm={() => lifecycle.mutateAsync({ version: flag.version, action: "archive" }).then(() => { toast.success(`${flag.name}: archived`); setConfirming(false); }, () => undefined)}
      >
        <p>The flag disappears from lists and evaluates as not found everywhere: SDKs fall back to their defaults. Refused while other flags depend on it.</p>
      </ConfirmDialog>
    </span>
  );
}
