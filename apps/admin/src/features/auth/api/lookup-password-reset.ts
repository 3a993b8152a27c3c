import type { PasswordResetInfo } from "@ensign/contracts/auth";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

export const lookupPasswordReset = (token: string) => api<PasswordResetInfo>("/v1/password-resets/lookup", { method: "POST", body: { token } });

export const passwordResetQueryOptions = (token: string) =>
  queryOptions({ queryKey: ["links", "password-reset", token], queryFn: () => lookupPasswordReset(token), retry: false, staleTime: Number.POSITIVE_INFINITY });

export const usePasswordReset = (token: string) => useQuery(passwordResetQueryOptions(token));
