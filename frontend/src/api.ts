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
  /** The role the new member gets. */
  role: Role;
}

/** SignupPageQuery reads what the signup page needs; `invite` is skipped without a token. */
export const SignupPageQuery = operation<
  { token: string; withInvite: boolean },
  { signupOpen: boolean; invite?: Invite | null }
>(`
  query SignupPage($token: String!, $withInvite: Boolean!) {
    signupOpen
    invite(token: $token) @include(if: $withInvite) { organizationTitle setup role }
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
    /** False once an owner or admin deactivated the user. */
    active: boolean;
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
          user { id displayName active email @include(if: $isAdmin) }
        }
      }
    }
  }
`);

/** The organizations the viewer belongs to, for switching between them. */
export interface OrganizationChoice {
  id: ID;
  title: string;
}

/**
 * CurrentOrganizationQuery is what every signed-in page needs to know: the
 * active organization with the viewer's role there (which decides what the
 * app offers), and the viewer's other organizations.
 */
export const CurrentOrganizationQuery = operation<
  NoVariables,
  { organization: OrganizationSummary | null; organizations: OrganizationChoice[] }
>(`
  query CurrentOrganization {
    organization { id title createdAt viewerRole }
    organizations { id title }
  }
`);

export const CreateOrganizationMutation = operation<{ title: string }, { createOrganization: OrganizationChoice }>(`
  mutation CreateOrganization($title: String!) { createOrganization(title: $title) { id title } }
`);

export const SwitchOrganizationMutation = operation<{ id: ID }, { switchOrganization: OrganizationChoice }>(`
  mutation SwitchOrganization($id: ID!) { switchOrganization(id: $id) { id title } }
`);

export const UpdateMemberRoleMutation = operation<
  { userId: ID; role: Role },
  { updateMemberRole: { id: ID; role: Role } }
>(`
  mutation UpdateMemberRole($userId: ID!, $role: Role!) { updateMemberRole(userId: $userId, role: $role) { id role } }
`);

/** RemoveMemberMutation takes a member out of the organization; with the viewer's own id it is "leave". */
export const RemoveMemberMutation = operation<{ userId: ID }, { removeMember: ID }>(`
  mutation RemoveMember($userId: ID!) { removeMember(userId: $userId) }
`);

export const DeactivateUserMutation = operation<{ userId: ID }, { deactivateUser: { id: ID; active: boolean } }>(`
  mutation DeactivateUser($userId: ID!) { deactivateUser(userId: $userId) { id active } }
`);

/** A role invite as listed; its link is shown only once, when it is created. */
export interface RoleInvite {
  id: ID;
  role: Role;
  projectId: ID | null;
  expiresAt: Time | null;
  revoked: boolean;
  createdAt: Time;
  /** Who made the invite; null once they left the organization. */
  createdBy: { id: ID; displayName: string } | null;
  /** How many people signed up with it. */
  useCount: number;
  /** How many people it admits; null means any number until it expires. */
  maxUses: number | null;
}

const roleInviteFields = "id role projectId expiresAt revoked createdAt createdBy { id displayName } useCount maxUses";

export interface CreateInviteInput {
  role: Role;
  projectId?: ID | null;
  /** 1 to 8760; none means the link does not expire. */
  expiresInHours?: number | null;
  /** 1 to 1000; none means one person for owner and admin invites, any number for the others. */
  maxUses?: number | null;
}

/** RoleInvitesQuery lists the role invites (owners and admins) and the projects an invite may lead to. */
export const RoleInvitesQuery = operation<
  NoVariables,
  { roleInvites: RoleInvite[]; projects: { edges: { node: { id: ID; title: string } }[] } }
>(`
  query RoleInvites {
    roleInvites { ${roleInviteFields} }
    projects(first: 100) { edges { node { id title } } }
  }
`);

export const CreateInviteMutation = operation<
  { input: CreateInviteInput },
  { createInvite: { url: string; invite: RoleInvite } }
>(`
  mutation CreateInvite($input: CreateInviteInput!) { createInvite(input: $input) { url invite { ${roleInviteFields} } } }
`);

export const RevokeInviteMutation = operation<{ id: ID }, { revokeInvite: RoleInvite }>(`
  mutation RevokeInvite($id: ID!) { revokeInvite(id: $id) { ${roleInviteFields} } }
`);

// ---------------------------------------------------------------------------
// The audit log (graph/audit.graphqls)

export interface AuditEvent {
  id: ID;
  createdAt: Time;
  actorId: ID | null;
  action: string;
  targetType: string;
  targetId: string;
  clientAddress: string;
  userAgent: string;
  requestId: string;
  details: JsonValue;
}

export interface AuditFilter {
  /** An exact action, or a prefix ending in a dot ("login."). */
  action?: string;
  actorId?: ID;
  targetType?: string;
  targetId?: string;
  since?: Time;
  until?: Time;
}

export interface AuditEventsPage {
  totalCount: number;
  pageInfo: Pick<PageInfo, "hasNextPage" | "endCursor">;
  edges: { cursor: Cursor; node: AuditEvent }[];
}

/** AuditEventsQuery reads the audit log, newest first (owners and admins). */
export const AuditEventsQuery = operation<
  { first: number; after: Cursor | null; filter: AuditFilter | null },
  { auditEvents: AuditEventsPage }
>(`
  query AuditEvents($first: Int, $after: Cursor, $filter: AuditFilter) {
    auditEvents(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node { id createdAt actorId action targetType targetId clientAddress userAgent requestId details }
      }
    }
  }
`);

/** auditDownloadUrl is where the whole audit log downloads from as JSON lines. */
export const auditDownloadUrl = "/api/audit-events.jsonl";

// ---------------------------------------------------------------------------
// Projects, tasks and annotations (graph/project.graphqls)

/** Any JSON value, as the JSON scalar carries it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Sampling = "SEQUENTIAL" | "RANDOM";
export type TaskOrderField = "ID" | "CREATED_AT" | "UPDATED_AT" | "ANNOTATION_COUNT";
export type OrderDirection = "ASC" | "DESC";
/** Where an annotation is in review; a changed annotation goes back to PENDING. */
export type ReviewState = "PENDING" | "ACCEPTED" | "REJECTED";

export interface TaskFilter {
  labeled?: boolean;
  skipped?: boolean;
  annotator?: ID;
  /** Text the task data contains, case-insensitively; 1 to 200 characters. */
  search?: string;
  /** Tasks with an annotation in this review state. */
  reviewState?: ReviewState;
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

/** An export format and whether it fits a project's labeling config. */
export interface ExportFormat {
  name: string;
  fits: boolean;
  /** Why the format does not fit; null when it fits. */
  reason: string | null;
  /** The download is a zip archive (COCO, YOLO). */
  zip: boolean;
}

export interface Project extends ProjectSummary {
  instructions: string;
  labelConfig: string;
  overlap: number;
  showSkip: boolean;
  sampling: Sampling;
  updatedAt: Time;
  dataKeys: string[];
  /** Every export format, saying whether it fits the labeling config. */
  exportFormats: ExportFormat[];
  /** Whether annotators see each other's annotations. */
  annotatorsSeeOthers: boolean;
  /** Whether annotators see who made the annotations they see. */
  revealAnnotators: boolean;
  workspace: { id: ID; title: string } | null;
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

/** What only the project's settings change: who sees what, and its workspace. */
export interface ProjectAccessInput {
  annotatorsSeeOthers?: boolean;
  revealAnnotators?: boolean;
  /** A workspace's id, or "0" to take the project out of its workspace. */
  workspaceId?: ID;
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

/** A data manager row: a task with the summary columns read for the whole page. */
export interface DataManagerRow extends TaskRow {
  labels: string[];
  reviewStates: ReviewState[];
  predictionScore: number | null;
}

export interface TasksPage {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: Cursor; node: DataManagerRow }[];
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
  reviewState: ReviewState;
  reviewComment: string;
  reviewedAt: Time | null;
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
  /** The viewer's unsubmitted work on the task, saved as they labeled. */
  myDraft: Draft | null;
}

/** A draft: the viewer's own unsubmitted result of a task. */
export interface Draft {
  id: ID;
  result: JsonValue;
  updatedAt: Time;
}

export interface AnnotationInput {
  result: JsonValue;
  leadTime: number;
  wasCancelled: boolean;
}

const projectSummaryFields = "id title description taskCount labeledCount createdAt";
const projectFields = `${projectSummaryFields} instructions labelConfig overlap showSkip sampling updatedAt dataKeys
  exportFormats { name fits reason zip }
  annotatorsSeeOthers revealAnnotators workspace { id title }`;
const taskRowFields = "id innerId data totalAnnotations cancelledAnnotations createdAt updatedAt";
const annotationFields =
  "id result wasCancelled groundTruth leadTime createdAt updatedAt completedBy { id displayName } reviewState reviewComment reviewedAt";
const taskFields = `${taskRowFields}
  annotations { ${annotationFields} }
  predictions { id result score modelVersion createdAt }
  myDraft { id result updatedAt }`;

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
  { id: ID; input: Partial<ProjectInput> & ProjectAccessInput },
  { updateProject: Project }
>(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { ${projectFields} }
  }
`);

export const DeleteProjectMutation = operation<{ id: ID }, { deleteProject: ID }>(`
  mutation DeleteProject($id: ID!) { deleteProject(id: $id) }
`);

/** The data manager's bulk actions: the given tasks, or all matching a filter. */
export interface TaskSelectionVariables {
  projectId: ID;
  ids: ID[] | null;
  all: boolean | null;
  filter: TaskFilter | null;
}

export const DeleteTasksMutation = operation<TaskSelectionVariables, { deleteTasks: number }>(`
  mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
    deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
  }
`);

export const DeleteAnnotationsMutation = operation<TaskSelectionVariables, { deleteAnnotations: number }>(`
  mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
    deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
  }
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
      edges { cursor node { ${taskRowFields} labels reviewStates predictionScore } }
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
  /** confirmSkip: skipping throws away an annotation with results, which the server refuses without it. */
  { id: ID; input: AnnotationInput & { confirmSkip?: boolean } },
  { updateAnnotation: Annotation }
>(`
  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {
    updateAnnotation(id: $id, input: $input) { ${annotationFields} }
  }
`);

/** SaveDraftMutation saves the viewer's draft of a task, replacing the last one. */
export const SaveDraftMutation = operation<{ taskId: ID; result: JsonValue }, { saveDraft: Draft }>(`
  mutation SaveDraft($taskId: ID!, $result: JSON!) { saveDraft(taskId: $taskId, result: $result) { id result updatedAt } }
`);

export const DeleteDraftMutation = operation<{ taskId: ID }, { deleteDraft: boolean }>(`
  mutation DeleteDraft($taskId: ID!) { deleteDraft(taskId: $taskId) }
`);

/** ReviewAnnotationMutation accepts or rejects an annotation; a result fixes it as it is accepted. */
export const ReviewAnnotationMutation = operation<
  { id: ID; accepted: boolean; comment: string; result?: JsonValue },
  { reviewAnnotation: Annotation }
>(`
  mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON) {
    reviewAnnotation(id: $id, accepted: $accepted, comment: $comment, result: $result) { ${annotationFields} }
  }
`);

/** NextReviewQuery is the review stream: the project's next annotation waiting for review, after the id after. */
export const NextReviewQuery = operation<
  { projectId: ID; after: ID | null },
  { nextReview: (Annotation & { task: Task }) | null }
>(`
  query NextReview($projectId: ID!, $after: ID) {
    nextReview(projectId: $projectId, after: $after) { ${annotationFields} task { ${taskFields} } }
  }
`);

/** What the label stream has left for the viewer; each count stops at 1000. */
export interface LabelStreamStatus {
  left: number;
  lockedByOthers: number;
}

export const LabelStreamStatusQuery = operation<{ projectId: ID }, { labelStreamStatus: LabelStreamStatus }>(`
  query LabelStreamStatus($projectId: ID!) { labelStreamStatus(projectId: $projectId) { left lockedByOthers } }
`);

/** One of the viewer's own annotations, with the task it belongs to. */
export interface MyAnnotation {
  id: ID;
  wasCancelled: boolean;
  createdAt: Time;
  updatedAt: Time;
  reviewState: ReviewState;
  reviewComment: string;
  reviewedAt: Time | null;
  task: { id: ID; innerId: number; project: { id: ID; title: string } };
}

export interface MyAnnotationsPage {
  totalCount: number;
  pageInfo: Pick<PageInfo, "hasNextPage" | "endCursor">;
  edges: { cursor: Cursor; node: MyAnnotation }[];
}

/** MyAnnotationsQuery lists the viewer's own annotations, newest first. */
export const MyAnnotationsQuery = operation<
  { reviewState: ReviewState | null; first: number; after: Cursor | null },
  { myAnnotations: MyAnnotationsPage }
>(`
  query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {
    myAnnotations(reviewState: $reviewState, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id wasCancelled createdAt updatedAt reviewState reviewComment reviewedAt
          task { id innerId project { id title } }
        }
      }
    }
  }
`);

// ---------------------------------------------------------------------------
// Project members and workspaces (graph/access.graphqls)

/** A user as other members see them. */
export interface UserSummary {
  id: ID;
  displayName: string;
  active: boolean;
}

/** ProjectMembersQuery reads a project's direct members and the organization's members to add. */
export const ProjectMembersQuery = operation<
  { id: ID },
  {
    project: { id: ID; members: UserSummary[] } | null;
    members: { totalCount: number; edges: { node: { id: ID; role: Role; user: UserSummary } }[] };
  }
>(`
  query ProjectMembers($id: ID!) {
    project(id: $id) { id members { id displayName active } }
    members(first: 100) { totalCount edges { node { id role user { id displayName active } } } }
  }
`);

export const AddProjectMemberMutation = operation<
  { projectId: ID; userId: ID },
  { addProjectMember: { id: ID; members: UserSummary[] } }
>(`
  mutation AddProjectMember($projectId: ID!, $userId: ID!) {
    addProjectMember(projectId: $projectId, userId: $userId) { id members { id displayName active } }
  }
`);

export const RemoveProjectMemberMutation = operation<
  { projectId: ID; userId: ID },
  { removeProjectMember: { id: ID; members: UserSummary[] } }
>(`
  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {
    removeProjectMember(projectId: $projectId, userId: $userId) { id members { id displayName active } }
  }
`);

export interface Workspace {
  id: ID;
  title: string;
  createdAt: Time;
  projects: { id: ID; title: string }[];
}

const workspaceFields = "id title createdAt projects { id title }";

/** WorkspaceChoicesQuery lists the workspaces a project may be put in. */
export const WorkspaceChoicesQuery = operation<NoVariables, { workspaces: { id: ID; title: string }[] }>(`
  query WorkspaceChoices { workspaces { id title } }
`);

/** WorkspacesQuery reads the workspaces with their projects, and the members who may join them. */
export const WorkspacesQuery = operation<
  NoVariables,
  {
    workspaces: Workspace[];
    members: { totalCount: number; edges: { node: { id: ID; role: Role; user: UserSummary } }[] };
  }
>(`
  query Workspaces {
    workspaces { ${workspaceFields} }
    members(first: 100) { totalCount edges { node { id role user { id displayName active } } } }
  }
`);

export const CreateWorkspaceMutation = operation<{ title: string }, { createWorkspace: Workspace }>(`
  mutation CreateWorkspace($title: String!) { createWorkspace(title: $title) { ${workspaceFields} } }
`);

export const AddWorkspaceMemberMutation = operation<
  { workspaceId: ID; userId: ID },
  { addWorkspaceMember: Workspace }
>(`
  mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {
    addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ${workspaceFields} }
  }
`);

export const RemoveWorkspaceMemberMutation = operation<
  { workspaceId: ID; userId: ID },
  { removeWorkspaceMember: Workspace }
>(`
  mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {
    removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ${workspaceFields} }
  }
`);

/** exportUrl is where a project's export in the given format downloads from. */
export function exportUrl(
  projectId: ID,
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

// ---------------------------------------------------------------------------
// Webhooks (graph/webhook.graphqls)

export const webhookEvents = [
  "TASKS_CREATED",
  "TASKS_DELETED",
  "ANNOTATION_CREATED",
  "ANNOTATIONS_CREATED",
  "ANNOTATION_UPDATED",
  "ANNOTATIONS_DELETED",
  "PROJECT_CREATED",
  "PROJECT_UPDATED",
  "PROJECT_DELETED",
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export interface Webhook {
  id: ID;
  projectId: ID | null;
  url: string;
  events: WebhookEvent[];
  sendPayload: boolean;
  active: boolean;
  createdAt: Time;
}

export interface WebhookDelivery {
  id: ID;
  event: WebhookEvent;
  status: "PENDING" | "DELIVERED" | "FAILED";
  attempts: number;
  responseCode: number | null;
  error: string;
  createdAt: Time;
  nextAttemptAt: Time | null;
  finishedAt: Time | null;
}

export interface WebhookInput {
  url?: string;
  events?: WebhookEvent[];
  sendPayload?: boolean;
  active?: boolean;
}

const webhookFields = "id projectId url events sendPayload active createdAt";
const deliveryFields = "id event status attempts responseCode error createdAt nextAttemptAt finishedAt";

/** ProjectWebhooksQuery lists a project's webhooks (managers and up). */
export const ProjectWebhooksQuery = operation<{ id: ID }, { project: { id: ID; webhooks: Webhook[] } | null }>(`
  query ProjectWebhooks($id: ID!) { project(id: $id) { id webhooks { ${webhookFields} } } }
`);

/** OrganizationWebhooksQuery lists the organization's own webhooks (owners and admins). */
export const OrganizationWebhooksQuery = operation<NoVariables, { organization: { id: ID; webhooks: Webhook[] } | null }>(`
  query OrganizationWebhooks { organization { id webhooks { ${webhookFields} } } }
`);

type WithDeliveries = { id: ID; deliveries: { edges: { node: WebhookDelivery }[] } };

/** The delivery logs (owners and admins): the newest ten of each webhook of a project or of the organization. */
export const ProjectDeliveriesQuery = operation<{ id: ID }, { project: { webhooks: WithDeliveries[] } | null }>(`
  query ProjectDeliveries($id: ID!) { project(id: $id) { webhooks { id deliveries(first: 10) { edges { node { ${deliveryFields} } } } } } }
`);
export const OrganizationDeliveriesQuery = operation<NoVariables, { organization: { webhooks: WithDeliveries[] } | null }>(`
  query OrganizationDeliveries { organization { webhooks { id deliveries(first: 10) { edges { node { ${deliveryFields} } } } } } }
`);

export const CreateWebhookMutation = operation<
  { input: WebhookInput & { projectId?: ID; url: string; events: WebhookEvent[] } },
  { createWebhook: { secret: string; webhook: Webhook } }
>(`
  mutation CreateWebhook($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { ${webhookFields} } } }
`);

export const UpdateWebhookMutation = operation<{ id: ID; input: WebhookInput }, { updateWebhook: Webhook }>(`
  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) { updateWebhook(id: $id, input: $input) { ${webhookFields} } }
`);

export const DeleteWebhookMutation = operation<{ id: ID }, { deleteWebhook: ID }>(`
  mutation DeleteWebhook($id: ID!) { deleteWebhook(id: $id) }
`);

/** A project's storage, as Project.storages lists it; credentials are never read back (secretSet). */
export interface StorageSummary {
  id: ID;
  direction: "IMPORT" | "EXPORT";
  kind: "LOCAL" | "S3" | "GCS" | "AZURE" | "REDIS";
  title: string;
  bucket: string;
  prefix: string;
  regexFilter: string;
  useBlobUrls: boolean;
  recursiveScan: boolean;
  presign: boolean;
  presignTtlMinutes: number;
  canDeleteObjects: boolean;
  region: string | null;
  endpoint: string | null;
  port: number | null;
  db: number | null;
  tls: boolean | null;
  secretSet: boolean;
  lastSync: StorageSyncSummary | null;
}

/** One run of a storage's sync. */
export interface StorageSyncSummary {
  id: ID;
  status: "QUEUED" | "RUNNING" | "COMPLETED" | "FAILED";
  total: number | null;
  done: number;
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const storageFields = `id direction kind title bucket prefix regexFilter useBlobUrls recursiveScan presign
  presignTtlMinutes canDeleteObjects region endpoint port db tls secretSet
  lastSync { id status total done message startedAt finishedAt }`;

/** ProjectStoragesQuery lists a project's storages with their latest syncs. */
export const ProjectStoragesQuery = operation<{ id: ID }, { project: { id: ID; storages: StorageSummary[] } | null }>(`
  query ProjectStorages($id: ID!) { project(id: $id) { id storages { ${storageFields} } } }
`);

/** The settings of a storage as the form sends them (GraphQL's CreateStorageInput and UpdateStorageInput). */
export interface StorageInput {
  title?: string;
  prefix?: string;
  regexFilter?: string;
  useBlobUrls?: boolean;
  recursiveScan?: boolean;
  presign?: boolean;
  presignTtlMinutes?: number;
  canDeleteObjects?: boolean;
  s3?: { bucket: string; region?: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
  local?: { path: string };
  redis?: { host: string; port?: number; db?: number; password?: string; tls?: boolean };
  gcs?: { bucket: string; projectId?: string; credentialsJson?: string; endpoint?: string };
  azure?: { container: string; accountName: string; accountKey?: string; endpoint?: string };
}

export const CreateStorageMutation = operation<
  { input: StorageInput & { projectId: ID; direction: "IMPORT" | "EXPORT"; kind: "S3" | "GCS" | "AZURE" | "LOCAL" | "REDIS" } },
  { createStorage: StorageSummary }
>(`mutation CreateStorage($input: CreateStorageInput!) { createStorage(input: $input) { ${storageFields} } }`);

export const UpdateStorageMutation = operation<{ id: ID; input: StorageInput }, { updateStorage: StorageSummary }>(
  `mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) { updateStorage(id: $id, input: $input) { ${storageFields} } }`,
);

export const DeleteStorageMutation = operation<{ id: ID }, { deleteStorage: ID }>(
  `mutation DeleteStorage($id: ID!) { deleteStorage(id: $id) }`,
);

export const CheckStorageMutation = operation<{ id: ID }, { checkStorage: { ok: boolean; message: string | null } }>(
  `mutation CheckStorage($id: ID!) { checkStorage(id: $id) { ok message } }`,
);

export const SyncStorageMutation = operation<{ id: ID }, { syncStorage: StorageSyncSummary }>(
  `mutation SyncStorage($id: ID!) { syncStorage(id: $id) { id status total done message startedAt finishedAt } }`,
);
