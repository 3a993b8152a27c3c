import type { ReactNode } from "react";
import { cn } from "../../lib/cn";
import { Tooltip } from "./tooltip";

export interface SwitchProps {
  checked: boolean;
  onCheckedChange?(checked: boolean): void;
  /** Accessible name; required because a switch has no visible text of its own. */
  label: string;
  disabled?: boolean;
  /**
   * Colour of the "on" state: green when everyone gets it, amber when only part of the audience
   * does, slate when it is on but serves nobody anything but the off value.
   */
  tone?: "green" | "amber" | "slate";
  size?: "sm" | "md";
  className?: string;
  /** Help text shown on hover and keyboard focus, e.g. what the flag being switched is for. */
  help?: ReactNode;
}

export function Switch({ checked, onCheckedChange, label, disabled, tone = "green", size = "md", className, help }: SwitchProps) {
  const on = { green: "bg-emerald-500", amber: "bg-amber-500", slate: "bg-slate-500" }[tone];
  const button = (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onCheckedChange?.(!checked)}
      className={cn(
        "relative inline-flex shrink-0 cursor-pointer items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-50",
        size === "sm" ? "h-5 w-9" : "h-6 w-11",
        checked ? on : "bg-slate-300",
        className,
      )}
    >
      <span
        aria-hidden="true"
        className={cn(
          "inline-block rounded-full bg-white shadow ring-0 transition-transform",
          size === "sm" ? "h-4 w-4" : "h-5 w-5",
          checked ? (size === "sm" ? "translate-x-[18px]" : "translate-x-[22px]") : "translate-x-0.5",
        )}
      />
    </button>
  );
  if (!help) return button;
  // A disabled button gets neither pointer nor focus events: a focusable wrapper still shows the help.
  return <Tooltip content={help}>{disabled ? <span tabIndex={0} className="inline-flex rounded-full focus-visible:outline-2 focus-visible:outline-indigo-500">{button}</span> : button}</Tooltip>;
}
