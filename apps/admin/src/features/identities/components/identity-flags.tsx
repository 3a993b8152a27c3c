import type { LiveEvaluationResult } from "@ensign/contracts/live-evaluation";
import { Badge } from "../../../components/ui/badge";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Skeleton } from "../../../components/ui/skeleton";
import { useIdentityFlags } from "../api/get-identities";

/** A flag's answer is "unlocked" when it serves anything but false or its off variant. */
const isUnlocked = (result: LiveEvaluationResult) => result.errorCode === undefined && result.value !== false && result.variant !== "off";

/** Why the answer is what it is: the step of the trace that decided, else the detail. */
function because(result: LiveEvaluationResult): string {
  if (result.errorMessage) return result.errorMessage;
  const decided = result.trace?.findLast((step) => step.outcome === "matched" || step.outcome === "failed");
  return decided ? `${decided.step}: ${decided.message}` : result.detail;
}

/** Which flags one identity unlocks in this environment and why, with its stored traits applied. */
export function IdentityFlags({ ws, env, identityKey }: { ws: string; env: string; identityKey: string }) {
  const flags = useIdentityFlags(ws, env, identityKey);
  if (flags.isPending) return <Skeleton className="h-24" />;
  if (flags.isError) return <ErrorPanel error={flags.error} onRetry={() => void flags.refetch()} />;
  const results = [...flags.data.results].sort((a, b) => Number(isUnlocked(b)) - Number(isUnlocked(a)) || a.key.localeCompare(b.key));
  const unlocked = results.filter(isUnlocked).length;
  return (
    <div>
      <p className="mb-2 text-sm text-slate-600">
        Unlocks <strong>{unlocked}</strong> of {results.length} flags in {flags.data.environment}.
      </p>
      <ul aria-label={`Flags for ${identityKey}`} className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {results.map((result) => (
          <li key={result.key} className="flex items-start justify-between gap-3 px-3 py-2 text-sm">
            <div className="min-w-0">
              <div className="font-mono text-xs text-slate-900">{result.key}</div>
              <div className="mt-0.5 text-xs text-slate-500">
                {result.reason} · {because(result)}
              </div>
            </div>
            <Badge tone={isUnlocked(result) ? "green" : "neutral"}>{isUnlocked(result) ? "unlocked" : JSON.stringify(result.value)}</Badge>
          </li>
        ))}
      </ul>
    </div>
  );
}
