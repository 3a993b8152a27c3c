import type { IssuedPasswordResetResponse } from "@ensign/contracts/auth";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

export const issuePasswordReset = (ws: string, memberId: string) =>
  api<IssuedPasswordResetResponse>(`/v1/workspaces/${ws}/members/${memberId}/password-reset`, { method: "POST" });

/** Nothing cached changes: the link is only shown. */
export const useIssuePasswordReset = (ws: string) => useMutation({ mutationFn: (memberId: string) => issuePasswordReset(ws, memberId) });
