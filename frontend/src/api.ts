// The GraphQL client: one fetch to same-origin POST /graphql per call, the
// operations of operations.ts typed by their generated types, and one place
// that turns server errors into words for people. The session is an HttpOnly
// cookie the SPA never sees; the JSON content type is what the server's CSRF
// guard expects from cookie-authenticated calls.
import type { TypedDocumentString } from "./gql/graphql.ts";

/** Any JSON value, as the JSON scalar carries it (codegen.ts maps the scalar to it). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** auditDownloadUrl is where the whole audit log downloads from as JSON lines. */
export const auditDownloadUrl = "/api/audit-events.jsonl";

/** exportUrl is where a project's export in the given format downloads from. */
export function exportUrl(
  projectId: string,
  format: string,
  options: { onlyAnnotated?: boolean; includePredictions?: boolean } = {},
): string {
  const q = new URLSearchParams({ format });
  if (options.onlyAnnotated) q.set("only_annotated", "true");
  if (options.includePredictions === false) q.set("include_predictions", "false");
  return `/api/projects/${encodeURIComponent(projectId)}/export?${q.toString()}`;
}

// ---------------------------------------------------------------------------
// Errors

/** The codes the server puts in extensions.code, plus NETWORK for transport failures. */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "NETWORK";

const serverCodes: ReadonlySet<string> = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "RATE_LIMITED",
  "INTERNAL",
]);

/** ApiError is a failed call; message is the server's text, safe to show unless code is INTERNAL. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly requestId: string | null;

  constructor(code: ErrorCode, message: string, requestId: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.requestId = requestId;
  }
}

/** isApiError reports whether err is an ApiError with the given code. */
export function isApiError(err: unknown, code?: ErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

/** errorMessage turns any error from request() into a sentence to show. */
export function errorMessage(err: unknown): string {
  if (!(err instanceof ApiError)) {
    return "Something went wrong. Please try again.";
  }
  switch (err.code) {
    case "NETWORK":
      return err.message;
    case "INTERNAL":
      return err.requestId
        ? `Something went wrong (request id ${err.requestId}). Please try again.`
        : "Something went wrong. Please try again.";
    default:
      return err.message || fallbackMessages[err.code];
  }
}

const fallbackMessages: Record<Exclude<ErrorCode, "NETWORK" | "INTERNAL">, string> = {
  UNAUTHENTICATED: "Please sign in again.",
  FORBIDDEN: "You do not have permission to do that.",
  NOT_FOUND: "That could not be found. It may have been removed.",
  BAD_USER_INPUT: "Please check what you entered and try again.",
  RATE_LIMITED: "Too many attempts. Please wait a little and try again.",
};

interface WireError {
  message?: unknown;
  extensions?: { code?: unknown } | null;
}

interface WireResponse {
  data?: unknown;
  errors?: WireError[] | null;
}

const requestIdPattern = /request id ([A-Za-z0-9._:-]+)/;

function toApiError(wire: WireError, headerRequestId: string | null): ApiError {
  const message = typeof wire.message === "string" ? wire.message : "";
  const rawCode = wire.extensions?.code;
  const code: ErrorCode =
    typeof rawCode === "string" && serverCodes.has(rawCode) ? (rawCode as ErrorCode) : "INTERNAL";
  if (code === "INTERNAL") {
    const fromMessage = requestIdPattern.exec(message)?.[1] ?? null;
    return new ApiError(code, message, fromMessage ?? headerRequestId);
  }
  return new ApiError(code, message, headerRequestId);
}

// ---------------------------------------------------------------------------
// Transport

/**
 * request sends one operation and returns its data. Any error in the
 * response, even next to partial data, rejects with an ApiError: the app
 * never asks for fields it may not read, so an error is always a failure.
 */
export async function request<TResult, TVariables>(
  op: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: op.toString(), variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) {
      throw err;
    }
    throw new ApiError(
      "NETWORK",
      "Could not reach the server. Check your connection and try again.",
    );
  }

  const headerRequestId = response.headers.get("X-Request-Id");
  let body: WireResponse | null = null;
  if ((response.headers.get("Content-Type") ?? "").includes("json")) {
    try {
      body = (await response.json()) as WireResponse;
    } catch {
      body = null;
    }
  }

  const first = body?.errors?.[0];
  if (first) {
    throw toApiError(first, headerRequestId);
  }
  if (!response.ok || body === null || body.data === null || typeof body.data !== "object") {
    if (response.status === 429) {
      throw new ApiError("RATE_LIMITED", "Too many requests. Please wait a little and try again.");
    }
    throw new ApiError("INTERNAL", `unexpected response (HTTP ${response.status})`, headerRequestId);
  }
  return body.data as TResult;
}

interface ImportResponse {
  taskCount?: unknown;
  errors?: WireError[] | null;
}

/**
 * uploadTaskFiles sends task files to POST /api/projects/{id}/import as
 * multipart/form-data (field "file") and returns how many tasks were stored.
 * The browser sets the multipart content type and the same-origin Origin
 * header the CSRF guard checks.
 */
export async function uploadTaskFiles(projectId: string, files: readonly File[]): Promise<number> {
  const form = new FormData();
  for (const file of files) {
    form.append("file", file, file.name);
  }
  let response: Response;
  try {
    response = await fetch(`/api/projects/${encodeURIComponent(projectId)}/import`, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: form,
    });
  } catch {
    throw new ApiError("NETWORK", "Could not reach the server. Check your connection and try again.");
  }
  const headerRequestId = response.headers.get("X-Request-Id");
  let body: ImportResponse | null = null;
  if ((response.headers.get("Content-Type") ?? "").includes("json")) {
    try {
      body = (await response.json()) as ImportResponse;
    } catch {
      body = null;
    }
  }
  const first = body?.errors?.[0];
  if (first) {
    throw toApiError(first, headerRequestId);
  }
  if (!response.ok || typeof body?.taskCount !== "number") {
    if (response.status === 413) {
      throw new ApiError("BAD_USER_INPUT", "The upload is too large for this server.");
    }
    throw new ApiError("INTERNAL", `unexpected response (HTTP ${response.status})`, headerRequestId);
  }
  return body.taskCount;
}
