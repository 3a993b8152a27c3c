import type { Serve, Variant } from "@ensign/contracts/targeting";
import { Select } from "../ui/input";
import { evenSplit, SplitEditor } from "./split-editor";

/** What a rule or the fallthrough serves: one variant, or a percentage split. */
export function ServeEditor({ value, onChange, variants, label, disabled }: { value: Serve; onChange(serve: Serve): void; variants: Variant[]; label: string; disabled?: boolean }) {
  const mode = "split" in value ? "__split" : value.variant;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <span className="text-sm font-medium text-slate-600">Serve</span>
        <Select
          aria-label={`${label} serves`}
          value={mode}
          disabled={disabled}
          onChange={(e) => {
            const next = e.target.value;
            if (next === "__split") onChange({ split: evenSplit(variants, "split" in value ? value.split.bucketBy : undefined) });
            else onChange({ variant: next });
          }}
          className="w-56"
        >
          {variants.map((v) => (
            <option key={v.key} value={v.key}>
              {v.name ? `${v.name} (${v.key})` : v.key}
            </option>
          ))}
          <option value="__split">A percentage split…</option>
        </Select>
      </div>
      {"split" in value && (
        <div className="rounded-md border border-slate-200 bg-slate-50/60 p-3">
          <SplitEditor value={value.split} onChange={(split) => onChange({ split })} variants={variants} label={`${label} split`} disabled={disabled} />
        </div>
      )}
    </div>
  );
}
