import { AlertTriangle } from "lucide-react";
import { CopyButton } from "../../../components/ui/copy-button";

/** A new token's secret, shown this once: Ensign keeps only its hash. */
export function TokenSecret({ secret }: { secret: string }) {
  return (
    <div className="space-y-3">
      <p className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
        <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
        Copy this token now. It is shown only once; Ensign keeps only a hash of it.
      </p>
      <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-2">
        <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-800" data-testid="token-secret">{secret}</code>
        <CopyButton text={secret} label="Copy token" />
      </div>
      <p className="text-xs text-slate-500">
        Send it as <code className="font-mono">Authorization: Bearer …</code> on admin API requests.
      </p>
    </div>
  );
}
