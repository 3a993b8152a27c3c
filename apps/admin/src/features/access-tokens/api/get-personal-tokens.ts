import type { PersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

/** The signed-in user's own tokens: not a workspace's data. */
export const personalTokensKey = ["account", "personal-tokens"] as const;

export const getPersonalTokens = () => api<{ items: PersonalTokenResponse[] }>("/v1/auth/tokens");

export const getPersonalTokensQueryOptions = () => queryOptions({ queryKey: [...personalTokensKey, "list"], queryFn: getPersonalTokens });

export const usePersonalTokens = () => useQuery(getPersonalTokensQueryOptions());
