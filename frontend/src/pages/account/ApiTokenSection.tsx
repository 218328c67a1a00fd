// The API token: resetting it, once confirmed (the old token stops working
// at once), shows the new token once, in a dialog.
import { useRef, useState } from "react";

import { ResetApiTokenMutation } from "../../operations.ts";
import { Button } from "../../components/Button.tsx";
import { CopyButton } from "../../components/CopyButton.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useMutation } from "../../hooks.ts";

export function ApiTokenSection() {
  const reset = useMutation(ResetApiTokenMutation);
  const [token, setToken] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const resetButton = useRef<HTMLButtonElement>(null);

  async function handleReset() {
    if (reset.pending) return;
    setConfirming(false);
    setError(null);
    try {
      const data = await reset.run({});
      setToken(data.resetApiToken.token);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card">
      <h2>API token</h2>
      <p>
        Scripts and other tools use an API token to call the Gloss API as you, sent in the{" "}
        <code>Authorization: Bearer</code> header. Gloss keeps only a fingerprint of the token, so it
        cannot show your current one again. Resetting creates a new token and the old one stops
        working immediately.
      </p>
      <ErrorAlert error={error} />
      <div className="actions">
        <Button ref={resetButton} onClick={() => setConfirming(true)} pending={reset.pending}>
          Reset API token
        </Button>
      </div>
      {confirming ? (
        <Dialog
          title="Reset your API token?"
          onClose={() => setConfirming(false)}
          initialFocusId="api-token-cancel"
          describedById="api-token-reset-explanation"
          returnFocus={resetButton}
        >
          <p id="api-token-reset-explanation">
            Your current token stops working at once: every script and tool that uses it will be refused until you
            give it the new one.
          </p>
          <div className="dialog-actions">
            <Button id="api-token-cancel" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void handleReset()}>
              Reset token
            </Button>
          </div>
        </Dialog>
      ) : null}
      {token !== null ? (
        <Dialog
          title="Your new API token"
          onClose={() => setToken(null)}
          initialFocusId="api-token-value"
          describedById="api-token-explanation"
          returnFocus={resetButton}
        >
          <p id="api-token-explanation">
            Copy this token now and keep it somewhere safe: <strong>it will not be shown again.</strong>{" "}
            Your previous token has stopped working.
          </p>
          <div className="field">
            <label htmlFor="api-token-value">API token</label>
            <div className="input-row">
              <input
                id="api-token-value"
                className="mono"
                type="text"
                readOnly
                value={token}
                spellCheck={false}
                autoComplete="off"
                onFocus={(event) => event.currentTarget.select()}
              />
              <CopyButton text={token} label="Copy" inputId="api-token-value" />
            </div>
          </div>
          <div className="dialog-actions">
            <Button variant="primary" onClick={() => setToken(null)}>
              Done
            </Button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}
