// Messages: errors are alerts (read out at once), confirmations are status
// messages (read out politely). Each is rendered only while it has text, so a
// page never holds an empty alert.
import type { ReactNode } from "react";

import { errorMessage } from "../api.ts";

export function ErrorAlert({ id, error }: { id?: string; error: unknown }) {
  if (error === null || error === undefined) return null;
  const text = typeof error === "string" ? error : errorMessage(error);
  return (
    <div id={id} role="alert" className="message message-error">
      {text}
    </div>
  );
}

export function StatusMessage({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <div id={id} role="status" className="message message-success">
      {children}
    </div>
  );
}

/** Loading is a quiet placeholder; it is not a live region so it never competes with real messages. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" aria-busy="true">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
