import type { EvaluationResult, TraceStep } from "@ensign/contracts/evaluation";
import { CheckCircle2, CircleDashed, CircleSlash, CircleX, XCircle } from "lucide-react";
import { Badge, type BadgeTone } from "../../../components/ui/badge";
import { cn } from "../../../lib/cn";

const REASON_TONE: Record<EvaluationResult["reason"], BadgeTone> = {
  STATIC: "neutral",
  TARGETING_MATCH: "indigo",
  SPLIT: "violet",
  DEFAULT: "neutral",
  DISABLED: "amber",
  ERROR: "red",
};

const OUTCOME: Record<TraceStep["outcome"], { icon: typeof CheckCircle2; tone: string; label: string }> = {
  matched: { icon: CheckCircle2, tone: "text-emerald-600", label: "matched" },
  passed: { icon: CircleDashed, tone: "text-slate-400", label: "passed" },
  skipped: { icon: CircleSlash, tone: "text-slate-300", label: "skipped" },
  failed: { icon: CircleX, tone: "text-amber-600", label: "failed" },
  error: { icon: XCircle, tone: "text-red-600", label: "error" },
};

/** What an evaluation answered, and every step the evaluator took to get there. */
export function EvaluationResultView({ result, latencyMs }: { result: EvaluationResult; latencyMs?: number }) {
  const isTrue = result.value === true;
  return (
    <div className="space-y-5">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
        <div className="rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-medium text-slate-500">Value</dt>
          <dd className={cn("mt-1 truncate font-mono text-base font-semibold", typeof result.value === "boolean" ? (isTrue ? "text-emerald-700" : "text-slate-600") : "text-slate-900")} data-testid="evaluation-value">
            {JSON.stringify(result.value)}
          </dd>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-medium text-slate-500">Variant</dt>
          <dd className="mt-1 truncate font-mono text-base font-semibold text-slate-900">{result.variant ?? "—"}</dd>
        </div>
        <div className="col-span-2 rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-medium text-slate-500">Reason</dt>
          <dd className="mt-1.5 flex flex-wrap items-center gap-1.5" data-testid="evaluation-reason">
            <Badge tone={REASON_TONE[result.reason]}>{result.reason}</Badge>
            <span className="font-mono text-xs break-all text-slate-600">{result.detail}</span>
          </dd>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-medium text-slate-500">Server latency</dt>
          <dd className="mt-1 font-mono text-base font-semibold text-slate-900">{latencyMs === undefined ? "—" : `${latencyMs.toFixed(latencyMs < 1 ? 3 : 2)} ms`}</dd>
        </div>
      </dl>
      {result.errorCode && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {result.errorCode}: {result.errorMessage}
        </p>
      )}
      {result.trace && result.trace.length > 0 && (
        <div>
          <h3 className="mb-2 text-sm font-semibold text-slate-900">Trace</h3>
          <ol className="relative space-y-0 border-l border-slate-200 pl-5" aria-label="Evaluation trace">
            {result.trace.map((step, i) => {
              const outcome = OUTCOME[step.outcome];
              return (
                <li key={i} className="relative py-1.5">
                  <outcome.icon className={cn("absolute top-2 -left-[27px] h-4 w-4 bg-white", outcome.tone)} aria-hidden="true" />
                  <span className="font-mono text-xs font-semibold text-slate-700">{step.step}</span>
                  <span className="sr-only"> {outcome.label}:</span>
                  <span className={cn("ml-2 text-xs", step.outcome === "matched" ? "font-medium text-emerald-700" : "text-slate-500")}>{step.message}</span>
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </div>
  );
}
