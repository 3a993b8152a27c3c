import type { FormEventHandler, ReactNode } from "react";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { TokenSecret } from "./token-secret";

/**
 * The dialog both kinds of token are created in: the form, then, once created, the secret shown
 * this one time in its place.
 */
export function TokenFormDialog({
  open,
  onOpenChange,
  title,
  formId,
  onSubmit,
  isSubmitting,
  rootError,
  created,
  createdTitle,
  children,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  formId: string;
  onSubmit: FormEventHandler<HTMLFormElement>;
  isSubmitting: boolean;
  rootError?: string;
  created: { name: string; secret: string } | null;
  createdTitle(name: string): string;
  children: ReactNode;
}) {
  if (created) {
    return (
      <Dialog open={open} onOpenChange={onOpenChange} title={createdTitle(created.name)} footer={<Button variant="primary" onClick={() => onOpenChange(false)}>I have stored the token</Button>}>
        <TokenSecret secret={created.secret} />
      </Dialog>
    );
  }
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} isLoading={isSubmitting}>Create token</Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate className="space-y-4">
        {children}
        {rootError && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{rootError}</p>}
      </form>
    </Dialog>
  );
}
