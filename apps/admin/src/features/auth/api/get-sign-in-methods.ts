import type { SignInMethods } from "@ensign/contracts/auth";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { signInMethodsKey } from "../../../lib/query-keys";

export const getSignInMethods = () => api<SignInMethods>("/v1/auth/providers");

/** How people may sign in here: the password form, a provider's button, or both. Fixed while the server runs. */
export const signInMethodsQueryOptions = () =>
  queryOptions({
    queryKey: signInMethodsKey,
    queryFn: getSignInMethods,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });

export const useSignInMethods = () => useQuery(signInMethodsQueryOptions());
