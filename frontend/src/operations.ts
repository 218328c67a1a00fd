// Every GraphQL operation the SPA sends, as graphql() documents. codegen.ts
// checks each against the server's schema (graph/*.graphqls) and writes the
// types of its result and variables to gql/: a field the schema lacks fails
// `npm run typecheck` and `npm run build`. The types the app names below are
// those generated types; none is written by hand. api.ts sends the documents.
import { graphql } from "./gql/gql.ts";
import type * as types from "./gql/graphql.ts";

// ---------------------------------------------------------------------------
// Fragments: field lists that several operations read and the app names.

graphql(`
  fragment ViewerFields on User {
    id
    email
    displayName
    createdAt
  }
`);

graphql(`
  fragment OrganizationFields on Organization {
    id
    title
    createdAt
    viewerRole
  }
`);

graphql(`
  fragment RoleInviteFields on RoleInvite {
    id
    role
    projectId
    expiresAt
    revoked
    createdAt
    createdBy { id displayName }
    useCount
    maxUses
  }
`);

graphql(`
  fragment ProjectSummaryFields on Project {
    id
    title
    description
    taskCount
    labeledCount
    createdAt
  }
`);

graphql(`
  fragment ProjectFields on Project {
    ...ProjectSummaryFields
    instructions
    labelConfig
    overlap
    showSkip
    sampling
    updatedAt
    dataKeys
    exportFormats { name fits reason zip }
    annotatorsSeeOthers
    revealAnnotators
    workspace { id title }
  }
`);

graphql(`
  fragment TaskRowFields on Task {
    id
    innerId
    data
    totalAnnotations
    cancelledAnnotations
    createdAt
    updatedAt
  }
`);

graphql(`
  fragment AnnotationFields on Annotation {
    id
    result
    wasCancelled
    groundTruth
    leadTime
    createdAt
    updatedAt
    completedBy { id displayName }
    reviewState
    reviewComment
    reviewedAt
  }
`);

graphql(`
  fragment DraftFields on Draft {
    id
    result
    updatedAt
  }
`);

graphql(`
  fragment TaskFields on Task {
    ...TaskRowFields
    annotations { ...AnnotationFields }
    predictions { id result score modelVersion createdAt }
    myDraft { ...DraftFields }
  }
`);

graphql(`
  fragment UserSummaryFields on User {
    id
    displayName
    active
  }
`);

graphql(`
  fragment WorkspaceFields on Workspace {
    id
    title
    createdAt
    projects { id title }
  }
`);

graphql(`
  fragment WebhookFields on Webhook {
    id
    projectId
    url
    events
    sendPayload
    active
    createdAt
  }
`);

graphql(`
  fragment WebhookDeliveriesFields on Webhook {
    id
    deliveries(first: 10) {
      edges {
        node { id event status attempts responseCode error createdAt nextAttemptAt finishedAt }
      }
    }
  }
`);

graphql(`
  fragment StorageSyncFields on StorageSync {
    id
    status
    total
    done
    message
    startedAt
    finishedAt
  }
`);

graphql(`
  fragment StorageFields on Storage {
    id
    direction
    kind
    title
    bucket
    prefix
    regexFilter
    useBlobUrls
    recursiveScan
    presign
    presignTtlMinutes
    canDeleteObjects
    region
    endpoint
    accountName
    gcsProjectId
    port
    db
    tls
    secretSet
    lastSync { ...StorageSyncFields }
  }
`);

// ---------------------------------------------------------------------------
// The names the app gives to schema types and to the shapes it reads.

export type {
  AuditFilter,
  CreateInviteInput,
  CreateProjectInput as ProjectInput,
  OrderDirection,
  ReviewState,
  Role,
  Sampling,
  TaskFilter,
  TaskOrder,
  TaskOrderField,
  UpdateStorageInput as StorageInput,
  WebhookEvent,
} from "./gql/graphql.ts";

/** The fields of the signed-in user the app keeps in memory. */
export type Viewer = types.ViewerFieldsFragment;
export type OrganizationSummary = types.OrganizationFieldsFragment;
/** The organizations the viewer belongs to, for switching between them. */
export type OrganizationChoice = types.CurrentOrganizationQuery["organizations"][number];
export type Invite = NonNullable<types.SignupPageQuery["invite"]>;
export type Session = types.SessionsQuery["sessions"][number];
/** An organization member; user.email only when asked for with isAdmin: true. */
export type Member = types.MembersQuery["members"]["edges"][number]["node"];
/** A role invite as listed; its link is shown only once, when it is created. */
export type RoleInvite = types.RoleInviteFieldsFragment;
export type AuditEvent = types.AuditEventsQuery["auditEvents"]["edges"][number]["node"];
export type Project = types.ProjectFieldsFragment;
/** A data manager row: a task with the summary columns read for the whole page. */
export type DataManagerRow = types.TasksQuery["tasks"]["edges"][number]["node"];
/** A task with everything the labeling page needs. */
export type Task = types.TaskFieldsFragment;
export type Annotation = types.AnnotationFieldsFragment;
export type Prediction = Task["predictions"][number];
/** One of the viewer's own annotations, with the task it belongs to. */
export type MyAnnotation = types.MyAnnotationsQuery["myAnnotations"]["edges"][number]["node"];
/** A user as other members see them. */
export type UserSummary = types.UserSummaryFieldsFragment;
export type Workspace = types.WorkspaceFieldsFragment;
export type Webhook = types.WebhookFieldsFragment;
export type WebhookDelivery = types.WebhookDeliveriesFieldsFragment["deliveries"]["edges"][number]["node"];
/** A project's storage; credentials are never read back (secretSet). */
export type StorageSummary = types.StorageFieldsFragment;

// ---------------------------------------------------------------------------
// Accounts and sessions (graph/account.graphqls)

export const ViewerQuery = graphql(`
  query Viewer {
    viewer { ...ViewerFields }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) { user { ...ViewerFields } }
  }
`);

export const SignupMutation = graphql(`
  mutation Signup($input: SignupInput!) {
    signup(input: $input) { user { ...ViewerFields } }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export const SignupOpenQuery = graphql(`
  query SignupOpen {
    signupOpen
  }
`);

/** SignupPageQuery reads what the signup page needs; `invite` is skipped without a token. */
export const SignupPageQuery = graphql(`
  query SignupPage($token: String!, $withInvite: Boolean!) {
    signupOpen
    invite(token: $token) @include(if: $withInvite) { organizationTitle setup role }
  }
`);

export const SessionsQuery = graphql(`
  query Sessions {
    sessions { id createdAt lastSeenAt userAgent clientAddress current }
  }
`);

export const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input)
  }
`);

export const ResetApiTokenMutation = graphql(`
  mutation ResetApiToken {
    resetApiToken { token }
  }
`);

// ---------------------------------------------------------------------------
// Organizations, members and invites (graph/organization.graphqls, graph/access.graphqls)

/** InviteLinkQuery may only be sent by owners and admins; others get FORBIDDEN. */
export const InviteLinkQuery = graphql(`
  query InviteLink {
    organization { id inviteUrl }
  }
`);

export const ResetInviteLinkMutation = graphql(`
  mutation ResetInviteLink {
    resetInviteLink { id inviteUrl }
  }
`);

/**
 * MembersQuery lists the active organization's members. Only owners and
 * admins may read other members' email, so it is asked for only with isAdmin.
 */
export const MembersQuery = graphql(`
  query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {
    members(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id
          role
          createdAt
          user { id displayName active email @include(if: $isAdmin) }
        }
      }
    }
  }
`);

/**
 * CurrentOrganizationQuery is what every signed-in page needs to know: the
 * active organization with the viewer's role there (which decides what the
 * app offers), and the viewer's other organizations.
 */
export const CurrentOrganizationQuery = graphql(`
  query CurrentOrganization {
    organization { ...OrganizationFields }
    organizations { id title }
  }
`);

export const CreateOrganizationMutation = graphql(`
  mutation CreateOrganization($title: String!) {
    createOrganization(title: $title) { id title }
  }
`);

export const SwitchOrganizationMutation = graphql(`
  mutation SwitchOrganization($id: ID!) {
    switchOrganization(id: $id) { id title }
  }
`);

export const UpdateMemberRoleMutation = graphql(`
  mutation UpdateMemberRole($userId: ID!, $role: Role!) {
    updateMemberRole(userId: $userId, role: $role) { id role }
  }
`);

/** RemoveMemberMutation takes a member out of the organization; with the viewer's own id it is "leave". */
export const RemoveMemberMutation = graphql(`
  mutation RemoveMember($userId: ID!) {
    removeMember(userId: $userId)
  }
`);

export const DeactivateUserMutation = graphql(`
  mutation DeactivateUser($userId: ID!) {
    deactivateUser(userId: $userId) { id active }
  }
`);

/** RoleInvitesQuery lists the role invites (owners and admins) and the projects an invite may lead to. */
export const RoleInvitesQuery = graphql(`
  query RoleInvites {
    roleInvites { ...RoleInviteFields }
    projects(first: 100) { edges { node { id title } } }
  }
`);

export const CreateInviteMutation = graphql(`
  mutation CreateInvite($input: CreateInviteInput!) {
    createInvite(input: $input) { url invite { ...RoleInviteFields } }
  }
`);

export const RevokeInviteMutation = graphql(`
  mutation RevokeInvite($id: ID!) {
    revokeInvite(id: $id) { ...RoleInviteFields }
  }
`);

// ---------------------------------------------------------------------------
// The audit log (graph/audit.graphqls)

/** AuditEventsQuery reads the audit log, newest first (owners and admins). */
export const AuditEventsQuery = graphql(`
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

// ---------------------------------------------------------------------------
// Projects, tasks and annotations (graph/project.graphqls, graph/bulk.graphqls, graph/draft.graphqls)

/** ProjectsQuery lists the organization's projects, newest first, with the viewer's role. */
export const ProjectsQuery = graphql(`
  query Projects($first: Int, $after: Cursor) {
    organization { id viewerRole }
    projects(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...ProjectSummaryFields } }
    }
  }
`);

/** ProjectQuery reads one project and the viewer's role, which decides what they may change. */
export const ProjectQuery = graphql(`
  query Project($id: ID!) {
    organization { id viewerRole }
    project(id: $id) { ...ProjectFields }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { ...ProjectFields }
  }
`);

export const UpdateProjectMutation = graphql(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) { ...ProjectFields }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($id: ID!) {
    deleteProject(id: $id)
  }
`);

/** The data manager's bulk actions: the given tasks, or all matching a filter. */
export const DeleteTasksMutation = graphql(`
  mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
    deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
  }
`);

export const DeleteAnnotationsMutation = graphql(`
  mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
    deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
  }
`);

export const ImportTasksFromUrlMutation = graphql(`
  mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {
    importTasksFromUrl(projectId: $projectId, url: $url) { taskCount }
  }
`);

/** TasksQuery is one page of the data manager. */
export const TasksQuery = graphql(`
  query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {
    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...TaskRowFields labels reviewStates predictionScore annotators @include(if: $withAnnotators) { id displayName } } }
    }
  }
`);

/**
 * WalkTasksQuery reads the ids of one page of the tasks a "Label selected"
 * walk goes through (all matching a filter, in the data manager's order);
 * the walk asks for the next page only once it gets there.
 */
export const WalkTasksQuery = graphql(`
  query WalkTasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {
    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id } }
    }
  }
`);

/** LabelTaskQuery reads a project and one of its tasks for the labeling page. */
export const LabelTaskQuery = graphql(`
  query LabelTask($projectId: ID!, $taskId: ID!) {
    project(id: $projectId) { ...ProjectFields }
    task(id: $taskId) { ...TaskFields project { id } }
  }
`);

/**
 * NextTaskQuery asks for the next task of the label stream. The server locks
 * the task for the viewer for a while, so it is sent only when the viewer is
 * ready to label it.
 */
export const NextTaskQuery = graphql(`
  query NextTask($projectId: ID!) {
    nextTask(projectId: $projectId) { ...TaskFields }
  }
`);

export const CreateAnnotationMutation = graphql(`
  mutation CreateAnnotation($input: CreateAnnotationInput!) {
    createAnnotation(input: $input) { ...AnnotationFields }
  }
`);

/** UpdateAnnotationMutation; input.confirmSkip: skipping throws away an annotation with results, which the server refuses without it. */
export const UpdateAnnotationMutation = graphql(`
  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {
    updateAnnotation(id: $id, input: $input) { ...AnnotationFields }
  }
`);

/** SaveDraftMutation saves the viewer's draft of a task, replacing the last one. */
export const SaveDraftMutation = graphql(`
  mutation SaveDraft($taskId: ID!, $result: JSON!) {
    saveDraft(taskId: $taskId, result: $result) { ...DraftFields }
  }
`);

/** ReviewAnnotationMutation accepts or rejects an annotation; a result fixes it as it is accepted. It sends the
 * annotation's updatedAt as shown, so an edit by its author since is refused rather than reviewed unseen. */
export const ReviewAnnotationMutation = graphql(`
  mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON, $updatedAt: Time) {
    reviewAnnotation(id: $id, accepted: $accepted, comment: $comment, result: $result, updatedAt: $updatedAt) {
      ...AnnotationFields
    }
  }
`);

/** NextReviewQuery is the review stream: the project's next annotation waiting for review, after the id after. */
export const NextReviewQuery = graphql(`
  query NextReview($projectId: ID!, $after: ID) {
    nextReview(projectId: $projectId, after: $after) {
      ...AnnotationFields
      task { ...TaskFields }
    }
  }
`);

/** What the label stream has left for the viewer; each count stops at 1000. */
export const LabelStreamStatusQuery = graphql(`
  query LabelStreamStatus($projectId: ID!) {
    labelStreamStatus(projectId: $projectId) { left lockedByOthers }
  }
`);

/** MyAnnotationsQuery lists the viewer's own annotations, newest first. */
export const MyAnnotationsQuery = graphql(`
  query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {
    myAnnotations(reviewState: $reviewState, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id
          wasCancelled
          createdAt
          updatedAt
          reviewState
          reviewComment
          reviewedAt
          task { id innerId project { id title } }
        }
      }
    }
  }
`);

// ---------------------------------------------------------------------------
// Project members and workspaces (graph/access.graphqls)

/** ProjectMembersQuery reads a project's direct members and the organization's members to add. */
export const ProjectMembersQuery = graphql(`
  query ProjectMembers($id: ID!) {
    project(id: $id) { id members { ...UserSummaryFields } }
    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }
  }
`);

export const AddProjectMemberMutation = graphql(`
  mutation AddProjectMember($projectId: ID!, $userId: ID!) {
    addProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }
  }
`);

export const RemoveProjectMemberMutation = graphql(`
  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {
    removeProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }
  }
`);

/** WorkspaceChoicesQuery lists the workspaces a project may be put in. */
export const WorkspaceChoicesQuery = graphql(`
  query WorkspaceChoices {
    workspaces { id title }
  }
`);

/** WorkspacesQuery reads the workspaces with their projects, and the members who may join them. */
export const WorkspacesQuery = graphql(`
  query Workspaces {
    workspaces { ...WorkspaceFields }
    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }
  }
`);

export const CreateWorkspaceMutation = graphql(`
  mutation CreateWorkspace($title: String!) {
    createWorkspace(title: $title) { ...WorkspaceFields }
  }
`);

export const AddWorkspaceMemberMutation = graphql(`
  mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {
    addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }
  }
`);

export const RemoveWorkspaceMemberMutation = graphql(`
  mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {
    removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }
  }
`);

// ---------------------------------------------------------------------------
// Webhooks (graph/webhook.graphqls)

/** ProjectWebhooksQuery lists a project's webhooks (managers and up). */
export const ProjectWebhooksQuery = graphql(`
  query ProjectWebhooks($id: ID!) {
    project(id: $id) { id webhooks { ...WebhookFields } }
  }
`);

/** OrganizationWebhooksQuery lists the organization's own webhooks (owners and admins). */
export const OrganizationWebhooksQuery = graphql(`
  query OrganizationWebhooks {
    organization { id webhooks { ...WebhookFields } }
  }
`);

/** The delivery logs (owners and admins): the newest ten of each webhook of a project or of the organization. */
export const ProjectDeliveriesQuery = graphql(`
  query ProjectDeliveries($id: ID!) {
    project(id: $id) { webhooks { ...WebhookDeliveriesFields } }
  }
`);

export const OrganizationDeliveriesQuery = graphql(`
  query OrganizationDeliveries {
    organization { webhooks { ...WebhookDeliveriesFields } }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { ...WebhookFields } }
  }
`);

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {
    updateWebhook(id: $id, input: $input) { ...WebhookFields }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

// ---------------------------------------------------------------------------
// Storages (graph/storage.graphqls)

/** ProjectStoragesQuery lists a project's storages with their latest syncs. */
export const ProjectStoragesQuery = graphql(`
  query ProjectStorages($id: ID!) {
    project(id: $id) { id storages { ...StorageFields } }
  }
`);

export const CreateStorageMutation = graphql(`
  mutation CreateStorage($input: CreateStorageInput!) {
    createStorage(input: $input) { ...StorageFields }
  }
`);

export const UpdateStorageMutation = graphql(`
  mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) {
    updateStorage(id: $id, input: $input) { ...StorageFields }
  }
`);

export const DeleteStorageMutation = graphql(`
  mutation DeleteStorage($id: ID!) {
    deleteStorage(id: $id)
  }
`);

export const CheckStorageMutation = graphql(`
  mutation CheckStorage($id: ID!) {
    checkStorage(id: $id) { ok message }
  }
`);

export const SyncStorageMutation = graphql(`
  mutation SyncStorage($id: ID!) {
    syncStorage(id: $id) { ...StorageSyncFields }
  }
`);
