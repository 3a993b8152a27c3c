import type { ChangePasswordBody } from "@ensign/contracts/auth";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

export const changePassword = (body: ChangePasswordBody) => api<void>("/v1/auth/password", { method: "POST", body });

/** Changes the signed-in user's password; their other sessions end, this one stays. */
export const useChangePassword = () => useMutation({ mutationFn: changePassword });
