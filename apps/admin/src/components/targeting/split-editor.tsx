import { WEIGHT_TOTAL, type Allocation, type Split, type Variant } from "@ensign/contracts/targeting";
import { useId } from "react";
import { cn } from "../../lib/cn";
import { formatWeight } from "../../lib/format";
import { Input } from "../ui/input";

export const VARIANT_COLOURS = ["bg-indigo-500", "bg-emerald-500", "bg-amber-500", "bg-sky-500", "bg-rose-500", "bg-violet-500", "bg-teal-500", "bg-orange-500"];

export function splitTotal(split: Pick<Split, "allocations">): number {
  return split.allocations.reduce((sum, a) => sum + a.weight, 0);
}

/** Percent text to weight: "33.333" -> 33333. */
const toWeight = (percent: string) => Math.round(Math.min(100, Math.max(0, Number(percent) || 0)) * 1000);

/** An even split over the variants, the remainder on the first. */
export function evenSplit(variants: Pick<Variant, "key">[], bucketBy?: string): Split {
  const share = Math.floor(WEIGHT_TOTAL / Math.max(1, variants.length));
  const allocations = variants.map((v, i) => ({ variant: v.key, weight: share + (i === 0 ? WEIGHT_TOTAL - share * variants.length : 0) }));
  return bucketBy ? { allocations, bucketBy } : { allocations };
}

export interface SplitEditorProps {
  value: Split;
  onChange(split: Split): void;
  variants: Variant[];
  label?: string;
  disabled?: boolean;
}

/**
 * A percentage split over the flag's variants; the weights must total 100 %. Splits are sticky:
 * the same `bucketBy` value always lands in the same bucket.
 */
export function SplitEditor({ value, onChange, variants, label = "Split", disabled }: SplitEditorProps) {
  const id = useId();
  const total = splitTotal(value);
  const weightOf = (key: string) => value.allocations.find((a) => a.variant === key)?.weight ?? 0;
  const setWeight = (key: string, weight: number) => {
    const allocations: Allocation[] = variants.map((v) => ({ variant: v.key, weight: v.key === key ? weight : weightOf(v.key) }));
    onChange({ ...value, allocations });
  };
  const remaining = WEIGHT_TOTAL - total;
  return (
    <fieldset disabled={disabled} className="space-y-3" aria-describedby={`${id}-total`}>
      <legend className="sr-only">{label}</legend>
      <div className="flex h-2.5 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
        {variants.map((v, i) => (
          <div key={v.key} className={cn("h-full transition-all", VARIANT_COLOURS[i % VARIANT_COLOURS.length])} style={{ width: `${(weightOf(v.key) / WEIGHT_TOTAL) * 100}%` }} />
        ))}
      </div>
      <ul className="space-y-2">
        {variants.map((v, i) => {
          const weight = weightOf(v.key);
          return (
            <li key={v.key} className="flex items-center gap-3">
              <span className="flex w-32 items-center gap-2 truncate text-sm">
                <span className={cn("h-2.5 w-2.5 shrink-0 rounded-sm", VARIANT_COLOURS[i % VARIANT_COLOURS.length])} aria-hidden="true" />
                <span className="truncate font-mono text-xs text-slate-700">{v.key}</span>
              </span>
              <input
                type="range"
                min={0}
                max={WEIGHT_TOTAL}
                step={1000}
                value={weight}
                aria-label={`${label}: ${v.key} share (slider)`}
                aria-valuetext={formatWeight(weight)}
                onChange={(e) => setWeight(v.key, Number(e.target.value))}
                className="h-1.5 flex-1 cursor-pointer accent-indigo-600"
              />
              <span className="relative w-28">
                <Input
                  type="number"
                  min={0}
                  max={100}
                  step={0.001}
                  aria-label={`${label}: ${v.key} percent`}
                  value={Number((weight / 1000).toFixed(3))}
                  onChange={(e) => setWeight(v.key, toWeight(e.target.value))}
                  className="pr-7 text-right tabular-nums"
                />
                <span className="pointer-events-none absolute top-1/2 right-2.5 -translate-y-1/2 text-xs text-slate-400">%</span>
              </span>
            </li>
          );
        })}
      </ul>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p id={`${id}-total`} role={total === WEIGHT_TOTAL ? undefined : "alert"} className={cn("text-xs font-medium", total === WEIGHT_TOTAL ? "text-emerald-700" : "text-red-600")}>
          Total {formatWeight(total)}
          {total !== WEIGHT_TOTAL && ` — must be 100 % (${remaining > 0 ? `${formatWeight(remaining)} left` : `${formatWeight(-remaining)} too much`})`}
        </p>
        <label className="flex items-center gap-2 text-xs text-slate-600">
          Sticky by
          <Input
            aria-label={`${label}: bucket by attribute`}
            list={`${id}-bucket`}
            value={value.bucketBy ?? ""}
            placeholder="targetingKey"
            onChange={(e) => {
              const bucketBy = e.target.value.trim();
              onChange(bucketBy ? { ...value, bucketBy } : { allocations: value.allocations });
            }}
            className="h-8 w-36 font-mono text-xs"
          />
          <datalist id={`${id}-bucket`}>
            <option value="targetingKey" />
            <option value="tenantKey" />
          </datalist>
        </label>
      </div>
    </fieldset>
  );
}
