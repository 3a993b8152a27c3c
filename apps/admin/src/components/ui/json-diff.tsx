import { cn } from "../../lib/cn";

type Json = unknown;

interface DiffRow {
  path: string;
  before: Json;
  after: Json;
  kind: "added" | "removed" | "changed";
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The leaves that differ between two JSON values, by dotted path. Arrays compare whole. */
export function diffJson(before: Json, after: Json, path = ""): DiffRow[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (before === undefined || before === null) {
    if (isObject(after)) return Object.keys(after).sort().flatMap((key) => diffJson(undefined, after[key], path ? `${path}.${key}` : key));
    return [{ path: path || "value", before, after, kind: "added" }];
  }
  if (after === undefined || after === null) {
    if (isObject(before)) return Object.keys(before).sort().flatMap((key) => diffJson(before[key], undefined, path ? `${path}.${key}` : key));
    return [{ path: path || "value", before, after, kind: "removed" }];
  }
  return [{ path: path || "value", before, after, kind: "changed" }];
}

const show = (value: Json) => (value === undefined ? "—" : JSON.stringify(value));

/** Before and after of a change, field by field. */
export function JsonDiff({ before, after, className }: { before: Json; after: Json; className?: string }) {
  const rows = diffJson(before ?? null, after ?? null);
  if (rows.length === 0) return <p className="text-xs text-slate-500">No field changes recorded.</p>;
  return (
    <table className={cn("w-full table-fixed border-collapse font-mono text-xs", className)}>
      <caption className="sr-only">Changed fields, before and after</caption>
      <thead>
        <tr className="text-left text-[11px] tracking-wide text-slate-400 uppercase">
          <th scope="col" className="w-1/4 py-1 pr-3 font-semibold">Field</th>
          <th scope="col" className="py-1 pr-3 font-semibold">Before</th>
          <th scope="col" className="py-1 font-semibold">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.path} className="border-t border-slate-100 align-top">
            <th scope="row" className="py-1.5 pr-3 text-left font-medium break-all text-slate-700">{row.path}</th>
            <td className="py-1.5 pr-3 break-all">
              {row.kind !== "added" && <span className="rounded bg-red-50 px-1 text-red-700 line-through decoration-red-300">{show(row.before)}</span>}
            </td>
            <td className="py-1.5 break-all">
              {row.kind !== "removed" && <span className="rounded bg-emerald-50 px-1 text-emerald-800">{show(row.after)}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
