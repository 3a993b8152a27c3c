import { forwardRef, type TextareaHTMLAttributes } from "react";
import { cn } from "../../lib/cn";

/** Where JSON.parse stopped, as "line 3, column 7", when the engine tells. */
export function jsonErrorPosition(text: string, error: unknown): string | undefined {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : "");
  if (!match) return undefined;
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Parses JSON text; the error names where it went wrong. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const at = jsonErrorPosition(text, error);
    return { ok: false, error: `Not valid JSON${at ? ` (${at})` : ""}: ${error instanceof Error ? error.message.replace(/ in JSON at position \d+.*$/, "") : "parse error"}` };
  }
}

/** A monospace editor for JSON. Tab keeps moving focus, so keyboard users are never trapped. */
export const JsonEditor = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function JsonEditor({ className, ...props }, ref) {
  return (
    <textarea
      ref={ref}
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      className={cn(
        "block w-full rounded-md border border-slate-300 bg-slate-950 px-3 py-2.5 font-mono text-xs leading-relaxed text-slate-100 shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none aria-[invalid=true]:border-red-400",
        className,
      )}
      {...props}
    />
  );
});
