import type { CreatedPersonalTokenResponse, CreatePersonalTokenBody } from "@ensign/contracts/access-tokens";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { personalTokensKey } from "./get-personal-tokens";

export const createPersonalToken = (body: CreatePersonalTokenBody) => api<CreatedPersonalTokenResponse>("/v1/auth/tokens", { method: "POST", body });

export function useCreatePersonalToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPersonalToken,
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: personalTokensKey }),
  });
}
