import type { EnvironmentSummary } from "@ensign/contracts/workspaces";
import { OctagonX, Power } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Field, Input, Textarea } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime } from "../../../lib/format";
import { useSetMasterSwitch } from "../api/master-switch";

/** What turning the switch on does, said once for the page and the dialog. */
export const MASTER_SWITCH_EXPLANATION =
  "The master switch is an environment's emergency stop: while it is on, every flag there serves its off variant to every portal, SDK and API call, whatever its rules and overrides say. Lifting it brings the previous answers back.";

/**
 * An environment's master switch: its state, and for owners and admins the button that turns it
 * on (after typing the environment's key) or lifts it (after a plain confirmation).
 */
export function MasterSwitchControl({ ws, environment, canEdit }: { ws: string; environment: EnvironmentSummary; canEdit: boolean }) {
  const setSwitch = useSetMasterSwitch(ws);
  const [confirming, setConfirming] = useState<"on" | "off" | null>(null);
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const state = environment.masterSwitch;

  const open = (next: "on" | "off") => {
    setTyped("");
    setReason("");
    setConfirming(next);
  };
  const save = (isOn: boolean) =>
    setSwitch.mutate(
      { env: environment.key, enabled: isOn, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => {
          toast.success(isOn ? `Master switch on in ${environment.name}: every flag is off` : `Master switch lifted in ${environment.name}`);
          setConfirming(null);
        },
      },
    );

  const status = state.enabled ? (
    <span className="flex flex-col gap-0.5">
      <Badge tone="red">On: every flag off</Badge>
      <span className="text-xs text-slate-500">
        {formatDateTime(state.changedAt)}
        {state.changedBy ? ` by ${state.changedBy}` : ""}
      </span>
    </span>
  ) : (
    <span className="text-sm text-slate-600">Off</span>
  );

  return (
    <span className="flex flex-wrap items-center gap-2">
      {status}
      {canEdit &&
        (state.enabled ? (
          <Button size="sm" onClick={() => open("off")}>
            <Power className="h-3.5 w-3.5" aria-hidden="true" />
            Lift master switch
          </Button>
        ) : (
          <Button size="sm" variant="danger-ghost" onClick={() => open("on")} aria-label={`Turn on the master switch of ${environment.name}`}>
            <OctagonX className="h-3.5 w-3.5" aria-hidden="true" />
            Turn on
          </Button>
        ))}
      <ConfirmDialog
        open={confirming === "on"}
        onOpenChange={(isOpen) => !isOpen && setConfirming(null)}
        title={`Turn off every flag in ${environment.name}?`}
        tone="danger"
        confirmLabel="Turn on master switch"
        disabled={typed !== environment.key}
        isPending={setSwitch.isPending}
        onConfirm={() => save(true)}
      >
        <p>
          Every flag in <strong>{environment.name}</strong> then serves its off variant, for every user and tenant, through every portal, SDK and API call, within
          seconds. Overrides, rules and rollouts are ignored but kept: lifting the switch brings them back.
        </p>
        <p>Other environments are not affected. The change is recorded in the audit log.</p>
        <Field label="Reason (optional, recorded in the audit log)">
          {(props) => <Textarea {...props} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. checkout outage, incident 142" />}
        </Field>
        <Field label={<>Type <code className="font-mono">{environment.key}</code> to confirm</>}>
          {(props) => <Input {...props} className="font-mono" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "off"}
        onOpenChange={(isOpen) => !isOpen && setConfirming(null)}
        title={`Lift the master switch of ${environment.name}?`}
        confirmLabel="Lift master switch"
        isPending={setSwitch.isPending}
        onConfirm={() => save(false)}
      >
        <p>Every flag in {environment.name} answers again as its state, rules and overrides say, within seconds.</p>
        {state.reason && <p>It was turned on because: “{state.reason}”.</p>}
        <Field label="Reason (optional, recorded in the audit log)">
          {(props) => <Textarea {...props} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </ConfirmDialog>
    </span>
  );
}
