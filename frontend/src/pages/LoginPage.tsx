// /login: sign in with email and password.
import { useState, type FormEvent } from "react";

import { LoginMutation, SignupOpenQuery } from "../operations.ts";
import { Button } from "../components/Button.tsx";
import { Field } from "../components/Field.tsx";
import { ErrorAlert } from "../components/Messages.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { useMutation, useQuery } from "../hooks.ts";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session.tsx";

export function LoginPage() {
  const session = useSession();
  const viewer = session.state.status === "ready" ? session.state.viewer : null;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const login = useMutation(LoginMutation, { signedIn: false });
  const signupOpen = useQuery(SignupOpenQuery, {});

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (login.pending) return;
    setError(null);
    try {
      const data = await login.run({ input: { email: email.trim(), password } });
      session.signedIn(data.login.user);
      navigate("/projects");
    } catch (err) {
      setError(err);
    }
  }

  const errorId = error ? "login-error" : null;
  return (
    <div className="card auth-card">
      <PageHeading title="Sign in" />
      <p className="lead">Welcome back. Sign in to continue labeling.</p>
      {session.notice && !viewer ? (
        <p role="status" className="message message-info">
          {session.notice}
        </p>
      ) : null}
      {viewer ? (
        <p className="message message-info">
          You are already signed in as {viewer.displayName}.{" "}
          <Link to="/account">Go to your account</Link>
        </p>
      ) : null}
      <form className="form" onSubmit={handleSubmit} noValidate>
        <ErrorAlert id="login-error" error={error} />
        <Field
          id="login-email"
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
          id="login-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
          errorId={errorId}
        />
        <Button type="submit" variant="primary" block pending={login.pending}>
          Sign in
        </Button>
      </form>
      {signupOpen.data?.signupOpen ? (
        <p className="card-footer">
          New to Gloss? <Link to="/signup">Create an account</Link>
        </p>
      ) : null}
    </div>
  );
}
