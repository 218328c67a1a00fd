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
// Projects, tasks and annotations (graph/project.graphqls)

/** Any JSON value, as the JSON scalar carries it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Sampling = "SEQUENTIAL" | "RANDOM";
export type TaskOrderField = "ID" | "CREATED_AT" | "UPDATED_AT" | "ANNOTATION_COUNT";
export type OrderDirection = "ASC" | "DESC";

export interface TaskFilter {
  labeled?: boolean;
  skipped?: boolean;
  annotator?: ID;
  /** Text the task data contains, case-insensitively; 1 to 200 characters. */
  search?: string;
}

export interface TaskOrder {
  field: TaskOrderField;
  direction: OrderDirection;
}

/** The fields a project's list row shows. */
export interface ProjectSummary {
  id: ID;
  title: string;
  description: string;
  taskCount: number;
  labeledCount: number;
  createdAt: Time;
}

export interface Project extends ProjectSummary {
  instructions: string;
  labelConfig: string;
  overlap: number;
  showSkip: boolean;
  sampling: Sampling;
  updatedAt: Time;
  dataKeys: string[];
}

export interface ProjectInput {
  title: string;
  description: string;
  instructions: string;
  labelConfig: string;
  overlap: number;
  showSkip: boolean;
  sampling: Sampling;
}

export interface ProjectsPage {
  totalCount: number;
  pageInfo: Pick<PageInfo, "hasNextPage" | "endCursor">;
  edges: { cursor: Cursor; node: ProjectSummary }[];
}

/** A task as the data manager lists it. */
export interface TaskRow {
  id: ID;
  innerId: number;
  data: JsonValue;
  totalAnnotations: number;
  cancelledAnnotations: number;
  createdAt: Time;
  updatedAt: Time;
}

export interface TasksPage {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: Cursor; node: TaskRow }[];
}

export interface Annotation {
  id: ID;
  result: JsonValue;
  wasCancelled: boolean;
  groundTruth: boolean;
  leadTime: number;
  createdAt: Time;
  updatedAt: Time;
  /** Null when the viewer may not see who made someone else's annotation. */
  completedBy: { id: ID; displayName: string } | null;
}

export interface Prediction {
  id: ID;
  result: JsonValue;
  score: number | null;
  modelVersion: string;
  createdAt: Time;
}

/** A task with everything the labeling page needs. */
export interface Task extends TaskRow {
  annotations: Annotation[];
  predictions: Prediction[];
}

export interface AnnotationInput {
  result: JsonValue;
  leadTime: number;
  wasCancelled: boolean;
}

const projectSummaryFields = "id title description taskCount labeledCount createdAt";
const projectFields = `${projectSummaryFields} instructions labelConfig overlap showSkip sampling updatedAt dataKeys`;
const taskRowFields = "id innerId data totalAnnotations cancelledAnnotations createdAt updatedAt";
const annotationFields = "id result wasCancelled groundTruth leadTime createdAt updatedAt completedBy { id displayName }";
const taskFields = `${taskRowFields}
  annotations { ${annotationFields} }
  predictions { id result score modelVersion createdAt }`;

/** ProjectsQuery lists the organization's projects, newest first, with the viewer's role. */
export const ProjectsQuery = operation<
  { first: number; after: Cursor | null },
  { organization: { id: ID; viewerRole: Role } | null; projects: ProjectsPage }
>(`
  query Projects($first: Int, $after: Cursor) {
    organization { id viewerRole }
    projects(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ${projectSummaryFields} } }
    }
  }
`);

/** ProjectQuery reads one project and the viewer's role, which decides what they may change. */
export const ProjectQuery = operation<
  { id: ID },
  { organization: { id: ID; viewerRole: Role } | null; project: Project | null }
>(`
  query Project($id: ID!) {
    organization { id viewerRole }
    project(id: $id) { ${projectFields} }
  }
`);

export const CreateProjectMutation = operation<{ input: ProjectInput }, { createProject: Project }>(`
  mutation CreateProject($input: CreateProjectInput!) { createProject(input: $input) { ${projectFields} } }
`);

export const UpdateProjectMutation = operation<
  { id: ID; input: Partial<ProjectInput> },
  { updateProject: Project }
>(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { ${projectFields} }
  }
`);

export const DeleteProjectMutation = operation<{ id: ID }, { deleteProject: ID }>(`
  mutation DeleteProject($id: ID!) { deleteProject(id: $id) }
`);

export const ImportTasksFromUrlMutation = operation<
  { projectId: ID; url: string },
  { importTasksFromUrl: { taskCount: number } }
>(`
  mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {
    importTasksFromUrl(projectId: $projectId, url: $url) { taskCount }
  }
`);

/** TasksQuery is one page of the data manager. */
export const TasksQuery = operation<
  { projectId: ID; first: number; after: Cursor | null; filter: TaskFilter | null; orderBy: TaskOrder },
  { tasks: TasksPage }
>(`
  query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {
    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${taskRowFields} } }
    }
  }
`);

/** LabelTaskQuery reads a project and one of its tasks for the labeling page. */
export const LabelTaskQuery = operation<
  { projectId: ID; taskId: ID },
  { project: Project | null; task: (Task & { project: { id: ID } }) | null }
>(`
  query LabelTask($projectId: ID!, $taskId: ID!) {
    project(id: $projectId) { ${projectFields} }
    task(id: $taskId) { ${taskFields} project { id } }
  }
`);

/**
 * NextTaskQuery asks for the next task of the label stream. The server locks
 * the task for the viewer for a while, so it is sent only when the viewer is
 * ready to label it.
 */
export const NextTaskQuery = operation<{ projectId: ID }, { nextTask: Task | null }>(`
  query NextTask($projectId: ID!) { nextTask(projectId: $projectId) { ${taskFields} } }
`);

export const CreateAnnotationMutation = operation<
  { input: AnnotationInput & { taskId: ID } },
  { createAnnotation: Annotation }
>(`
  mutation CreateAnnotation($input: CreateAnnotationInput!) { createAnnotation(input: $input) { ${annotationFields} } }
`);

export const UpdateAnnotationMutation = operation<
  { id: ID; input: AnnotationInput },
  { updateAnnotation: Annotation }
>(`
  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {
    updateAnnotation(id: $id, input: $input) { ${annotationFields} }
  }
`);

/** exportUrl is where a project's export in the given format downloads from. */
export function exportUrl(projectId: ID, format: string): string {
  return `/api/projects/${encodeURIComponent(projectId)}/export?format=${encodeURIComponent(format)}`;
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
export async function uploadTaskFiles(projectId: ID, files: readonly File[]): Promise<number> {
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
