import type { ReactNode } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: ReactNode;
  /** Exactly what will change. */
  children?: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  tone?: "primary" | "danger";
  isPending?: boolean;
  disabled?: boolean;
  size?: "sm" | "md" | "lg";
}

export function ConfirmDialog({ open, onOpenChange, title, children, confirmLabel, onConfirm, tone = "primary", isPending, disabled, size = "md" }: ConfirmDialogProps) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      size={size}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant={tone === "danger" ? "danger" : "primary"} onClick={onConfirm} isLoading={isPending} disabled={disabled}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm text-slate-600">{children}</div>
    </Dialog>
  );
}
