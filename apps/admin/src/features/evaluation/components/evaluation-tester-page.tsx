import { EvaluationContext } from "@ensign/contracts/evaluation";
import type { LiveEvaluationBody, LiveEvaluationResponse } from "@ensign/contracts/live-evaluation";
import { Play } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { Field, Input, Select } from "../../../components/ui/input";
import { JsonEditor, parseJson } from "../../../components/ui/json-editor";
import { PageHeader } from "../../../components/ui/page-header";
import { errorMessage } from "../../../lib/api-client";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useEvaluate } from "../api/evaluate";
import { EvaluationResultView } from "./evaluation-result";

const SAMPLE = `{
  "targetingKey": "user-123",
  "tenantKey": "arizona-comedy",
  "role": "admin",
  "plan": "pro",
  "country": "NL"
}`;

/** Why a context text cannot be evaluated, or undefined. */
export function contextIssue(text: string): string | undefined {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed.error;
  if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) return "The context is a JSON object, such as {\"targetingKey\": \"user-123\"}.";
  const checked = EvaluationContext.safeParse(parsed.value);
  if (!checked.success) return checked.error.issues.map((i) => `${i.path.join(".") || "context"}: ${i.message}`).join("; ");
  return undefined;
}

/**
 * The context as the API builds it for a portal or OFREP request carrying these headers: the
 * environment's exposed headers the tester filled in go under `header`, replacing any `header`
 * attribute or `header.<name>` key the JSON holds, since a request body cannot claim headers.
 */
export function withTestHeaders(context: Record<string, unknown>, exposed: readonly string[], values: Record<string, string>): Record<string, unknown> {
  if (exposed.length === 0) return context;
  const header = Object.fromEntries(exposed.filter((name) => values[name]).map((name) => [name, values[name]!]));
  const copy: Record<string, unknown> = { ...context, header };
  for (const key of Object.keys(copy)) if (key.startsWith("header.")) delete copy[key];
  return copy;
}

/** Pick a flag, an environment and a context; see the value, reason, trace and latency. */
export function EvaluationTesterPage({ flags }: { flags: { key: string; name: string }[] }) {
  const { ws, env: currentEnv, environments } = useWorkspaceScope();
  const [flag, setFlag] = useState("");
  const [env, setEnv] = useState(currentEnv);
  const [text, setText] = useState(SAMPLE);
  const [headers, setHeaders] = useState<Record<string, string>>({});
  const [result, setResult] = useState<LiveEvaluationResponse | null>(null);
  const exposed = environments.find((e) => e.key === env)?.exposedHeaders ?? [];
  const evaluate = useEvaluate(ws);
  const issue = contextIssue(text);
  const run = () => {
    const parsed = parseJson(text);
    if (!parsed.ok || issue) return;
    const context = withTestHeaders(parsed.value as Record<string, unknown>, exposed, headers) as LiveEvaluationBody["context"];
    evaluate.mutate({ env, body: { flag: flag || undefined, context } }, { onSuccess: setResult });
  };
  return (
    <>
      <PageHeader title="Evaluation tester" description="Evaluate flags as an SDK would, without writing anything: see what a context gets, why, and every step the evaluator took." />
      <div className="grid items-start gap-6 lg:grid-cols-5">
        <Card title="Input" className="lg:col-span-2">
          <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); run(); }}>
            <Field label="Flag">
              {(props) => (
                <Select {...props} value={flag} onChange={(e) => setFlag(e.target.value)}>
                  <option value="">Every flag</option>
                  {flags.map((f) => <option key={f.key} value={f.key}>{f.name} ({f.key})</option>)}
                </Select>
              )}
            </Field>
            <Field label="Environment">
              {(props) => (
                <Select {...props} value={env} onChange={(e) => setEnv(e.target.value)}>
                  {environments.map((e) => <option key={e.key} value={e.key}>{e.name}</option>)}
                </Select>
              )}
            </Field>
            <Field label="Context (JSON)" hint="targetingKey is the user; tenantKey the tenant; rules can use any other attribute." error={issue}>
              {(props) => <JsonEditor rows={12} {...props} value={text} onChange={(e) => setText(e.target.value)} />}
            </Field>
            {exposed.length > 0 && (
              <fieldset className="space-y-3">
                <legend className="text-sm font-medium text-slate-700">Request headers</legend>
                <p className="text-xs text-slate-500">This environment exposes these headers of portal and OFREP requests to rules as <code>header.&lt;name&gt;</code>. Leave one empty for a request without it.</p>
                {exposed.map((name) => (
                  <Field key={name} label={<span className="font-mono">{name}</span>}>
                    {(props) => <Input {...props} value={headers[name] ?? ""} onChange={(e) => setHeaders({ ...headers, [name]: e.target.value })} />}
                  </Field>
                ))}
              </fieldset>
            )}
            <Button type="submit" variant="primary" disabled={!!issue} isLoading={evaluate.isPending}><Play className="h-4 w-4" aria-hidden="true" />Evaluate</Button>
            {evaluate.isError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errorMessage(evaluate.error)}</p>}
          </form>
        </Card>
        <div className="space-y-4 lg:col-span-3">
          {!result ? (
            <Card title="Result"><p className="text-sm text-slate-500">Run an evaluation to see the value, the reason and the trace.</p></Card>
          ) : (
            <>
              <p className="text-xs text-slate-500">{result.environment} · snapshot version {result.version} · {result.results.length} flag{result.results.length === 1 ? "" : "s"} in {(result.latencyMicros / 1000).toFixed(3)} ms</p>
              {result.results.map((r) => (
                <Card key={r.key} title={<span className="font-mono">{r.key}</span>}>
                  <EvaluationResultView result={r} latencyMs={r.latencyMicros / 1000} />
                </Card>
              ))}
            </>
          )}
        </div>
      </div>
    </>
  );
}
