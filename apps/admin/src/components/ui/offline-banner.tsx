import { WifiOff } from "lucide-react";
import { useOffline } from "../../lib/offline";

const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Above every page while the browser is offline: what is shown is the last seen, and read-only. */
export function OfflineBanner() {
  const { offline, asOf } = useOffline();
  if (!offline) return null;
  return (
    <div role="status" data-testid="offline-banner" className="flex items-center gap-2 border-b border-amber-300 bg-amber-100 px-6 py-2 text-sm text-amber-950">
      <WifiOff className="h-4 w-4 shrink-0" aria-hidden="true" />
      <strong className="font-semibold">Offline{asOf ? `, as of ${format.format(asOf)}` : ""}.</strong>
      <span>Showing what this browser last saw, read-only: changes are refused until the connection is back.</span>
    </div>
  );
}
