import type { ConditionValue } from "@ensign/contracts/targeting";
import { X } from "lucide-react";
import { useState, type KeyboardEvent } from "react";
import { cn } from "../../lib/cn";

/** A list of values typed one at a time: Enter or comma adds, Backspace on empty removes the last. */
export function ValuesInput({ values, onChange, label, placeholder = "Type a value, press Enter", invalid, suggestions }: { values: ConditionValue[]; onChange(values: ConditionValue[]): void; label: string; placeholder?: string; invalid?: boolean; suggestions?: string[] }) {
  const [draft, setDraft] = useState("");
  const listId = suggestions ? `${label.replace(/\W+/g, "-")}-suggestions` : undefined;
  const commit = () => {
    const parts = draft
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .filter((p) => !values.includes(p));
    if (parts.length) onChange([...values, ...parts]);
    setDraft("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      commit();
    } else if (event.key === "Backspace" && draft === "" && values.length) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div
      className={cn(
        "flex min-h-9 flex-1 flex-wrap items-center gap-1 rounded-md border border-slate-300 bg-white px-1.5 py-1 shadow-xs focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/20",
        invalid && "border-red-400",
      )}
    >
      {values.map((value, i) => (
        <span key={`${String(value)}-${i}`} className="inline-flex items-center gap-1 rounded bg-slate-100 py-0.5 pr-1 pl-2 font-mono text-xs text-slate-700">
          {String(value)}
          <button type="button" aria-label={`Remove ${String(value)}`} onClick={() => onChange(values.filter((_, j) => j !== i))} className="rounded p-0.5 text-slate-400 hover:bg-slate-200 hover:text-slate-700">
            <X className="h-3 w-3" aria-hidden="true" />
          </button>
        </span>
      ))}
      <input
        aria-label={label}
        aria-invalid={invalid || undefined}
        list={listId}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={commit}
        placeholder={values.length ? "" : placeholder}
        className="min-w-[8rem] flex-1 border-0 bg-transparent px-1 py-0.5 text-sm focus:ring-0 focus:outline-none"
      />
      {suggestions && (
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      )}
    </div>
  );
}
