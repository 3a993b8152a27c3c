import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, setAccessToken } from "../../../lib/api-client";
import { sessionQueryOptions } from "../../../lib/auth";
import { forgetLastSeen } from "../../../lib/offline";

export const logout = () => api<void>("/v1/auth/logout", { method: "POST" });

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      setAccessToken(undefined);
      void forgetLastSeen();
      queryClient.clear();
      queryClient.setQueryData(sessionQueryOptions().queryKey, null);
    },
  });
}
