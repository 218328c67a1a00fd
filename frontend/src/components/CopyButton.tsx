// A button that copies text to the clipboard and says so in a status
// message that fades after a few seconds.
import { useEffect, useState } from "react";

interface CopyButtonProps {
  text: string;
  label: string;
  /** The id of the input that holds text; it is selected when copying fails so the user can copy by hand. */
  inputId: string;
  className?: string;
}

type Outcome = "copied" | "failed" | null;

async function copyText(text: string, inputId: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP deployments have no Clipboard API; fall back to the selection.
  const input = document.getElementById(inputId);
  if (input instanceof HTMLInputElement) {
    input.focus();
    input.select();
    if (document.execCommand("copy")) return;
  }
  throw new Error("copy not supported");
}

export function CopyButton({ text, label, inputId, className }: CopyButtonProps) {
  const [outcome, setOutcome] = useState<Outcome>(null);

  useEffect(() => {
    setOutcome(null);
  }, [text]);

  useEffect(() => {
    if (outcome === null) return;
    const timer = window.setTimeout(() => setOutcome(null), 4000);
    return () => window.clearTimeout(timer);
  }, [outcome]);

  async function handleClick() {
    try {
      await copyText(text, inputId);
      setOutcome("copied");
    } catch {
      const input = document.getElementById(inputId);
      if (input instanceof HTMLInputElement) {
        input.focus();
        input.select();
      }
      setOutcome("failed");
    }
  }

  return (
    <>
      <button type="button" className={className ?? "button button-secondary"} onClick={handleClick}>
        {label}
      </button>
      {outcome === "copied" ? (
        <span role="status" className="copy-feedback">
          Copied
        </span>
      ) : null}
      {outcome === "failed" ? (
        <span role="status" className="copy-feedback copy-feedback-failed">
          Could not copy; the text is selected, press Ctrl+C to copy it.
        </span>
      ) : null}
    </>
  );
}
