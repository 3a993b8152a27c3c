import { StreamChangeEvent } from "@ensign/contracts/portal";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { openEventStream } from "../../lib/event-stream";
import { flagDefinitionsKey } from "../../features/flags/api/flag-keys";
import { auditKey, envKey, workspacesKey, wsKey } from "../../lib/query-keys";

export type LiveStatus = "connecting" | "live" | "offline";

/** While the stream is down, what it would have refreshed is refetched this often instead. */
export const FALLBACK_REFRESH_MS = 30_000;

/**
 * Changes made elsewhere (another admin, a schedule, an SDK's traits) arrive on the workspace's
 * event stream as `{environment, version}`. Each one invalidates exactly what that environment
 * shows, the workspace's audit log and the environments' own settings: nothing else is refetched.
 */
export function useLiveUpdates(ws: string, enabled: boolean, fallbackRefreshMs = FALLBACK_REFRESH_MS): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    if (!enabled) return;
    const seen = new Map<string, number>();
    let opened = 0;
    const close = openEventStream(`/v1/workspaces/${encodeURIComponent(ws)}/events`, {
      onOpen: () => {
        setStatus("live");
        // After a reconnect, changes may have been missed meanwhile.
        if (opened++ > 0) void queryClient.invalidateQueries({ queryKey: wsKey(ws) });
      },
      onUnavailable: () => setStatus("offline"),
      onEvent: (event) => {
        if (event.event !== "change") return;
        let parsed;
        try {
          parsed = StreamChangeEvent.safeParse(JSON.parse(event.data));
        } catch {
          return;
        }
        if (!parsed.success) return;
        const { environment, version } = parsed.data;
        if ((seen.get(environment) ?? 0) >= version) return;
        seen.set(environment, version);
        void queryClient.invalidateQueries({ queryKey: envKey(ws, environment) });
        // The environments themselves (master switch, context-token setting, versions) live there.
        void queryClient.invalidateQueries({ queryKey: workspacesKey });
        void queryClient.invalidateQueries({ queryKey: auditKey(ws) });
        void queryClient.invalidateQueries({ queryKey: flagDefinitionsKey(ws) });
      },
    });
    return () => {
      close();
      setStatus("connecting");
    };
  }, [ws, enabled, queryClient]);
  // No live stream (the API cannot hold one open, a proxy cuts it): refresh every 30 s instead.
  useEffect(() => {
    if (!enabled || status === "live") return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: wsKey(ws) }), fallbackRefreshMs);
    return () => clearInterval(timer);
  }, [ws, enabled, status, queryClient, fallbackRefreshMs]);
  return enabled ? status : "offline";
}
