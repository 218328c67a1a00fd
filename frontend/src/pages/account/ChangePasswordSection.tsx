// Changing the password; the server signs out every other session.
import { useState, type FormEvent } from "react";

import { ChangePasswordMutation } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert, StatusMessage } from "../../components/Messages.tsx";
import { useMutation } from "../../hooks.ts";

export function ChangePasswordSection({ email, onChanged }: { email: string; onChanged: () => void }) {
  const change = useMutation(ChangePasswordMutation);
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (change.pending) return;
    setError(null);
    setDone(false);
    try {
      await change.run({ input: { currentPassword, newPassword } });
      setCurrentPassword("");
      setNewPassword("");
      setDone(true);
      onChanged();
    } catch (err) {
      setError(err);
    }
  }

  const errorId = error ? "change-password-error" : null;
  return (
    <section className="card">
      <h2>Change password</h2>
      <p>Changing your password signs out all your other sessions.</p>
      <form className="form form-narrow" onSubmit={handleSubmit} noValidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
        <ErrorAlert id="change-password-error" error={error} />
        {done ? (
          <StatusMessage>Your password has been changed. Your other sessions have been signed out.</StatusMessage>
        ) : null}
        <Field
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onValueChange={setCurrentPassword}
          errorId={errorId}
        />
        <Field
          id="new-password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          hint="8 to 128 characters. Very common passwords are not accepted."
          value={newPassword}
          onValueChange={setNewPassword}
          errorId={errorId}
        />
        <div className="actions">
          <Button type="submit" variant="primary" pending={change.pending}>
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
