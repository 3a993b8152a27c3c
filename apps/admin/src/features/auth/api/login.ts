import type { LoginBody, TokenResponse } from "@ensign/contracts/auth";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, setAccessToken } from "../../../lib/api-client";
import { sessionQueryOptions } from "../../../lib/auth";

export const login = (body: LoginBody) => api<TokenResponse>("/v1/auth/login", { method: "POST", body });

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    // The sign-in form says what went wrong beside the fields; a toast would say it twice.
    meta: { silent: true },
    onSuccess: (tokens) => {
      setAccessToken(tokens.accessToken);
      queryClient.setQueryData(sessionQueryOptions().queryKey, tokens.user);
    },
  });
}
