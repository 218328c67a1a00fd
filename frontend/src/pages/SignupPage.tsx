// /signup and /signup?invite=<token>: create an account, either through an
// organization's invite link, through the one-time setup link that creates
// the instance's owner, or (when the operator allows it) without a link.
import { useState, type FormEvent } from "react";

import { SignupMutation, SignupPageQuery, type Invite } from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { Field } from "../components/Field.tsx";
import { ErrorAlert, Loading } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { roleName, withArticle } from "../format.ts";
import { useMutation, useQuery } from "../hooks.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useSession } from "../session.tsx";

export function SignupPage() {
  const { search } = useLocation();
  const token = search.get("invite") ?? "";
  const info = useQuery(SignupPageQuery, { token, withInvite: token !== "" });

  if (info.loading && !info.data) {
    return (
      <div className="card auth-card">
        <Loading />
      </div>
    );
  }
  if (!info.data) {
    return (
      <div className="card auth-card">
        <PageHeading title="Create account" />
        <ErrorAlert error={info.error} />
        <Button variant="primary" onClick={info.reload}>
          Try again
        </Button>
      </div>
    );
  }

  const { signupOpen } = info.data;
  const invite = token !== "" ? (info.data.invite ?? null) : null;
  const invalidToken = token !== "" && invite === null;

  return (
    <div className="card auth-card">
      <SignupIntro invite={invite} />
      {invalidToken ? (
        <div role="alert" className="message message-error">
          This invite link is not valid or has expired.
        </div>
      ) : null}
      {invite || signupOpen ? (
        <SignupForm inviteToken={invite ? token : null} />
      ) : (
        <p className="message message-info">
          {invalidToken
            ? "Ask an owner or admin of your organization for a new invite link."
            : "You need an invite link to create an account here. Ask an owner or admin of your organization to send you one."}
        </p>
      )}
      <p className="card-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </div>
  );
}

function SignupIntro({ invite }: { invite: Invite | null }) {
  if (invite?.setup) {
    return (
      <>
        <PageHeading title="Create the owner account" />
        <p className="lead">
          This one-time setup link creates the first account of this Gloss instance. That account
          owns <strong>{invite.organizationTitle}</strong> and can invite everyone else. The link
          stops working once the account exists.
        </p>
      </>
    );
  }
  if (invite) {
    const role = roleName(invite.role);
    return (
      <>
        <PageHeading title={`Join ${invite.organizationTitle} as ${role}`} />
        <p className="lead">
          You have been invited to join <strong>{invite.organizationTitle}</strong> on Gloss as{" "}
          {withArticle(role.toLowerCase())}. Create your account to get started.
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeading title="Create account" />
      <p className="lead">Gloss is a self-hosted platform for labeling data.</p>
    </>
  );
}

function SignupForm({ inviteToken }: { inviteToken: string | null }) {
  const session = useSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const signup = useMutation(SignupMutation, { signedIn: false });

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signup.pending) return;
    setError(null);
    try {
      const data = await signup.run({
        input: { email: email.trim(), password, inviteToken },
      });
      session.signedIn(data.signup.user);
      navigate("/projects");
    } catch (err) {
      setError(err);
    }
  }

  const errorId = error ? "signup-error" : null;
  return (
    <form className="form" onSubmit={handleSubmit} noValidate>
      <ErrorAlert id="signup-error" error={error} />
      <Field
        id="signup-email"
        label="Email"
        type="email"
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        autoCapitalize="none"
        required
        value={email}
        onValueChange={setEmail}
        errorId={errorId}
      />
      <Field
        id="signup-password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        maxLength={128}
        hint="8 to 128 characters. Very common passwords are not accepted."
        value={password}
        onValueChange={setPassword}
        errorId={errorId}
      />
      <Button type="submit" variant="primary" block pending={signup.pending}>
        Create account
      </Button>
    </form>
  );
}
