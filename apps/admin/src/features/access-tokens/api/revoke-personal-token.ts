import type { PersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { personalTokensKey } from "./get-personal-tokens";

export const revokePersonalToken = (id: string) => api<PersonalTokenResponse>(`/v1/auth/tokens/${id}`, { method: "DELETE" });

export function useRevokePersonalToken() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: revokePersonalToken, onSuccess: () => queryClient.invalidateQueries({ queryKey: personalTokensKey }) });
}
