import type { IssuedPasswordResetResponse } from "@ensign/contracts/auth";
import type { MemberResponse } from "@ensign/contracts/members";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { useIssuePasswordReset } from "../api/issue-password-reset";
import { OneTimeLink } from "./one-time-link";

/** An owner issues a one-time reset link for a member, after saying what it does. */
export function ResetPasswordDialog({ ws, member, onClose }: { ws: string; member: MemberResponse | null; onClose(): void }) {
  const issue = useIssuePasswordReset(ws);
  const [issued, setIssued] = useState<IssuedPasswordResetResponse | null>(null);
  const close = () => {
    setIssued(null);
    issue.reset();
    onClose();
  };
  return (
    <Dialog
      open={member !== null}
      onOpenChange={(open) => !open && close()}
      title={`Reset the password of ${member?.email ?? ""}`}
      footer={
        issued ? (
          <Button variant="primary" onClick={close}>Done</Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="primary" isLoading={issue.isPending} onClick={() => member && issue.mutate(member.id, { onSuccess: setIssued })}>Create reset link</Button>
          </>
        )
      }
    >
      {issued ? (
        <OneTimeLink url={issued.resetUrl} expiresAt={issued.expiresAt} testId="reset-link" />
      ) : (
        <p className="text-sm text-slate-600">
          You get a one-time link for them to choose a new password. When they use it, every session of theirs ends. An earlier unused link for them stops working.
        </p>
      )}
    </Dialog>
  );
}
