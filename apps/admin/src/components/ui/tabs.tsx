import { Tabs as T } from "radix-ui";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn";

export const Tabs = T.Root;
export const TabsContent = T.Content;

export function TabsList({ children, label, className }: { children: ReactNode; label: string; className?: string }) {
  return (
    <T.List aria-label={label} className={cn("flex gap-1 overflow-x-auto border-b border-slate-200", className)}>
      {children}
    </T.List>
  );
}

export function TabsTrigger({ value, children }: { value: string; children: ReactNode }) {
  return (
    <T.Trigger
      value={value}
      className="-mb-px inline-flex shrink-0 items-center gap-2 border-b-2 whitespace-nowrap border-transparent px-3 py-2 text-sm font-medium text-slate-500 hover:text-slate-800 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700"
    >
      {children}
    </T.Trigger>
  );
}
