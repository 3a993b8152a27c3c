import { RedeemPasswordResetBody } from "@ensign/contracts/auth";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { Button } from "../../../components/ui/button";
import { Field, Input } from "../../../components/ui/input";
import { PublicPage, PublicPageAlert } from "../../../components/ui/public-page";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { errorMessage } from "../../../lib/api-client";
import { applyApiErrors } from "../../../lib/form-errors";
import { usePasswordReset } from "../api/lookup-password-reset";
import { useRedeemPasswordReset } from "../api/redeem-password-reset";

const Values = RedeemPasswordResetBody.omit({ token: true });
type Values = { newPassword: string };

/** `/reset/:token`: a member sets a new password with the link an owner gave them. */
export function ResetPasswordPage({ token }: { token: string }) {
  const reset = usePasswordReset(token);
  const redeem = useRedeemPasswordReset();
  const form = useForm<Values>({ resolver: zodResolver(Values), defaultValues: { newPassword: "" } });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await redeem.mutateAsync({ token, ...values });
    } catch (error) {
      applyApiErrors(error, form.setError, ["newPassword"]);
    }
  });

  if (reset.isPending) return <PublicPage title="Reset your password"><PageSkeleton /></PublicPage>;
  if (redeem.isSuccess) {
    return (
      <PublicPage title="Your password is set">
        <p className="text-sm text-slate-600">Every session you had was signed out. Sign in with your new password.</p>
        <Link to="/login" className="block text-center text-sm font-medium text-indigo-600 hover:underline">Sign in</Link>
      </PublicPage>
    );
  }
  if (reset.isError) {
    return (
      <PublicPage title="This reset link cannot be used">
        <PublicPageAlert>{errorMessage(reset.error)}</PublicPageAlert>
        <Link to="/login" className="block text-center text-sm text-indigo-600 hover:underline">Go to sign-in</Link>
      </PublicPage>
    );
  }
  return (
    <PublicPage title="Reset your password" subtitle={<>Choose a new password for <strong>{reset.data.email}</strong>. Every session of yours will be signed out.</>}>
      <form onSubmit={submit} noValidate aria-label="Choose a new password" className="space-y-5">
        <Field label="New password" hint="At least 10 characters." error={errors.newPassword?.message}>
          {(props) => <Input type="password" autoComplete="new-password" autoFocus {...props} {...form.register("newPassword")} />}
        </Field>
        {errors.root && <PublicPageAlert>{errors.root.message}</PublicPageAlert>}
        <Button type="submit" variant="primary" className="w-full justify-center" isLoading={isSubmitting}>
          Set new password
        </Button>
      </form>
    </PublicPage>
  );
}
