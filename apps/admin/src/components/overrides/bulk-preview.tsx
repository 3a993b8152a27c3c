import type { BulkOverridesResponse, OverrideSnapshot } from "@ensign/contracts/overrides";
import { ArrowRight, Lock } from "lucide-react";

function Snapshot({ value }: { value: OverrideSnapshot }) {
  if (!value) return <span className="text-slate-400">no override</span>;
  return (
    <span className="inline-flex items-center gap-1 font-mono">
      {value.variant}
      {value.locked && <Lock className="h-3 w-3 text-amber-600" aria-label="locked" />}
      {value.expiresAt && <span className="text-slate-400">until {new Date(value.expiresAt).toLocaleDateString()}</span>}
    </span>
  );
}

/** Exactly what a bulk action will change, tenant by tenant, and what it leaves alone and why. */
export function BulkPreview({ preview, describe }: { preview: BulkOverridesResponse; describe: string }) {
  const tenants = new Set(preview.changes.map((c) => c.tenant));
  return (
    <div className="space-y-3">
      <p className="text-slate-700">
        <strong>{describe}</strong> in <strong>{preview.environment}</strong> changes {preview.changes.length} override{preview.changes.length === 1 ? "" : "s"} for {tenants.size} tenant{tenants.size === 1 ? "" : "s"}.
      </p>
      {preview.changes.length > 0 && (
        <div className="max-h-64 overflow-y-auto rounded-md border border-slate-200">
          <table className="w-full text-xs" aria-label="Changes">
            <thead className="sticky top-0 bg-slate-50 text-left text-slate-500">
              <tr><th className="px-3 py-1.5 font-medium">Tenant</th><th className="px-3 py-1.5 font-medium">Flag</th><th className="px-3 py-1.5 font-medium">Change</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {preview.changes.map((c) => (
                <tr key={`${c.tenant}/${c.flag}`}>
                  <td className="px-3 py-1.5 font-mono text-slate-800">{c.tenant}</td>
                  <td className="px-3 py-1.5 font-mono text-slate-600">{c.flag}</td>
                  <td className="px-3 py-1.5"><span className="inline-flex items-center gap-1.5"><Snapshot value={c.before} /><ArrowRight className="h-3 w-3 text-slate-400" aria-label="becomes" /><Snapshot value={c.after} /></span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.skipped.length > 0 && (
        <div>
          <p className="text-xs font-medium text-slate-500">Left as they are:</p>
          <ul className="mt-1 space-y-0.5 text-xs text-slate-500">
            {preview.skipped.map((s) => <li key={`${s.tenant}/${s.flag ?? ""}`}><span className="font-mono">{s.tenant}</span>{s.flag && <> · <span className="font-mono">{s.flag}</span></>}: {s.reason}</li>)}
          </ul>
        </div>
      )}
    </div>
  );
}
