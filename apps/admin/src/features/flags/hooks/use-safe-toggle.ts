import { useState } from "react";
import { toast } from "../../../components/ui/toaster";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useToggleFlag } from "../api/toggle-flag";

/** How long a toast offers to undo a change, in milliseconds. */
export const UNDO_WINDOW_MS = 8_000;

export interface ToggleRequest {
  key: string;
  name: string;
  enabled: boolean;
  /** The flag state's version in this environment, sent as If-Match. */
  version: number;
}

/**
 * Turns a flag on or off in the selected environment, safely: in a production environment the
 * request waits in `pending` until the user confirms (having seen who it affects); elsewhere it
 * applies at once and the toast offers an Undo, which sends the previous state with the version
 * the change returned, so it never overwrites a later change by someone else.
 */
export function useSafeToggle() {
  const { ws, env, environment } = useWorkspaceScope();
  const toggle = useToggleFlag(ws, env);
  const [pending, setPending] = useState<ToggleRequest | null>(null);
  const where = environment.name;

  const apply = (request: ToggleRequest, options: { onSettled?(): void } = {}) =>
    toggle.mutate(
      { key: request.key, enabled: request.enabled, version: request.version },
      {
        onSuccess: (state) => {
          const message = `${request.name} turned ${request.enabled ? "on" : "off"} in ${where}`;
          if (environment.isProduction) {
            toast.success(message);
            return;
          }
          toast.success(message, {
            duration: UNDO_WINDOW_MS,
            action: {
              label: "Undo",
              onClick: () =>
                toggle.mutate(
                  { key: request.key, enabled: !request.enabled, version: state.version },
                  { onSuccess: () => toast.success(`${request.name} is ${request.enabled ? "off" : "on"} again in ${where}`) },
                ),
            },
          });
        },
        onSettled: options.onSettled,
      },
    );

  return {
    /** Asks first in production; applies at once elsewhere. */
    request(request: ToggleRequest) {
      if (environment.isProduction) setPending(request);
      else apply(request);
    },
    /** The toggle waiting for confirmation, if any. */
    pending,
    confirm() {
      if (!pending) return;
      apply(pending, { onSettled: () => setPending(null) });
    },
    cancel() {
      setPending(null);
    },
    isPending: toggle.isPending,
    /** The flag whose toggle is in flight. */
    pendingKey: toggle.isPending ? toggle.variables?.key : undefined,
  };
}
