import type { FlagResponse } from "@ensign/contracts/flags";
import { Trash2 } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Field, Input } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { useDeleteFlag } from "../api/update-flag";

/**
 * Deletes an archived flag for good, after its key is typed. `compact` is the flags table's icon
 * button, which stays on the list afterwards.
 */
export function DeleteFlagButton({ ws, flag, compact = false }: { ws: string; flag: Pick<FlagResponse, "key" | "name" | "version">; compact?: boolean }) {
  const [isOpen, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useDeleteFlag(ws, flag.key);
  const navigate = useNavigate();
  return (
    <>
      {compact ? (
        <Button size="icon" variant="danger-ghost" aria-label={`Delete ${flag.name}`} title="Delete" onClick={() => { setTyped(""); setOpen(true); }}>
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </Button>
      ) : (
        <Button variant="danger-ghost" onClick={() => { setTyped(""); setOpen(true); }}>
          <Trash2 className="h-4 w-4" aria-hidden="true" />
          Delete
        </Button>
      )}
      <ConfirmDialog
        open={isOpen}
        onOpenChange={setOpen}
        title={`Delete ${flag.name} for good?`}
        tone="danger"
        confirmLabel="Delete flag"
        disabled={typed !== flag.key}
        isPending={remove.isPending}
        onConfirm={() =>
          // A promise, not mutate's callbacks: in the flags table the row (and this button) is gone
          // once the list refetches, and the toast must still say so. Failures are toasted globally.
          remove.mutateAsync({ version: flag.version, confirm: typed }).then(
            () => {
              toast.success(`${flag.name} was deleted`);
              if (compact) setOpen(false);
              else void navigate(`/w/${ws}/flags`);
            },
            () => undefined,
          )
        }
      >
        <p>
          Its state in every environment, its tenant and user overrides, schedules and statistics are removed; the audit log keeps its history. Its key can then be
          used for a new flag. This cannot be undone.
        </p>
        <Field label={<>Type <code className="font-mono">{flag.key}</code> to confirm</>}>
          {(props) => <Input {...props} className="font-mono" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
      </ConfirmDialog>
    </>
  );
}
