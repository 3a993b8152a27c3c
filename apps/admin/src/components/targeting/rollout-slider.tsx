import { WEIGHT_TOTAL, type Serve } from "@ensign/contracts/targeting";
import { useId } from "react";
import { formatWeight } from "../../lib/format";
import { Input, Select } from "../ui/input";

/** The share of `onVariant` in a serve: 100 % for a plain on, 0 % for a plain off. */
export function rolloutOf(serve: Serve, onVariant: string): number {
  if ("variant" in serve) return serve.variant === onVariant ? WEIGHT_TOTAL : 0;
  return serve.split.allocations.find((a) => a.variant === onVariant)?.weight ?? 0;
}

/** The serve for a rollout of `weight` to `onVariant`, keeping the sticky bucketBy. */
export function serveForRollout(weight: number, onVariant: string, offVariant: string, bucketBy?: string): Serve {
  // Without a chosen bucketBy the extremes are plain variants; with one, the split (and so the
  // choice) is kept even at 0 % and 100 %.
  if (!bucketBy && weight >= WEIGHT_TOTAL) return { variant: onVariant };
  if (!bucketBy && weight <= 0) return { variant: offVariant };
  const split = { allocations: [{ variant: onVariant, weight }, { variant: offVariant, weight: WEIGHT_TOTAL - weight }] };
  return { split: bucketBy ? { ...split, bucketBy } : split };
}

/**
 * A percentage rollout of a boolean flag. Raising it keeps everyone who already had the flag
 * (buckets are sticky), so ramps only ever add people.
 */
export function RolloutSlider({ value, onChange, onVariant, offVariant, disabled, label = "Rollout" }: { value: Serve; onChange(serve: Serve): void; onVariant: string; offVariant: string; disabled?: boolean; label?: string }) {
  const id = useId();
  const weight = rolloutOf(value, onVariant);
  const bucketBy = "split" in value ? value.split.bucketBy : undefined;
  const set = (w: number, by = bucketBy) => onChange(serveForRollout(Math.round(w), onVariant, offVariant, by));
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-4">
        <input
          id={id}
          type="range"
          min={0}
          max={WEIGHT_TOTAL}
          step={1000}
          value={weight}
          disabled={disabled}
          aria-label={`${label} percentage (slider)`}
          aria-valuetext={formatWeight(weight)}
          onChange={(e) => set(Number(e.target.value))}
          className="h-2 flex-1 cursor-pointer accent-emerald-600"
        />
        <span className="relative w-28">
          <Input
            type="number"
            min={0}
            max={100}
            step={0.001}
            disabled={disabled}
            aria-label={`${label} percentage`}
            value={Number((weight / 1000).toFixed(3))}
            onChange={(e) => set(Math.min(100, Math.max(0, Number(e.target.value) || 0)) * 1000)}
            className="pr-7 text-right tabular-nums"
          />
          <span className="pointer-events-none absolute top-1/2 right-2.5 -translate-y-1/2 text-xs text-slate-400">%</span>
        </span>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3">
      <p className="text-xs text-slate-500">
        {weight === WEIGHT_TOTAL ? "Everyone who reaches this step gets the flag." : weight === 0 ? "Nobody who reaches this step gets the flag." : `${formatWeight(weight)} get the flag, always the same ones (sticky by ${bucketBy ?? "targetingKey"}).`}
      </p>
        <label className="flex items-center gap-2 text-xs text-slate-600">
          Roll out by
          <Select
            aria-label={`${label} bucket by`}
            value={bucketBy ?? ""}
            disabled={disabled}
            onChange={(e) => set(weight, e.target.value || undefined)}
            className="h-8 w-44 text-xs"
          >
            <option value="">user (targetingKey)</option>
            <option value="tenantKey">tenant (tenantKey)</option>
            {bucketBy && bucketBy !== "tenantKey" && <option value={bucketBy}>{bucketBy}</option>}
          </Select>
        </label>
      </div>
    </div>
  );
}
