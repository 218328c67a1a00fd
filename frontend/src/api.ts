// The GraphQL client: one fetch to same-origin POST /graphql per call, typed
// operations, and one place that turns server errors into words for people.
// The session is an HttpOnly cookie the SPA never sees; the JSON content type
// is what the server's CSRF guard expects from cookie-authenticated calls.

// ---------------------------------------------------------------------------
// Schema types (graph/*.graphqls)

/** An RFC 3339 timestamp. */
export type Time = string;
/** An opaque keyset pagination cursor. */
export type Cursor = string;
export type ID = string;

export type Role = "OWNER" | "ADMIN" | "MANAGER" | "REVIEWER" | "ANNOTATOR";

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: Cursor | null;
  endCursor: Cursor | null;
}

export interface SignupInput {
  email: string;
  password: string;
  inviteToken?: string | null;
}

export interface LoginInput {
  email: string;
  password: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

// ---------------------------------------------------------------------------
// Operations

/**
 * Operation is a GraphQL document together with the types of its variables
 * and of its result. The types exist only for the compiler.
 */
export interface Operation<TVariables, TResult> {
  readonly query: string;
  /** Never set; carries the types. */
  readonly types?: { variables: TVariables; result: TResult };
}

function operation<TVariables, TResult>(query: string): Operation<TVariables, TResult> {
  return { query: query.replace(/\s+/g, " ").trim() };
}

type NoVariables = Record<string, never>;

/** The fields of the signed-in user the app keeps in memory. */
export interface Viewer {
  id: ID;
  email: string | null;
  displayName: string;
  createdAt: Time;
}

const viewerFields = "id email displayName createdAt";

export const ViewerQuery = operation<NoVariables, { viewer: Viewer | null }>(`
  query Viewer { viewer { ${viewerFields} } }
`);

export const LoginMutation = operation<{ input: LoginInput }, { login: { user: Viewer } }>(`
  mutation Login($input: LoginInput!) { login(input: $input) { user { ${viewerFields} } } }
`);

export const SignupMutation = operation<{ input: SignupInput }, { signup: { user: Viewer } }>(`
  mutation Signup($input: SignupInput!) { signup(input: $input) { user { ${viewerFields} } } }
`);

export const LogoutMutation = operation<NoVariables, { logout: boolean }>(`
  mutation Logout { logout }
`);

export const SignupOpenQuery = operation<NoVariables, { signupOpen: boolean }>(`
  query SignupOpen { signupOpen }
`);

export interface Invite {
  organizationTitle: string;
  setup: boolean;
}

/** SignupPageQuery reads what the signup page needs; `invite` is skipped without a token. */
export const SignupPageQuery = operation<
  { token: string; withInvite: boolean },
  { signupOpen: boolean; invite?: Invite | null }
>(`
  query SignupPage($token: String!, $withInvite: Boolean!) {
    signupOpen
    invite(token: $token) @include(if: $withInvite) { organizationTitle setup }
  }
`);

export interface Session {
  id: ID;
  createdAt: Time;
  lastSeenAt: Time;
  userAgent: string;
  clientAddress: string;
  current: boolean;
}

export const SessionsQuery = operation<NoVariables, { sessions: Session[] }>(`
  query Sessions { sessions { id createdAt lastSeenAt userAgent clientAddress current } }
`);

export const RevokeSessionMutation = operation<{ id: ID }, { revokeSession: ID }>(`
  mutation RevokeSession($id: ID!) { revokeSession(id: $id) }
`);

export const ChangePasswordMutation = operation<
  { input: ChangePasswordInput },
  { changePassword: boolean }
>(`
  mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }
`);

export const ResetApiTokenMutation = operation<NoVariables, { resetApiToken: { token: string } }>(`
  mutation ResetApiToken { resetApiToken { token } }
`);

export interface OrganizationSummary {
  id: ID;
  title: string;
  createdAt: Time;
  viewerRole: Role;
}

export const OrganizationQuery = operation<
  NoVariables,
  { organization: OrganizationSummary | null }
>(`
  query Organization { organization { id title createdAt viewerRole } }
`);

/** InviteLinkQuery may only be sent by owners and admins; others get FORBIDDEN. */
export const InviteLinkQuery = operation<
  NoVariables,
  { organization: { id: ID; inviteUrl: string | null } | null }
>(`
  query InviteLink { organization { id inviteUrl } }
`);

export const ResetInviteLinkMutation = operation<
  NoVariables,
  { resetInviteLink: { id: ID; inviteUrl: string | null } }
>(`
  mutation ResetInviteLink { resetInviteLink { id inviteUrl } }
`);

export interface Member {
  id: ID;
  role: Role;
  createdAt: Time;
  user: {
    id: ID;
    displayName: string;
    /** Present only when asked for with isAdmin: true. */
    email?: string | null;
  };
}

export interface MembersPage {
  totalCount: number;
  pageInfo: Pick<PageInfo, "hasNextPage" | "endCursor">;
  edges: { cursor: Cursor; node: Member }[];
}

/**
 * MembersQuery lists the active organization's members. Only owners and
 * admins may read other members' email, so it is asked for only with isAdmin.
 */
export const MembersQuery = operation<
  { first: number; after: Cursor | null; isAdmin: boolean },
  { members: MembersPage }
>(`
  query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {
    members(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id role createdAt
          user { id displayName email @include(if: $isAdmin) }
        }
      }
    }
  }
`);

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
export async function request<TVariables, TResult>(
  op: Operation<TVariables, TResult>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: op.query, variables }),
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
