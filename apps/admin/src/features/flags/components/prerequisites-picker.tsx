import type { FlagListItem } from "@ensign/contracts/flags";
import { X } from "lucide-react";
import { Select } from "../../../components/ui/input";

/**
 * The flags this one needs: it evaluates off wherever one of them is not on. The API refuses a
 * choice that would make a cycle, with a message naming it.
 */
export function PrerequisitesPicker({ value, onChange, options, selfKey, disabled, invalid }: { value: string[]; onChange(keys: string[]): void; options: FlagListItem[]; selfKey?: string; disabled?: boolean; invalid?: boolean }) {
  const available = options.filter((f) => f.key !== selfKey && !value.includes(f.key) && !f.archivedAt);
  const nameOf = (key: string) => options.find((f) => f.key === key)?.name ?? key;
  return (
    <div className="space-y-2">
      {value.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Prerequisites">
          {value.map((key) => (
            <li key={key} className="inline-flex items-center gap-1 rounded-md bg-indigo-50 py-0.5 pr-1 pl-2 text-xs text-indigo-800 ring-1 ring-indigo-600/20">
              {nameOf(key)} <span className="font-mono text-indigo-500">{key}</span>
              {!disabled && (
                <button type="button" aria-label={`Remove prerequisite ${key}`} onClick={() => onChange(value.filter((k) => k !== key))} className="rounded p-0.5 hover:bg-indigo-100">
                  <X className="h-3 w-3" aria-hidden="true" />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!disabled && (
        <Select aria-label="Add a prerequisite" aria-invalid={invalid || undefined} value="" onChange={(e) => e.target.value && onChange([...value, e.target.value])}>
          <option value="">{available.length ? "Add a prerequisite flag…" : "No other flags to add"}</option>
          {available.map((f) => (
            <option key={f.key} value={f.key}>
              {f.name} ({f.key})
            </option>
          ))}
        </Select>
      )}
    </div>
  );
}
