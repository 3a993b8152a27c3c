import type { CurrentUser, LoginBody, TokenResponse } from "@ensign/contracts/auth";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, refreshSession, setAccessToken } from "../../../lib/api-client";

export const sessionKeys = { me: ["session", "me"] as const };

/** The signed-in user, or null; restores a session from the refresh cookie on first load. */
export const meQueryOptions = queryOptions({
  queryKey: sessionKeys.me,
  queryFn: async (): Promise<CurrentUser | null> => {
    if (!(await refreshSession())) return null;
    return api<CurrentUser>("/v1/auth/me");
  },
  staleTime: Number.POSITIVE_INFINITY,
  retry: false,
});

export const useSession = () => useQuery(meQueryOptions);

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginBody) => api<TokenResponse>("/v1/auth/login", { method: "POST", body }),
    onSuccess: (tokens) => {
      setAccessToken(tokens.accessToken);
      queryClient.setQueryData(sessionKeys.me, tokens.user);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>("/v1/auth/logout", { method: "POST" }),
    onSettled: () => {
      setAccessToken(undefined);
      queryClient.clear();
      queryClient.setQueryData(sessionKeys.me, null);
    },
  });
}
