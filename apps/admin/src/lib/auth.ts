import type { CurrentUser } from "@ensign/contracts/auth";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, refreshSession } from "./api-client";
import { isOffline } from "./offline";
import { sessionKey } from "./query-keys";

export const getCurrentUser = async (): Promise<CurrentUser | null> => {
  // The refresh cookie is httpOnly: trading it for an access token is how a reload restores the session.
  if (!(await refreshSession())) {
    // Offline, the service worker still has the last answer of who is signed in here (ADR 0026).
    return isOffline() ? api<CurrentUser>("/v1/auth/me").catch(() => null) : null;
  }
  return api<CurrentUser>("/v1/auth/me");
};

/** The signed-in user, or null. */
export const sessionQueryOptions = () =>
  queryOptions({
    queryKey: [...sessionKey, "me"],
    queryFn: getCurrentUser,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });

export const useSession = () => useQuery(sessionQueryOptions());
