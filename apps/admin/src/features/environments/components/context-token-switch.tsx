import type { EnvironmentSummary } from "@ensign/contracts/workspaces";
import { TriangleAlert } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Switch } from "../../../components/ui/switch";
import { useRequireContextToken } from "../api/require-context-token";

/** One line for the page: what the setting does. */
export const CONTEXT_TOKEN_EXPLANATION =
  "Require signed context tokens: browsers (client keys) must send a token your backend signs, so a user only ever sees their own tenant's flags. Server keys are exempt. New environments require them; only owners can opt an environment out.";

/** The standing warning of an environment opted out of signed context tokens. */
export const OPEN_ENVIRONMENT_WARNING = "Any holder of this environment's client key can read any tenant's or user's flags.";

/**
 * Whether the environment requires signed context tokens of client keys. Either way it asks
 * first: requiring them stops portals that do not send tokens yet (their SDKs fall back to
 * defaults); opting out, which only owners may do, opens every tenant's flags to the public key.
 * Without `canEdit` it only says what is set.
 */
export function ContextTokenSwitch({ ws, environment, canEdit, canOptOut }: { ws: string; environment: EnvironmentSummary; canEdit: boolean; canOptOut: boolean }) {
  const setRequired = useRequireContextToken(ws);
  const [confirming, setConfirming] = useState<"require" | "open" | null>(null);
  const label = `Require signed context tokens in ${environment.name}`;
  const warning = !environment.requireContextToken && (
    <span className="inline-flex items-center gap-1 text-xs text-amber-800" role="note">
      <TriangleAlert className="h-3.5 w-3.5 shrink-0" aria-hidden="true" />
      {OPEN_ENVIRONMENT_WARNING}
    </span>
  );
  if (!canEdit) {
    return (
      <span className="flex flex-col gap-1">
        <span className="text-sm text-slate-600">{environment.requireContextToken ? "Required" : "Not required"}</span>
        {warning}
      </span>
    );
  }

  const isLocked = environment.requireContextToken && !canOptOut;
  const save = (isRequired: boolean) => setRequired.mutate({ env: environment.key, version: environment.version, isRequired });
  const confirm = () => {
    const isRequired = confirming === "require";
    setConfirming(null);
    save(isRequired);
  };

  return (
    <span className="flex flex-col gap-1">
      <span title={isLocked ? "Only owners can stop requiring signed context tokens" : undefined}>
        <Switch label={label} checked={environment.requireContextToken} disabled={setRequired.isPending || isLocked} onCheckedChange={(on) => setConfirming(on ? "require" : "open")} />
      </span>
      {warning}
      <ConfirmDialog
        open={confirming === "require"}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Require signed context tokens in ${environment.name}?`}
        confirmLabel="Require tokens"
        isPending={setRequired.isPending}
        onConfirm={confirm}
      >
        <p>Client keys of this environment then get 401 for every evaluation without a valid token: OFREP, <code className="font-mono">/v1/flags</code> and the change stream. Portals that do not send one yet fall back to their default values.</p>
        <p>Server keys are not affected.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "open"}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Stop requiring signed context tokens in ${environment.name}?`}
        tone="danger"
        confirmLabel="Stop requiring tokens"
        isPending={setRequired.isPending}
        onConfirm={confirm}
      >
        <p>{OPEN_ENVIRONMENT_WARNING} A browser could ask for another tenant's features simply by naming it.</p>
        <p>Do this only for an environment no portal user reaches, or while your portal cannot send tokens yet. The page keeps warning while it is off.</p>
      </ConfirmDialog>
    </span>
  );
}
