import { useSyncExternalStore } from "react";

/**
 * Offline viewing (ADR 0026). The service worker answers the flag lists' GETs from the last
 * answers it saw when the network is gone; this module tells the app that it is offline, and
 * how old the oldest answer it shows is (its `Date` header), for the banner. Writes are refused
 * before they are sent.
 */

/** The service worker's cache of the API's last answers: it is emptied on sign-out. */
export const LAST_SEEN_CACHE = "ensign-last-seen";

interface OfflineState {
  offline: boolean;
  /** When the oldest answer shown while offline was given; null before one is shown. */
  asOf: Date | null;
}

const listeners = new Set<() => void>();
let state: OfflineState = { offline: typeof navigator !== "undefined" && navigator.onLine === false, asOf: null };

function set(next: OfflineState) {
  state = next;
  for (const listener of listeners) listener();
}

if (typeof window !== "undefined") {
  window.addEventListener("offline", () => set({ offline: true, asOf: state.asOf }));
  window.addEventListener("online", () => set({ offline: false, asOf: null }));
}

export const isOffline = () => state.offline || (typeof navigator !== "undefined" && navigator.onLine === false);

/** Notes an answer that came while offline: it is the service worker's copy, as of its `Date`. */
export function noteAnswer(response: Response) {
  if (!isOffline()) return;
  const date = new Date(response.headers.get("date") ?? "");
  if (Number.isNaN(date.getTime())) return;
  if (!state.offline || !state.asOf || date < state.asOf) set({ offline: true, asOf: state.asOf && state.asOf < date ? state.asOf : date });
}

export function useOffline(): OfflineState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** Forgets the last-seen answers (on sign-out): the next person at this browser sees none of them. */
export async function forgetLastSeen() {
  if (typeof caches !== "undefined") await caches.delete(LAST_SEEN_CACHE).catch(() => false);
}
