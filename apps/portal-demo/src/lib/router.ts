import { useCallback, useSyncExternalStore } from "react";

const subscribe = (onChange: () => void) => {
  window.addEventListener("popstate", onChange);
  return () => window.removeEventListener("popstate", onChange);
};

/** The current path and a way to go elsewhere without a reload: all the routing a demo needs. */
export function usePath(): [string, (path: string) => void] {
  const path = useSyncExternalStore(subscribe, () => window.location.pathname, () => "/");
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, "", to);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, []);
  return [path, navigate];
}
