import type { EnvironmentSummary } from "@ensign/contracts/workspaces";
import { useState } from "react";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Switch } from "../../../components/ui/switch";
import { useRequireContextToken } from "../api/require-context-token";

/** One line for the page: what the setting does. */
export const CONTEXT_TOKEN_EXPLANATION =
  "Require signed context tokens: browsers (client keys) must send a token your backend signs, so a user only ever sees their own tenant's flags. Server keys are exempt.";

/**
 * Whether the environment requires signed context tokens of client keys. Turning it on asks
 * first: portals that do not send tokens yet stop getting flags (their SDKs fall back to
 * defaults). Without `canEdit` it only says what is set.
 */
export function ContextTokenSwitch({ ws, environment, canEdit }: { ws: string; environment: EnvironmentSummary; canEdit: boolean }) {
  const setRequired = useRequireContextToken(ws);
  const [isConfirming, setIsConfirming] = useState(false);
  const label = `Require signed context tokens in ${environment.name}`;
  if (!canEdit) return <span className="text-sm text-slate-600">{environment.requireContextToken ? "Required" : "Not required"}</span>;

  const save = (isRequired: boolean) => setRequired.mutate({ env: environment.key, version: environment.version, isRequired });

  return (
    <>
      <Switch label={label} checked={environment.requireContextToken} disabled={setRequired.isPending} onCheckedChange={(on) => (on ? setIsConfirming(true) : save(false))} />
      <ConfirmDialog
        open={isConfirming}
        onOpenChange={setIsConfirming}
        title={`Require signed context tokens in ${environment.name}?`}
        confirmLabel="Require tokens"
        isPending={setRequired.isPending}
        onConfirm={() => {
          setIsConfirming(false);
          save(true);
        }}
      >
        <p>Client keys of this environment then get 401 for every evaluation without a valid token: OFREP, <code className="font-mono">/v1/flags</code> and the change stream. Portals that do not send one yet fall back to their default values.</p>
        <p>Server keys are not affected.</p>
      </ConfirmDialog>
    </>
  );
}
