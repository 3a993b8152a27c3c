import { VariantKey, type FlagType, type JsonValue, type Variant } from "@ensign/contracts/targeting";
import { Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";
import { parseJson } from "../ui/json-editor";

/** The variants a new flag of a type starts with. */
export function defaultVariants(type: FlagType): Variant[] {
  switch (type) {
    case "boolean":
      return [
        { key: "on", value: true, name: "On" },
        { key: "off", value: false, name: "Off" },
      ];
    case "string":
      return [
        { key: "control", value: "control" },
        { key: "treatment", value: "treatment" },
      ];
    case "number":
      return [
        { key: "low", value: 0 },
        { key: "high", value: 1 },
      ];
    case "json":
      return [
        { key: "control", value: { version: "v1" } },
        { key: "treatment", value: { version: "v2" } },
      ];
  }
}

/** Why a set of variants cannot be saved, or undefined. */
export function variantsIssue(variants: Variant[], type: FlagType): string | undefined {
  if (variants.length < 2) return "a flag needs at least two variants";
  const keys = new Set<string>();
  for (const v of variants) {
    if (!VariantKey.safeParse(v.key).success) return `variant key "${v.key}" is not valid: letters, digits, '_', '.', '-'`;
    if (keys.has(v.key)) return `variant key "${v.key}" is used twice`;
    keys.add(v.key);
    if (type === "number" && typeof v.value !== "number") return `variant "${v.key}" must be a number`;
    if (type === "string" && typeof v.value !== "string") return `variant "${v.key}" must be a string`;
  }
  return undefined;
}

/** Named values of the flag's type. Boolean flags have exactly on and off. */
export function VariantsEditor({ type, value, onChange, disabled }: { type: FlagType; value: Variant[]; onChange(variants: Variant[]): void; disabled?: boolean }) {
  const issue = variantsIssue(value, type);
  const set = (index: number, variant: Variant) => onChange(value.map((v, i) => (i === index ? variant : v)));
  return (
    <fieldset disabled={disabled} className="space-y-2">
      <legend className="sr-only">Variants</legend>
      <ul className="space-y-2">
        {value.map((variant, index) => (
          <li key={index} className="flex items-start gap-2">
            <Input aria-label={`Variant ${index + 1} key`} value={variant.key} onChange={(e) => set(index, { ...variant, key: e.target.value.trim() })} className="w-36 font-mono text-xs" disabled={disabled || type === "boolean"} />
            <VariantValueInput type={type} label={`Variant ${index + 1} value`} value={variant.value} onChange={(v) => set(index, { ...variant, value: v })} disabled={disabled || type === "boolean"} />
            <Input aria-label={`Variant ${index + 1} name`} placeholder="Display name" value={variant.name ?? ""} onChange={(e) => set(index, { ...variant, name: e.target.value || undefined })} className="w-40" />
            {type !== "boolean" && (
              <Button size="icon" variant="ghost" aria-label={`Remove variant ${index + 1}`} disabled={value.length <= 2} onClick={() => onChange(value.filter((_, i) => i !== index))}>
                <Trash2 className="h-4 w-4" aria-hidden="true" />
              </Button>
            )}
          </li>
        ))}
      </ul>
      {type !== "boolean" && !disabled && (
        <Button size="sm" variant="ghost" onClick={() => onChange([...value, { key: `variant-${value.length + 1}`, value: type === "number" ? 0 : type === "json" ? {} : "" }])}>
          <Plus className="h-3.5 w-3.5" aria-hidden="true" />
          Add variant
        </Button>
      )}
      {issue && (
        <p role="alert" className="text-xs text-red-600">
          {issue}
        </p>
      )}
    </fieldset>
  );
}

function VariantValueInput({ type, value, onChange, label, disabled }: { type: FlagType; value: JsonValue; onChange(value: JsonValue): void; label: string; disabled?: boolean }) {
  const [text, setText] = useState(() => JSON.stringify(value));
  const [error, setError] = useState<string>();
  if (type === "boolean") {
    return (
      <Select aria-label={label} value={String(value)} disabled className="flex-1">
        <option value="true">true</option>
        <option value="false">false</option>
      </Select>
    );
  }
  if (type === "number") {
    return <Input type="number" step="any" aria-label={label} value={typeof value === "number" ? value : ""} disabled={disabled} onChange={(e) => onChange(e.target.value === "" ? 0 : Number(e.target.value))} className="flex-1" />;
  }
  if (type === "string") {
    return <Input aria-label={label} value={typeof value === "string" ? value : ""} disabled={disabled} onChange={(e) => onChange(e.target.value)} className="flex-1" />;
  }
  return (
    <div className="flex-1">
      <Input
        aria-label={label}
        aria-invalid={!!error}
        value={text}
        disabled={disabled}
        className="font-mono text-xs"
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseJson(e.target.value);
          setError(parsed.ok ? undefined : parsed.error);
          if (parsed.ok) onChange(parsed.value as JsonValue);
        }}
      />
      {error && <p className="mt-1 text-xs text-red-600">{error}</p>}
    </div>
  );
}
