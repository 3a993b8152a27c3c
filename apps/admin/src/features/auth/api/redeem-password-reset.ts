import type { RedeemPasswordResetBody } from "@ensign/contracts/auth";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { sessionQueryOptions } from "../../../lib/auth";

export const redeemPasswordReset = (body: RedeemPasswordResetBody) => api<void>("/v1/password-resets/redeem", { method: "POST", body });

/** Every session of the user ends: if this browser's was one of them, reading the session again finds it gone. */
export function useRedeemPasswordReset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: redeemPasswordReset,
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionQueryOptions().queryKey }),
  });
}
