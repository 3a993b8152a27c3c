import { Search } from "lucide-react";
import { cn } from "../../lib/cn";
import { Input } from "./input";

/** A search box; debounce its value with useDebouncedValue before querying. */
export function SearchInput({ value, onChange, label, placeholder, className }: { value: string; onChange(value: string): void; label: string; placeholder?: string; className?: string }) {
  return (
    <div className={cn("relative w-72", className)}>
      <Search className="pointer-events-none absolute top-1/2 left-2.5 h-4 w-4 -translate-y-1/2 text-slate-400" aria-hidden="true" />
      <Input type="search" aria-label={label} placeholder={placeholder ?? label} value={value} onChange={(e) => onChange(e.target.value)} className="pl-8" />
    </div>
  );
}
