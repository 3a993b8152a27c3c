import { ChangePasswordBody } from "@ensign/contracts/auth";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { applyApiErrors } from "../../../lib/form-errors";
import { useChangePassword } from "../api/change-password";

type Values = { currentPassword: string; newPassword: string };

/** The signed-in user changes their own password; every other session of theirs ends. */
export function ChangePasswordDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const change = useChangePassword();
  const form = useForm<Values>({ resolver: zodResolver(ChangePasswordBody), defaultValues: { currentPassword: "", newPassword: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await change.mutateAsync(values);
      toast.success("Password changed; your other sessions were signed out");
      form.reset();
      onOpenChange(false);
    } catch (error) {
      applyApiErrors(error, form.setError, ["currentPassword", "newPassword"]);
    }
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) form.reset();
        onOpenChange(next);
      }}
      title="Change password"
      description="Every other browser and device signed in as you is signed out; this one stays."
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="change-password" isLoading={isSubmitting}>
            Change password
          </Button>
        </>
      }
    >
      <form id="change-password" onSubmit={submit} noValidate className="space-y-4">
        <Field label="Current password" error={errors.currentPassword?.message}>
          {(props) => <Input type="password" autoComplete="current-password" autoFocus {...props} {...form.register("currentPassword")} />}
        </Field>
        <Field label="New password" hint="At least 10 characters." error={errors.newPassword?.message}>
          {(props) => <Input type="password" autoComplete="new-password" {...props} {...form.register("newPassword")} />}
        </Field>
        {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
