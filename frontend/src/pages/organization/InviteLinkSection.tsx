// The organization's annotator invite link (owners and admins only): copy it, or reset
// it after an in-page confirmation so that the old link stops working.
import { useEffect, useRef, useState } from "react";

import { InviteLinkQuery, ResetInviteLinkMutation } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { ErrorAlert, Loading, StatusMessage } from "../../components/Messages.tsx";
import { useMutation, useQuery } from "../../hooks.ts";

export function InviteLinkSection({ organizationTitle }: { organizationTitle: string }) {
  const query = useQuery(InviteLinkQuery, {});
  const reset = useMutation(ResetInviteLinkMutation);
  const [confirming, setConfirming] = useState(false);
  const [resetUrl, setResetUrl] = useState<string | null>(null);
  const [resetDone, setResetDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const resetButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const moveFocus = useRef(false);

  // Keep keyboard focus on the control that replaced the one just used.
  useEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    (confirming ? cancelButton : resetButton).current?.focus();
  }, [confirming]);

  function startConfirm() {
    setError(null);
    setResetDone(false);
    moveFocus.current = true;
    setConfirming(true);
  }

  function cancel() {
    moveFocus.current = true;
    setConfirming(false);
  }

  async function confirmReset() {
    if (reset.pending) return;
    setError(null);
    try {
      const data = await reset.run({});
      setResetUrl(data.resetInviteLink.inviteUrl ?? "");
      setResetDone(true);
    } catch (err) {
      setError(err);
    }
    moveFocus.current = true;
    setConfirming(false);
  }

  const url = resetUrl ?? query.data?.organization?.inviteUrl ?? null;
  return (
    <section className="card">
      <h2>Annotator link</h2>
      <p>
        Anyone with this link can create an account and join <strong>{organizationTitle}</strong> as
        an annotator. Share it only with people you trust, and reset it if it reaches anyone else.
      </p>
      {url === null && query.loading ? (
        <Loading label="Loading invite link…" />
      ) : url === null && query.error ? (
        <ErrorAlert error={query.error} />
      ) : (
        <div className="field">
          <label htmlFor="invite-link">Invite link</label>
          <div className="input-row">
            <input
              id="invite-link"
              className="mono"
              type="text"
              readOnly
              value={url ?? ""}
              placeholder="No invite link yet"
              spellCheck={false}
              autoComplete="off"
              onFocus={(event) => event.currentTarget.select()}
            />
            {url ? <CopyButton text={url} label="Copy invite link" inputId="invite-link" /> : null}
          </div>
        </div>
      )}
      {resetDone ? <StatusMessage>The old link no longer works.</StatusMessage> : null}
      <ErrorAlert error={error} />
      {confirming ? (
        <div className="confirm">
          <p>
            <strong>Reset the invite link?</strong> The current link stops working at once. Members who
            already joined keep their access.
          </p>
          <div className="actions">
            <Button variant="danger" pending={reset.pending} onClick={confirmReset}>
              Reset link
            </Button>
            <Button ref={cancelButton} onClick={cancel} disabled={reset.pending}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Button ref={resetButton} onClick={startConfirm}>
            Reset invite link
          </Button>
        </div>
      )}
    </section>
  );
}
