import { useQueryErrorResetBoundary } from "@tanstack/react-query";
import { AlertTriangle } from "lucide-react";
import { Component, type ErrorInfo, type ReactNode } from "react";
import { errorMessage } from "../../lib/api-client";
import { Button } from "./button";

interface Props {
  children: ReactNode;
  onReset?(): void;
  /** Changing this value clears a shown error, e.g. on navigation. */
  resetKey?: unknown;
}

class Boundary extends Component<Props, { error: unknown }> {
  override state: { error: unknown } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(previous: Props) {
    if (this.state.error !== undefined && previous.resetKey !== this.props.resetKey) this.setState({ error: undefined });
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    if (import.meta.env.DEV) console.warn("render failed", error, info.componentStack);
  }

  private retry = () => {
    this.props.onReset?.();
    this.setState({ error: undefined });
  };

  override render() {
    if (this.state.error === undefined) return this.props.children;
    return <ErrorPanel error={this.state.error} onRetry={this.retry} />;
  }
}

export function ErrorPanel({ error, onRetry, title = "This part of the page could not be shown" }: { error: unknown; onRetry?(): void; title?: string }) {
  return (
    <div role="alert" className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 p-4">
      <AlertTriangle className="mt-0.5 h-5 w-5 shrink-0 text-red-500" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="text-sm font-semibold text-red-800">{title}</p>
        <p className="mt-1 text-sm text-red-700">{errorMessage(error)}</p>
        {onRetry && (
          <Button size="sm" className="mt-3" onClick={onRetry}>
            Try again
          </Button>
        )}
      </div>
    </div>
  );
}

/** Catches a render or query error below it and offers a retry that refetches failed queries. */
export function ErrorBoundary({ children, resetKey }: { children: ReactNode; resetKey?: unknown }) {
  const { reset } = useQueryErrorResetBoundary();
  return (
    <Boundary onReset={reset} resetKey={resetKey}>
      {children}
    </Boundary>
  );
}
