import type { LoginBody, TokenResponse } from "@ensign/contracts/auth";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, setAccessToken } from "../../../lib/api-client";
import { sessionQueryOptions } from "../../../lib/auth";

export const login = (body: LoginBody) => api<TokenResponse>("/v1/auth/login", { method: "POST", body });

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (tokens) => {
      setAccessToken(tokens.accessToken);
      queryClient.setQueryData(sessionQueryOptions().queryKey, tokens.user);
    },
  });
}
