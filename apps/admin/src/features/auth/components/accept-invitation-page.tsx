import { AcceptInvitationAsNewUserBody, type InvitationInfo } from "@ensign/contracts/invitations";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router";
import { Button } from "../../../components/ui/button";
import { Field, Input } from "../../../components/ui/input";
import { PublicPage, PublicPageAlert } from "../../../components/ui/public-page";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { errorMessage } from "../../../lib/api-client";
import { useSession } from "../../../lib/auth";
import { applyApiErrors } from "../../../lib/form-errors";
import { formatDateTime } from "../../../lib/format";
import { useAcceptInvitation, useAcceptInvitationAsNewUser } from "../api/accept-invitation";
import { useInvitation } from "../api/lookup-invitation";
import { useLogin } from "../api/login";
import { useLogout } from "../api/logout";

const NewUserValues = AcceptInvitationAsNewUserBody.omit({ token: true });
type NewUserValues = { name: string; password: string };

/** `/invite/:token`: the invitee accepts, as a new user or signed in as the invited account. */
export function AcceptInvitationPage({ token }: { token: string }) {
  const invitation = useInvitation(token);
  const session = useSession();
  if (invitation.isPending || session.isPending) {
    return <PublicPage title="Invitation"><PageSkeleton /></PublicPage>;
  }
  if (invitation.isError) {
    return (
      <PublicPage title="This invitation cannot be used">
        <PublicPageAlert>{errorMessage(invitation.error)}</PublicPageAlert>
        <Link to="/login" className="block text-center text-sm text-indigo-600 hover:underline">Go to sign-in</Link>
      </PublicPage>
    );
  }
  const info = invitation.data;
  const subtitle = (
    <>
      You are invited to <strong>{info.workspace.name}</strong> as {info.role.replace("_", " ")}
      {info.tenant ? ` of ${info.tenant.name}` : ""}. The invitation is for <strong>{info.email}</strong> and expires {formatDateTime(info.expiresAt)}.
    </>
  );
  return (
    <PublicPage title={`Join ${info.workspace.name}`} subtitle={subtitle}>
      {session.data ? <AcceptAsSignedIn token={token} info={info} email={session.data.email} /> : <AcceptAsNewUser token={token} info={info} />}
    </PublicPage>
  );
}

function AcceptAsSignedIn({ token, info, email }: { token: string; info: InvitationInfo; email: string }) {
  const accept = useAcceptInvitation();
  const logout = useLogout();
  const navigate = useNavigate();
  if (email !== info.email) {
    return (
      <>
        <PublicPageAlert>
          You are signed in as {email}. Sign out and sign in as {info.email} to accept this invitation.
        </PublicPageAlert>
        <Button className="w-full justify-center" isLoading={logout.isPending} onClick={() => logout.mutate()}>Sign out</Button>
      </>
    );
  }
  return (
    <>
      <p className="text-sm text-slate-600">You are signed in as {email}.</p>
      {accept.isError && <PublicPageAlert>{errorMessage(accept.error)}</PublicPageAlert>}
      <Button
        variant="primary"
        className="w-full justify-center"
        isLoading={accept.isPending}
        onClick={() => accept.mutate(token, { onSuccess: (accepted) => navigate(`/w/${accepted.workspace.slug}`, { replace: true }) })}
      >
        Accept invitation
      </Button>
    </>
  );
}

function AcceptAsNewUser({ token, info }: { token: string; info: InvitationInfo }) {
  const accept = useAcceptInvitationAsNewUser();
  const login = useLogin();
  const navigate = useNavigate();
  const form = useForm<NewUserValues>({ resolver: zodResolver(NewUserValues), defaultValues: { name: "", password: "" } });
  const { errors, isSubmitting } = form.formState;
  const signInPath = `/login?next=${encodeURIComponent(`/invite/${token}`)}`;
  const submit = form.handleSubmit(async (values) => {
    try {
      const accepted = await accept.mutateAsync({ token, ...values });
      await login.mutateAsync({ email: info.email, password: values.password });
      navigate(`/w/${accepted.workspace.slug}`, { replace: true });
    } catch (error) {
      applyApiErrors(error, form.setError, ["name", "password"]);
    }
  });
  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Create your account" className="space-y-5">
        <p className="text-sm font-medium text-slate-900">New to Ensign? Create your account.</p>
        <Field label="Email">{(props) => <Input type="email" value={info.email} readOnly autoComplete="username" {...props} />}</Field>
        <Field label="Your name" error={errors.name?.message}>
          {(props) => <Input autoComplete="name" autoFocus {...props} {...form.register("name")} />}
        </Field>
        <Field label="Password" hint="At least 10 characters." error={errors.password?.message}>
          {(props) => <Input type="password" autoComplete="new-password" {...props} {...form.register("password")} />}
        </Field>
        {errors.root && <PublicPageAlert>{errors.root.message}</PublicPageAlert>}
        <Button type="submit" variant="primary" className="w-full justify-center" isLoading={isSubmitting}>
          Create account and join
        </Button>
      </form>
      <p className="border-t border-slate-100 pt-4 text-center text-sm text-slate-600">
        Already have an account for {info.email}?{" "}
        <Link to={signInPath} className="font-medium text-indigo-600 hover:underline">Sign in to accept</Link>
      </p>
    </>
  );
}
