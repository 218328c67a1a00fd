/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Filters of the audit log; all given must hold. */
export type AuditFilter = {
  /** Exact action, or a prefix ending in a dot (login.). */
  action?: string | null | undefined;
  actorId?: string | null | undefined;
  since?: string | null | undefined;
  targetId?: string | null | undefined;
  targetType?: string | null | undefined;
  until?: string | null | undefined;
};

export type AzureSettings = {
  accountKey?: string | null | undefined;
  accountName: string;
  container: string;
  endpoint?: string | null | undefined;
};

export type ChangePasswordInput = {
  currentPassword: string;
  newPassword: string;
};

export type CreateAnnotationInput = {
  /** Seconds spent labelling. */
  leadTime?: number | null | undefined;
  /** A Label Studio result: a list of regions. */
  result: import('../api.ts').JsonValue;
  taskId: string;
  /** True to skip the task (Label Studio's cancelled annotation). */
  wasCancelled?: boolean | null | undefined;
};

export type CreateInviteInput = {
  /** 1 to 8760 hours; no value means the link does not expire. */
  expiresInHours?: number | null | undefined;
  /**
   * How many people the link admits, 1 to 1000. No value means one person for owner and admin invites, and any
   * number (until it expires or is revoked) for manager, reviewer and annotator invites.
   */
  maxUses?: number | null | undefined;
  /** The project the new member joins. */
  projectId?: string | null | undefined;
  role: Role;
};

export type CreateProjectInput = {
  description?: string | null | undefined;
  instructions?: string | null | undefined;
  /** A Label Studio labeling configuration. */
  labelConfig: string;
  /** 1 to 100; default 1. */
  overlap?: number | null | undefined;
  sampling?: Sampling | null | undefined;
  showSkip?: boolean | null | undefined;
  /** 1 to 200 characters. */
  title: string;
};

/** A new storage; give the settings of its kind and no others. */
export type CreateStorageInput = {
  azure?: AzureSettings | null | undefined;
  canDeleteObjects?: boolean | null | undefined;
  description?: string | null | undefined;
  direction: StorageDirection;
  gcs?: GcsSettings | null | undefined;
  kind: StorageKind;
  local?: LocalSettings | null | undefined;
  prefix?: string | null | undefined;
  presign?: boolean | null | undefined;
  /** 1 to 10080 (a week); 15 when not given. */
  presignTtlMinutes?: number | null | undefined;
  projectId: string;
  recursiveScan?: boolean | null | undefined;
  redis?: RedisSettings | null | undefined;
  regexFilter?: string | null | undefined;
  s3?: S3Settings | null | undefined;
  title?: string | null | undefined;
  useBlobUrls?: boolean | null | undefined;
};

export type CreateWebhookInput = {
  /** Default true. */
  active?: boolean | null | undefined;
  /** At least one event, unless sendForAllActions is true. */
  events?: Array<WebhookEvent> | null | undefined;
  /**
   * Headers the requests carry besides Gloss's own, such as the receiver's Authorization (Label Studio's
   * webhook headers): at most 10, kept sealed. Headers that frame the request (Host, Content-Type, ...) and
   * X-Gloss-* cannot be set.
   */
  headers?: Array<WebhookHeaderInput> | null | undefined;
  /** The project whose events are sent; no value means every project of the organization (owners and admins). */
  projectId?: string | null | undefined;
  /** Label Studio's send_for_all_actions: true stands for every event (then give no events). */
  sendForAllActions?: boolean | null | undefined;
  /** Default true. */
  sendPayload?: boolean | null | undefined;
  /** An http or https URL; private addresses only if the operator lists them in GLOSS_OUTBOUND_ALLOW. */
  url: string;
};

/** A data manager filter on one key of the tasks' data. */
export type DataFilter = {
  /** The value, as text, contains this (case-insensitive); 1 to 200 characters. */
  contains?: string | null | undefined;
  /** The key is missing, null or empty (true), or holds a value (false). */
  empty?: boolean | null | undefined;
  /** The data key (as imported; 1 to 200 characters, without quotes or backslashes). */
  key: string;
};

export type GcsSettings = {
  bucket: string;
  credentialsJson?: string | null | undefined;
  endpoint?: string | null | undefined;
  projectId?: string | null | undefined;
};

export type LocalSettings = {
  /** A folder inside LOCAL_FILES_DOCUMENT_ROOT, absolute or relative to it. */
  path: string;
};

export type LoginInput = {
  email: string;
  password: string;
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

export type RedisSettings = {
  db?: number | null | undefined;
  host: string;
  password?: string | null | undefined;
  port?: number | null | undefined;
  tls?: boolean | null | undefined;
};

/** Where an annotation is in review. */
export type ReviewState =
  | 'ACCEPTED'
  | 'PENDING'
  | 'REJECTED';

/** The role a member has in an organization. */
export type Role =
  | 'ADMIN'
  | 'ANNOTATOR'
  | 'MANAGER'
  | 'OWNER'
  | 'REVIEWER';

export type S3Settings = {
  accessKeyId?: string | null | undefined;
  bucket: string;
  /** An S3-compatible endpoint (MinIO and the like), addressed path-style; its host must be public or in GLOSS_OUTBOUND_ALLOW. */
  endpoint?: string | null | undefined;
  region?: string | null | undefined;
  secretAccessKey?: string | null | undefined;
  sessionToken?: string | null | undefined;
};

/** How the label stream picks the next task. */
export type Sampling =
  | 'RANDOM'
  | 'SEQUENTIAL';

export type SignupInput = {
  email: string;
  /** The token from an invite link (`/signup?invite=<token>`). */
  inviteToken?: string | null | undefined;
  /** 8 to 128 characters, not one of the most common passwords. */
  password: string;
};

/** IMPORT storages ("source") make tasks from their objects; EXPORT storages ("target") receive annotations. */
export type StorageDirection =
  | 'EXPORT'
  | 'IMPORT';

export type StorageKind =
  | 'AZURE'
  | 'GCS'
  | 'LOCAL'
  | 'REDIS'
  | 'S3';

export type SyncStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING';

/** Filters of the data manager; all given must hold. */
export type TaskFilter = {
  /** Tasks with at most this many annotations that were not skipped. */
  annotationsMax?: number | null | undefined;
  /** Tasks with at least this many annotations that were not skipped. */
  annotationsMin?: number | null | undefined;
  /** Annotated by this user. */
  annotator?: string | null | undefined;
  /** Tasks created at or after this moment. */
  createdAfter?: string | null | undefined;
  /** Tasks created before this moment. */
  createdBefore?: string | null | undefined;
  /**
   * Tasks whose data keys match: one entry per column, all must hold (at most 10). Any key of the
   * imported data may be named, whether the config uses it or not.
   */
  data?: Array<DataFilter> | null | undefined;
  /**
   * Tasks with an annotation the viewer may see that holds this label (a choice, a label of any kind, or a
   * text), matched exactly; 1 to 200 characters.
   */
  label?: string | null | undefined;
  /** Labeled: at least `overlap` annotations that were not skipped. */
  labeled?: boolean | null | undefined;
  /** Tasks with a prediction scored at most this. */
  predictionScoreMax?: number | null | undefined;
  /** Tasks with a prediction scored at least this. */
  predictionScoreMin?: number | null | undefined;
  /** Tasks with an annotation in this review state. */
  reviewState?: ReviewState | null | undefined;
  /** Tasks whose data contains this text (case-insensitive); 1 to 200 characters. */
  search?: string | null | undefined;
  /** Skipped: at least one skipped (cancelled) annotation. */
  skipped?: boolean | null | undefined;
};

export type TaskOrder = {
  direction: OrderDirection;
  field: TaskOrderField;
};

export type TaskOrderField =
  | 'ANNOTATION_COUNT'
  | 'CREATED_AT'
  | 'ID'
  | 'UPDATED_AT';

export type UpdateAnnotationInput = {
  /**
   * True to skip (wasCancelled: true) a task whose annotation has results: the skip throws them away, so it is
   * refused without this.
   */
  confirmSkip?: boolean | null | undefined;
  leadTime?: number | null | undefined;
  result?: import('../api.ts').JsonValue | null | undefined;
  wasCancelled?: boolean | null | undefined;
};

export type UpdateProjectInput = {
  annotatorsSeeOthers?: boolean | null | undefined;
  description?: string | null | undefined;
  instructions?: string | null | undefined;
  labelConfig?: string | null | undefined;
  overlap?: number | null | undefined;
  revealAnnotators?: boolean | null | undefined;
  sampling?: Sampling | null | undefined;
  showSkip?: boolean | null | undefined;
  title?: string | null | undefined;
  /** The workspace the project belongs to; 0 takes it out of its workspace. */
  workspaceId?: string | null | undefined;
};

/** Changes to a storage; its direction and kind stay. Secret fields left out keep their stored values. */
export type UpdateStorageInput = {
  azure?: AzureSettings | null | undefined;
  canDeleteObjects?: boolean | null | undefined;
  description?: string | null | undefined;
  gcs?: GcsSettings | null | undefined;
  local?: LocalSettings | null | undefined;
  prefix?: string | null | undefined;
  presign?: boolean | null | undefined;
  presignTtlMinutes?: number | null | undefined;
  recursiveScan?: boolean | null | undefined;
  redis?: RedisSettings | null | undefined;
  regexFilter?: string | null | undefined;
  s3?: S3Settings | null | undefined;
  title?: string | null | undefined;
  useBlobUrls?: boolean | null | undefined;
};

export type UpdateWebhookInput = {
  active?: boolean | null | undefined;
  events?: Array<WebhookEvent> | null | undefined;
  /** Replaces the headers; an empty list removes them. */
  headers?: Array<WebhookHeaderInput> | null | undefined;
  sendForAllActions?: boolean | null | undefined;
  sendPayload?: boolean | null | undefined;
  /** A new URL drops the headers unless headers are given in the same change: they were chosen for the old one. */
  url?: string | null | undefined;
};

/** Where one event to one webhook is. */
export type WebhookDeliveryStatus =
  | 'DELIVERED'
  /** Every attempt failed; no more are made. */
  | 'FAILED'
  /** Waiting for its first or next attempt. */
  | 'PENDING';

/** Label Studio's webhook events. */
export type WebhookEvent =
  | 'ANNOTATIONS_CREATED'
  | 'ANNOTATIONS_DELETED'
  | 'ANNOTATION_CREATED'
  | 'ANNOTATION_UPDATED'
  | 'PROJECT_CREATED'
  | 'PROJECT_DELETED'
  | 'PROJECT_UPDATED'
  | 'TASKS_CREATED'
  | 'TASKS_DELETED';

export type WebhookHeaderInput = {
  name: string;
  value: string;
};

export type ViewerFieldsFragment = { id: string, email: string | null, displayName: string, createdAt: string };

export type OrganizationFieldsFragment = { id: string, title: string, createdAt: string, viewerRole: Role };

export type RoleInviteFieldsFragment = { id: string, role: Role, projectId: string | null, expiresAt: string | null, revoked: boolean, createdAt: string, useCount: number, maxUses: number | null, createdBy: { id: string, displayName: string } | null };

export type ProjectSummaryFieldsFragment = { id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string };

export type ProjectFieldsFragment = { instructions: string, labelConfig: string, overlap: number, showSkip: boolean, sampling: Sampling, updatedAt: string, dataKeys: Array<string>, annotatorsSeeOthers: boolean, revealAnnotators: boolean, id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string, exportFormats: Array<{ name: string, fits: boolean, reason: string | null, zip: boolean }>, workspace: { id: string, title: string } | null };

export type TaskRowFieldsFragment = { id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string };

export type AnnotationFieldsFragment = { id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null };

export type DraftFieldsFragment = { id: string, result: import('../api.ts').JsonValue, updatedAt: string };

export type TaskFieldsFragment = { id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string, annotations: Array<{ id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null }>, predictions: Array<{ id: string, result: import('../api.ts').JsonValue, score: number | null, modelVersion: string, createdAt: string }>, myDraft: { id: string, result: import('../api.ts').JsonValue, updatedAt: string } | null };

export type UserSummaryFieldsFragment = { id: string, displayName: string, active: boolean };

export type WorkspaceFieldsFragment = { id: string, title: string, createdAt: string, projects: Array<{ id: string, title: string }> };

export type WebhookFieldsFragment = { id: string, projectId: string | null, url: string, events: Array<WebhookEvent>, sendPayload: boolean, active: boolean, createdAt: string };

export type WebhookDeliveriesFieldsFragment = { id: string, deliveries: { edges: Array<{ node: { id: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, responseCode: number | null, error: string, createdAt: string, nextAttemptAt: string | null, finishedAt: string | null } }> } };

export type StorageSyncFieldsFragment = { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null };

export type StorageFieldsFragment = { id: string, direction: StorageDirection, kind: StorageKind, title: string, bucket: string, prefix: string, regexFilter: string, useBlobUrls: boolean, recursiveScan: boolean, presign: boolean, presignTtlMinutes: number, canDeleteObjects: boolean, region: string | null, endpoint: string | null, accountName: string | null, gcsProjectId: string | null, port: number | null, db: number | null, tls: boolean | null, secretSet: boolean, lastSync: { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null } | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, email: string | null, displayName: string, createdAt: string } | null };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { user: { id: string, email: string | null, displayName: string, createdAt: string } } };

export type SignupMutationVariables = Exact<{
  input: SignupInput;
}>;


export type SignupMutation = { signup: { user: { id: string, email: string | null, displayName: string, createdAt: string } } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type SignupOpenQueryVariables = Exact<{ [key: string]: never; }>;


export type SignupOpenQuery = { signupOpen: boolean };

export type SignupPageQueryVariables = Exact<{
  token: string;
  withInvite: boolean;
}>;


export type SignupPageQuery = { signupOpen: boolean, invite?: { organizationTitle: string, setup: boolean, role: Role } | null };

export type SessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type SessionsQuery = { sessions: Array<{ id: string, createdAt: string, lastSeenAt: string, userAgent: string, clientAddress: string, current: boolean }> };

export type RevokeSessionMutationVariables = Exact<{
  id: string;
}>;


export type RevokeSessionMutation = { revokeSession: string };

export type ChangePasswordMutationVariables = Exact<{
  input: ChangePasswordInput;
}>;


export type ChangePasswordMutation = { changePassword: boolean };

export type ResetApiTokenMutationVariables = Exact<{ [key: string]: never; }>;


export type ResetApiTokenMutation = { resetApiToken: { token: string } };

export type InviteLinkQueryVariables = Exact<{ [key: string]: never; }>;


export type InviteLinkQuery = { organization: { id: string, inviteUrl: string | null } | null };

export type ResetInviteLinkMutationVariables = Exact<{ [key: string]: never; }>;


export type ResetInviteLinkMutation = { resetInviteLink: { id: string, inviteUrl: string | null } };

export type MembersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  isAdmin: boolean;
}>;


export type MembersQuery = { members: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, role: Role, createdAt: string, user: { id: string, displayName: string, active: boolean, email?: string | null } } }> } };

export type CurrentOrganizationQueryVariables = Exact<{ [key: string]: never; }>;


export type CurrentOrganizationQuery = { organization: { id: string, title: string, createdAt: string, viewerRole: Role } | null, organizations: Array<{ id: string, title: string }> };

export type CreateOrganizationMutationVariables = Exact<{
  title: string;
}>;


export type CreateOrganizationMutation = { createOrganization: { id: string, title: string } };

export type SwitchOrganizationMutationVariables = Exact<{
  id: string;
}>;


export type SwitchOrganizationMutation = { switchOrganization: { id: string, title: string } };

export type UpdateMemberRoleMutationVariables = Exact<{
  userId: string;
  role: Role;
}>;


export type UpdateMemberRoleMutation = { updateMemberRole: { id: string, role: Role } };

export type RemoveMemberMutationVariables = Exact<{
  userId: string;
}>;


export type RemoveMemberMutation = { removeMember: string };

export type DeactivateUserMutationVariables = Exact<{
  userId: string;
}>;


export type DeactivateUserMutation = { deactivateUser: { id: string, active: boolean } };

export type RoleInvitesQueryVariables = Exact<{ [key: string]: never; }>;


export type RoleInvitesQuery = { roleInvites: Array<{ id: string, role: Role, projectId: string | null, expiresAt: string | null, revoked: boolean, createdAt: string, useCount: number, maxUses: number | null, createdBy: { id: string, displayName: string } | null }>, projects: { edges: Array<{ node: { id: string, title: string } }> } };

export type CreateInviteMutationVariables = Exact<{
  input: CreateInviteInput;
}>;


export type CreateInviteMutation = { createInvite: { url: string, invite: { id: string, role: Role, projectId: string | null, expiresAt: string | null, revoked: boolean, createdAt: string, useCount: number, maxUses: number | null, createdBy: { id: string, displayName: string } | null } } };

export type RevokeInviteMutationVariables = Exact<{
  id: string;
}>;


export type RevokeInviteMutation = { revokeInvite: { id: string, role: Role, projectId: string | null, expiresAt: string | null, revoked: boolean, createdAt: string, useCount: number, maxUses: number | null, createdBy: { id: string, displayName: string } | null } };

export type AuditEventsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: AuditFilter | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, createdAt: string, actorId: string | null, action: string, targetType: string, targetId: string, clientAddress: string, userAgent: string, requestId: string, details: import('../api.ts').JsonValue | null } }> } };

export type ProjectsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProjectsQuery = { organization: { id: string, viewerRole: Role } | null, projects: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string } }> } };

export type ProjectQueryVariables = Exact<{
  id: string;
}>;


export type ProjectQuery = { organization: { id: string, viewerRole: Role } | null, project: { instructions: string, labelConfig: string, overlap: number, showSkip: boolean, sampling: Sampling, updatedAt: string, dataKeys: Array<string>, annotatorsSeeOthers: boolean, revealAnnotators: boolean, id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string, exportFormats: Array<{ name: string, fits: boolean, reason: string | null, zip: boolean }>, workspace: { id: string, title: string } | null } | null };

export type CreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectMutation = { createProject: { instructions: string, labelConfig: string, overlap: number, showSkip: boolean, sampling: Sampling, updatedAt: string, dataKeys: Array<string>, annotatorsSeeOthers: boolean, revealAnnotators: boolean, id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string, exportFormats: Array<{ name: string, fits: boolean, reason: string | null, zip: boolean }>, workspace: { id: string, title: string } | null } };

export type UpdateProjectMutationVariables = Exact<{
  id: string;
  input: UpdateProjectInput;
}>;


export type UpdateProjectMutation = { updateProject: { instructions: string, labelConfig: string, overlap: number, showSkip: boolean, sampling: Sampling, updatedAt: string, dataKeys: Array<string>, annotatorsSeeOthers: boolean, revealAnnotators: boolean, id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string, exportFormats: Array<{ name: string, fits: boolean, reason: string | null, zip: boolean }>, workspace: { id: string, title: string } | null } };

export type DeleteProjectMutationVariables = Exact<{
  id: string;
}>;


export type DeleteProjectMutation = { deleteProject: string };

export type DeleteTasksMutationVariables = Exact<{
  projectId: string;
  ids?: Array<string> | string | null | undefined;
  all?: boolean | null | undefined;
  filter?: TaskFilter | null | undefined;
}>;


export type DeleteTasksMutation = { deleteTasks: number };

export type DeleteAnnotationsMutationVariables = Exact<{
  projectId: string;
  ids?: Array<string> | string | null | undefined;
  all?: boolean | null | undefined;
  filter?: TaskFilter | null | undefined;
}>;


export type DeleteAnnotationsMutation = { deleteAnnotations: number };

export type ImportTasksFromUrlMutationVariables = Exact<{
  projectId: string;
  url: string;
}>;


export type ImportTasksFromUrlMutation = { importTasksFromUrl: { taskCount: number } };

export type TasksQueryVariables = Exact<{
  projectId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
  orderBy?: TaskOrder | null | undefined;
  withAnnotators?: boolean | null | undefined;
}>;


export type TasksQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { labels: Array<string>, reviewStates: Array<ReviewState>, predictionScore: number | null, id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string, annotators?: Array<{ id: string, displayName: string }> } }> } };

export type WalkTasksQueryVariables = Exact<{
  projectId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TaskFilter | null | undefined;
  orderBy?: TaskOrder | null | undefined;
}>;


export type WalkTasksQuery = { tasks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string } }> } };

export type LabelTaskQueryVariables = Exact<{
  projectId: string;
  taskId: string;
}>;


export type LabelTaskQuery = { project: { instructions: string, labelConfig: string, overlap: number, showSkip: boolean, sampling: Sampling, updatedAt: string, dataKeys: Array<string>, annotatorsSeeOthers: boolean, revealAnnotators: boolean, id: string, title: string, description: string, taskCount: number, labeledCount: number, createdAt: string, exportFormats: Array<{ name: string, fits: boolean, reason: string | null, zip: boolean }>, workspace: { id: string, title: string } | null } | null, task: { id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string, project: { id: string }, annotations: Array<{ id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null }>, predictions: Array<{ id: string, result: import('../api.ts').JsonValue, score: number | null, modelVersion: string, createdAt: string }>, myDraft: { id: string, result: import('../api.ts').JsonValue, updatedAt: string } | null } | null };

export type NextTaskQueryVariables = Exact<{
  projectId: string;
}>;


export type NextTaskQuery = { nextTask: { id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string, annotations: Array<{ id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null }>, predictions: Array<{ id: string, result: import('../api.ts').JsonValue, score: number | null, modelVersion: string, createdAt: string }>, myDraft: { id: string, result: import('../api.ts').JsonValue, updatedAt: string } | null } | null };

export type CreateAnnotationMutationVariables = Exact<{
  input: CreateAnnotationInput;
}>;


export type CreateAnnotationMutation = { createAnnotation: { id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null } };

export type UpdateAnnotationMutationVariables = Exact<{
  id: string;
  input: UpdateAnnotationInput;
}>;


export type UpdateAnnotationMutation = { updateAnnotation: { id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null } };

export type SaveDraftMutationVariables = Exact<{
  taskId: string;
  result: import('../api.ts').JsonValue;
}>;


export type SaveDraftMutation = { saveDraft: { id: string, result: import('../api.ts').JsonValue, updatedAt: string } };

export type ReviewAnnotationMutationVariables = Exact<{
  id: string;
  accepted: boolean;
  comment?: string | null | undefined;
  result?: import('../api.ts').JsonValue | null | undefined;
  updatedAt?: string | null | undefined;
}>;


export type ReviewAnnotationMutation = { reviewAnnotation: { id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null } };

export type NextReviewQueryVariables = Exact<{
  projectId: string;
  after?: string | null | undefined;
}>;


export type NextReviewQuery = { nextReview: { id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, task: { id: string, innerId: number, data: import('../api.ts').JsonValue, totalAnnotations: number, cancelledAnnotations: number, createdAt: string, updatedAt: string, annotations: Array<{ id: string, result: import('../api.ts').JsonValue, wasCancelled: boolean, groundTruth: boolean, leadTime: number, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, completedBy: { id: string, displayName: string } | null }>, predictions: Array<{ id: string, result: import('../api.ts').JsonValue, score: number | null, modelVersion: string, createdAt: string }>, myDraft: { id: string, result: import('../api.ts').JsonValue, updatedAt: string } | null }, completedBy: { id: string, displayName: string } | null } | null };

export type LabelStreamStatusQueryVariables = Exact<{
  projectId: string;
}>;


export type LabelStreamStatusQuery = { labelStreamStatus: { left: number, lockedByOthers: number } };

export type MyAnnotationsQueryVariables = Exact<{
  reviewState?: ReviewState | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyAnnotationsQuery = { myAnnotations: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, wasCancelled: boolean, createdAt: string, updatedAt: string, reviewState: ReviewState, reviewComment: string, reviewedAt: string | null, task: { id: string, innerId: number, project: { id: string, title: string } } } }> } };

export type ProjectMembersQueryVariables = Exact<{
  id: string;
}>;


export type ProjectMembersQuery = { project: { id: string, members: Array<{ id: string, displayName: string, active: boolean }> } | null, members: { totalCount: number, edges: Array<{ node: { id: string, role: Role, user: { id: string, displayName: string, active: boolean } } }> } };

export type AddProjectMemberMutationVariables = Exact<{
  projectId: string;
  userId: string;
}>;


export type AddProjectMemberMutation = { addProjectMember: { id: string, members: Array<{ id: string, displayName: string, active: boolean }> } };

export type RemoveProjectMemberMutationVariables = Exact<{
  projectId: string;
  userId: string;
}>;


export type RemoveProjectMemberMutation = { removeProjectMember: { id: string, members: Array<{ id: string, displayName: string, active: boolean }> } };

export type WorkspaceChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkspaceChoicesQuery = { workspaces: Array<{ id: string, title: string }> };

export type WorkspacesQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkspacesQuery = { workspaces: Array<{ id: string, title: string, createdAt: string, projects: Array<{ id: string, title: string }> }>, members: { totalCount: number, edges: Array<{ node: { id: string, role: Role, user: { id: string, displayName: string, active: boolean } } }> } };

export type CreateWorkspaceMutationVariables = Exact<{
  title: string;
}>;


export type CreateWorkspaceMutation = { createWorkspace: { id: string, title: string, createdAt: string, projects: Array<{ id: string, title: string }> } };

export type AddWorkspaceMemberMutationVariables = Exact<{
  workspaceId: string;
  userId: string;
}>;


export type AddWorkspaceMemberMutation = { addWorkspaceMember: { id: string, title: string, createdAt: string, projects: Array<{ id: string, title: string }> } };

export type RemoveWorkspaceMemberMutationVariables = Exact<{
  workspaceId: string;
  userId: string;
}>;


export type RemoveWorkspaceMemberMutation = { removeWorkspaceMember: { id: string, title: string, createdAt: string, projects: Array<{ id: string, title: string }> } };

export type ProjectWebhooksQueryVariables = Exact<{
  id: string;
}>;


export type ProjectWebhooksQuery = { project: { id: string, webhooks: Array<{ id: string, projectId: string | null, url: string, events: Array<WebhookEvent>, sendPayload: boolean, active: boolean, createdAt: string }> } | null };

export type OrganizationWebhooksQueryVariables = Exact<{ [key: string]: never; }>;


export type OrganizationWebhooksQuery = { organization: { id: string, webhooks: Array<{ id: string, projectId: string | null, url: string, events: Array<WebhookEvent>, sendPayload: boolean, active: boolean, createdAt: string }> } | null };

export type ProjectDeliveriesQueryVariables = Exact<{
  id: string;
}>;


export type ProjectDeliveriesQuery = { project: { webhooks: Array<{ id: string, deliveries: { edges: Array<{ node: { id: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, responseCode: number | null, error: string, createdAt: string, nextAttemptAt: string | null, finishedAt: string | null } }> } }> } | null };

export type OrganizationDeliveriesQueryVariables = Exact<{ [key: string]: never; }>;


export type OrganizationDeliveriesQuery = { organization: { webhooks: Array<{ id: string, deliveries: { edges: Array<{ node: { id: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, responseCode: number | null, error: string, createdAt: string, nextAttemptAt: string | null, finishedAt: string | null } }> } }> } | null };

export type CreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook: { secret: string, webhook: { id: string, projectId: string | null, url: string, events: Array<WebhookEvent>, sendPayload: boolean, active: boolean, createdAt: string } } };

export type UpdateWebhookMutationVariables = Exact<{
  id: string;
  input: UpdateWebhookInput;
}>;


export type UpdateWebhookMutation = { updateWebhook: { id: string, projectId: string | null, url: string, events: Array<WebhookEvent>, sendPayload: boolean, active: boolean, createdAt: string } };

export type DeleteWebhookMutationVariables = Exact<{
  id: string;
}>;


export type DeleteWebhookMutation = { deleteWebhook: string };

export type ProjectStoragesQueryVariables = Exact<{
  id: string;
}>;


export type ProjectStoragesQuery = { project: { id: string, storages: Array<{ id: string, direction: StorageDirection, kind: StorageKind, title: string, bucket: string, prefix: string, regexFilter: string, useBlobUrls: boolean, recursiveScan: boolean, presign: boolean, presignTtlMinutes: number, canDeleteObjects: boolean, region: string | null, endpoint: string | null, accountName: string | null, gcsProjectId: string | null, port: number | null, db: number | null, tls: boolean | null, secretSet: boolean, lastSync: { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null } | null }> } | null };

export type CreateStorageMutationVariables = Exact<{
  input: CreateStorageInput;
}>;


export type CreateStorageMutation = { createStorage: { id: string, direction: StorageDirection, kind: StorageKind, title: string, bucket: string, prefix: string, regexFilter: string, useBlobUrls: boolean, recursiveScan: boolean, presign: boolean, presignTtlMinutes: number, canDeleteObjects: boolean, region: string | null, endpoint: string | null, accountName: string | null, gcsProjectId: string | null, port: number | null, db: number | null, tls: boolean | null, secretSet: boolean, lastSync: { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null } | null } };

export type UpdateStorageMutationVariables = Exact<{
  id: string;
  input: UpdateStorageInput;
}>;


export type UpdateStorageMutation = { updateStorage: { id: string, direction: StorageDirection, kind: StorageKind, title: string, bucket: string, prefix: string, regexFilter: string, useBlobUrls: boolean, recursiveScan: boolean, presign: boolean, presignTtlMinutes: number, canDeleteObjects: boolean, region: string | null, endpoint: string | null, accountName: string | null, gcsProjectId: string | null, port: number | null, db: number | null, tls: boolean | null, secretSet: boolean, lastSync: { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null } | null } };

export type DeleteStorageMutationVariables = Exact<{
  id: string;
}>;


export type DeleteStorageMutation = { deleteStorage: string };

export type CheckStorageMutationVariables = Exact<{
  id: string;
}>;


export type CheckStorageMutation = { checkStorage: { ok: boolean, message: string | null } };

export type SyncStorageMutationVariables = Exact<{
  id: string;
}>;


export type SyncStorageMutation = { syncStorage: { id: string, status: SyncStatus, total: number | null, done: number, message: string | null, startedAt: string, finishedAt: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ViewerFieldsFragmentDoc = new TypedDocumentString(`
    fragment ViewerFields on User {
  id
  email
  displayName
  createdAt
}
    `, {"fragmentName":"ViewerFields"}) as unknown as TypedDocumentString<ViewerFieldsFragment, unknown>;
export const OrganizationFieldsFragmentDoc = new TypedDocumentString(`
    fragment OrganizationFields on Organization {
  id
  title
  createdAt
  viewerRole
}
    `, {"fragmentName":"OrganizationFields"}) as unknown as TypedDocumentString<OrganizationFieldsFragment, unknown>;
export const RoleInviteFieldsFragmentDoc = new TypedDocumentString(`
    fragment RoleInviteFields on RoleInvite {
  id
  role
  projectId
  expiresAt
  revoked
  createdAt
  createdBy {
    id
    displayName
  }
  useCount
  maxUses
}
    `, {"fragmentName":"RoleInviteFields"}) as unknown as TypedDocumentString<RoleInviteFieldsFragment, unknown>;
export const ProjectSummaryFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}
    `, {"fragmentName":"ProjectSummaryFields"}) as unknown as TypedDocumentString<ProjectSummaryFieldsFragment, unknown>;
export const ProjectFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProjectFields on Project {
  ...ProjectSummaryFields
  instructions
  labelConfig
  overlap
  showSkip
  sampling
  updatedAt
  dataKeys
  exportFormats {
    name
    fits
    reason
    zip
  }
  annotatorsSeeOthers
  revealAnnotators
  workspace {
    id
    title
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}`, {"fragmentName":"ProjectFields"}) as unknown as TypedDocumentString<ProjectFieldsFragment, unknown>;
export const TaskRowFieldsFragmentDoc = new TypedDocumentString(`
    fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}
    `, {"fragmentName":"TaskRowFields"}) as unknown as TypedDocumentString<TaskRowFieldsFragment, unknown>;
export const AnnotationFieldsFragmentDoc = new TypedDocumentString(`
    fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}
    `, {"fragmentName":"AnnotationFields"}) as unknown as TypedDocumentString<AnnotationFieldsFragment, unknown>;
export const DraftFieldsFragmentDoc = new TypedDocumentString(`
    fragment DraftFields on Draft {
  id
  result
  updatedAt
}
    `, {"fragmentName":"DraftFields"}) as unknown as TypedDocumentString<DraftFieldsFragment, unknown>;
export const TaskFieldsFragmentDoc = new TypedDocumentString(`
    fragment TaskFields on Task {
  ...TaskRowFields
  annotations {
    ...AnnotationFields
  }
  predictions {
    id
    result
    score
    modelVersion
    createdAt
  }
  myDraft {
    ...DraftFields
  }
}
    fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}
fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}
fragment DraftFields on Draft {
  id
  result
  updatedAt
}`, {"fragmentName":"TaskFields"}) as unknown as TypedDocumentString<TaskFieldsFragment, unknown>;
export const UserSummaryFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserSummaryFields on User {
  id
  displayName
  active
}
    `, {"fragmentName":"UserSummaryFields"}) as unknown as TypedDocumentString<UserSummaryFieldsFragment, unknown>;
export const WorkspaceFieldsFragmentDoc = new TypedDocumentString(`
    fragment WorkspaceFields on Workspace {
  id
  title
  createdAt
  projects {
    id
    title
  }
}
    `, {"fragmentName":"WorkspaceFields"}) as unknown as TypedDocumentString<WorkspaceFieldsFragment, unknown>;
export const WebhookFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookFields on Webhook {
  id
  projectId
  url
  events
  sendPayload
  active
  createdAt
}
    `, {"fragmentName":"WebhookFields"}) as unknown as TypedDocumentString<WebhookFieldsFragment, unknown>;
export const WebhookDeliveriesFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookDeliveriesFields on Webhook {
  id
  deliveries(first: 10) {
    edges {
      node {
        id
        event
        status
        attempts
        responseCode
        error
        createdAt
        nextAttemptAt
        finishedAt
      }
    }
  }
}
    `, {"fragmentName":"WebhookDeliveriesFields"}) as unknown as TypedDocumentString<WebhookDeliveriesFieldsFragment, unknown>;
export const StorageSyncFieldsFragmentDoc = new TypedDocumentString(`
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}
    `, {"fragmentName":"StorageSyncFields"}) as unknown as TypedDocumentString<StorageSyncFieldsFragment, unknown>;
export const StorageFieldsFragmentDoc = new TypedDocumentString(`
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
  lastSync {
    ...StorageSyncFields
  }
}
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}`, {"fragmentName":"StorageFields"}) as unknown as TypedDocumentString<StorageFieldsFragment, unknown>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    ...ViewerFields
  }
}
    fragment ViewerFields on User {
  id
  email
  displayName
  createdAt
}`) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($input: LoginInput!) {
  login(input: $input) {
    user {
      ...ViewerFields
    }
  }
}
    fragment ViewerFields on User {
  id
  email
  displayName
  createdAt
}`) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const SignupDocument = new TypedDocumentString(`
    mutation Signup($input: SignupInput!) {
  signup(input: $input) {
    user {
      ...ViewerFields
    }
  }
}
    fragment ViewerFields on User {
  id
  email
  displayName
  createdAt
}`) as unknown as TypedDocumentString<SignupMutation, SignupMutationVariables>;
export const LogoutDocument = new TypedDocumentString(`
    mutation Logout {
  logout
}
    `) as unknown as TypedDocumentString<LogoutMutation, LogoutMutationVariables>;
export const SignupOpenDocument = new TypedDocumentString(`
    query SignupOpen {
  signupOpen
}
    `) as unknown as TypedDocumentString<SignupOpenQuery, SignupOpenQueryVariables>;
export const SignupPageDocument = new TypedDocumentString(`
    query SignupPage($token: String!, $withInvite: Boolean!) {
  signupOpen
  invite(token: $token) @include(if: $withInvite) {
    organizationTitle
    setup
    role
  }
}
    `) as unknown as TypedDocumentString<SignupPageQuery, SignupPageQueryVariables>;
export const SessionsDocument = new TypedDocumentString(`
    query Sessions {
  sessions {
    id
    createdAt
    lastSeenAt
    userAgent
    clientAddress
    current
  }
}
    `) as unknown as TypedDocumentString<SessionsQuery, SessionsQueryVariables>;
export const RevokeSessionDocument = new TypedDocumentString(`
    mutation RevokeSession($id: ID!) {
  revokeSession(id: $id)
}
    `) as unknown as TypedDocumentString<RevokeSessionMutation, RevokeSessionMutationVariables>;
export const ChangePasswordDocument = new TypedDocumentString(`
    mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input)
}
    `) as unknown as TypedDocumentString<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const ResetApiTokenDocument = new TypedDocumentString(`
    mutation ResetApiToken {
  resetApiToken {
    token
  }
}
    `) as unknown as TypedDocumentString<ResetApiTokenMutation, ResetApiTokenMutationVariables>;
export const InviteLinkDocument = new TypedDocumentString(`
    query InviteLink {
  organization {
    id
    inviteUrl
  }
}
    `) as unknown as TypedDocumentString<InviteLinkQuery, InviteLinkQueryVariables>;
export const ResetInviteLinkDocument = new TypedDocumentString(`
    mutation ResetInviteLink {
  resetInviteLink {
    id
    inviteUrl
  }
}
    `) as unknown as TypedDocumentString<ResetInviteLinkMutation, ResetInviteLinkMutationVariables>;
export const MembersDocument = new TypedDocumentString(`
    query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {
  members(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        role
        createdAt
        user {
          id
          displayName
          active
          email @include(if: $isAdmin)
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MembersQuery, MembersQueryVariables>;
export const CurrentOrganizationDocument = new TypedDocumentString(`
    query CurrentOrganization {
  organization {
    ...OrganizationFields
  }
  organizations {
    id
    title
  }
}
    fragment OrganizationFields on Organization {
  id
  title
  createdAt
  viewerRole
}`) as unknown as TypedDocumentString<CurrentOrganizationQuery, CurrentOrganizationQueryVariables>;
export const CreateOrganizationDocument = new TypedDocumentString(`
    mutation CreateOrganization($title: String!) {
  createOrganization(title: $title) {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<CreateOrganizationMutation, CreateOrganizationMutationVariables>;
export const SwitchOrganizationDocument = new TypedDocumentString(`
    mutation SwitchOrganization($id: ID!) {
  switchOrganization(id: $id) {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<SwitchOrganizationMutation, SwitchOrganizationMutationVariables>;
export const UpdateMemberRoleDocument = new TypedDocumentString(`
    mutation UpdateMemberRole($userId: ID!, $role: Role!) {
  updateMemberRole(userId: $userId, role: $role) {
    id
    role
  }
}
    `) as unknown as TypedDocumentString<UpdateMemberRoleMutation, UpdateMemberRoleMutationVariables>;
export const RemoveMemberDocument = new TypedDocumentString(`
    mutation RemoveMember($userId: ID!) {
  removeMember(userId: $userId)
}
    `) as unknown as TypedDocumentString<RemoveMemberMutation, RemoveMemberMutationVariables>;
export const DeactivateUserDocument = new TypedDocumentString(`
    mutation DeactivateUser($userId: ID!) {
  deactivateUser(userId: $userId) {
    id
    active
  }
}
    `) as unknown as TypedDocumentString<DeactivateUserMutation, DeactivateUserMutationVariables>;
export const RoleInvitesDocument = new TypedDocumentString(`
    query RoleInvites {
  roleInvites {
    ...RoleInviteFields
  }
  projects(first: 100) {
    edges {
      node {
        id
        title
      }
    }
  }
}
    fragment RoleInviteFields on RoleInvite {
  id
  role
  projectId
  expiresAt
  revoked
  createdAt
  createdBy {
    id
    displayName
  }
  useCount
  maxUses
}`) as unknown as TypedDocumentString<RoleInvitesQuery, RoleInvitesQueryVariables>;
export const CreateInviteDocument = new TypedDocumentString(`
    mutation CreateInvite($input: CreateInviteInput!) {
  createInvite(input: $input) {
    url
    invite {
      ...RoleInviteFields
    }
  }
}
    fragment RoleInviteFields on RoleInvite {
  id
  role
  projectId
  expiresAt
  revoked
  createdAt
  createdBy {
    id
    displayName
  }
  useCount
  maxUses
}`) as unknown as TypedDocumentString<CreateInviteMutation, CreateInviteMutationVariables>;
export const RevokeInviteDocument = new TypedDocumentString(`
    mutation RevokeInvite($id: ID!) {
  revokeInvite(id: $id) {
    ...RoleInviteFields
  }
}
    fragment RoleInviteFields on RoleInvite {
  id
  role
  projectId
  expiresAt
  revoked
  createdAt
  createdBy {
    id
    displayName
  }
  useCount
  maxUses
}`) as unknown as TypedDocumentString<RevokeInviteMutation, RevokeInviteMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($first: Int, $after: Cursor, $filter: AuditFilter) {
  auditEvents(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        createdAt
        actorId
        action
        targetType
        targetId
        clientAddress
        userAgent
        requestId
        details
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const ProjectsDocument = new TypedDocumentString(`
    query Projects($first: Int, $after: Cursor) {
  organization {
    id
    viewerRole
  }
  projects(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...ProjectSummaryFields
      }
    }
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}`) as unknown as TypedDocumentString<ProjectsQuery, ProjectsQueryVariables>;
export const ProjectDocument = new TypedDocumentString(`
    query Project($id: ID!) {
  organization {
    id
    viewerRole
  }
  project(id: $id) {
    ...ProjectFields
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}
fragment ProjectFields on Project {
  ...ProjectSummaryFields
  instructions
  labelConfig
  overlap
  showSkip
  sampling
  updatedAt
  dataKeys
  exportFormats {
    name
    fits
    reason
    zip
  }
  annotatorsSeeOthers
  revealAnnotators
  workspace {
    id
    title
  }
}`) as unknown as TypedDocumentString<ProjectQuery, ProjectQueryVariables>;
export const CreateProjectDocument = new TypedDocumentString(`
    mutation CreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    ...ProjectFields
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}
fragment ProjectFields on Project {
  ...ProjectSummaryFields
  instructions
  labelConfig
  overlap
  showSkip
  sampling
  updatedAt
  dataKeys
  exportFormats {
    name
    fits
    reason
    zip
  }
  annotatorsSeeOthers
  revealAnnotators
  workspace {
    id
    title
  }
}`) as unknown as TypedDocumentString<CreateProjectMutation, CreateProjectMutationVariables>;
export const UpdateProjectDocument = new TypedDocumentString(`
    mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
  updateProject(id: $id, input: $input) {
    ...ProjectFields
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}
fragment ProjectFields on Project {
  ...ProjectSummaryFields
  instructions
  labelConfig
  overlap
  showSkip
  sampling
  updatedAt
  dataKeys
  exportFormats {
    name
    fits
    reason
    zip
  }
  annotatorsSeeOthers
  revealAnnotators
  workspace {
    id
    title
  }
}`) as unknown as TypedDocumentString<UpdateProjectMutation, UpdateProjectMutationVariables>;
export const DeleteProjectDocument = new TypedDocumentString(`
    mutation DeleteProject($id: ID!) {
  deleteProject(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteProjectMutation, DeleteProjectMutationVariables>;
export const DeleteTasksDocument = new TypedDocumentString(`
    mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
  deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
}
    `) as unknown as TypedDocumentString<DeleteTasksMutation, DeleteTasksMutationVariables>;
export const DeleteAnnotationsDocument = new TypedDocumentString(`
    mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {
  deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)
}
    `) as unknown as TypedDocumentString<DeleteAnnotationsMutation, DeleteAnnotationsMutationVariables>;
export const ImportTasksFromUrlDocument = new TypedDocumentString(`
    mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {
  importTasksFromUrl(projectId: $projectId, url: $url) {
    taskCount
  }
}
    `) as unknown as TypedDocumentString<ImportTasksFromUrlMutation, ImportTasksFromUrlMutationVariables>;
export const TasksDocument = new TypedDocumentString(`
    query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {
  tasks(
    projectId: $projectId
    first: $first
    after: $after
    filter: $filter
    orderBy: $orderBy
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...TaskRowFields
        labels
        reviewStates
        predictionScore
        annotators @include(if: $withAnnotators) {
          id
          displayName
        }
      }
    }
  }
}
    fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TasksQuery, TasksQueryVariables>;
export const WalkTasksDocument = new TypedDocumentString(`
    query WalkTasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {
  tasks(
    projectId: $projectId
    first: $first
    after: $after
    filter: $filter
    orderBy: $orderBy
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<WalkTasksQuery, WalkTasksQueryVariables>;
export const LabelTaskDocument = new TypedDocumentString(`
    query LabelTask($projectId: ID!, $taskId: ID!) {
  project(id: $projectId) {
    ...ProjectFields
  }
  task(id: $taskId) {
    ...TaskFields
    project {
      id
    }
  }
}
    fragment ProjectSummaryFields on Project {
  id
  title
  description
  taskCount
  labeledCount
  createdAt
}
fragment ProjectFields on Project {
  ...ProjectSummaryFields
  instructions
  labelConfig
  overlap
  showSkip
  sampling
  updatedAt
  dataKeys
  exportFormats {
    name
    fits
    reason
    zip
  }
  annotatorsSeeOthers
  revealAnnotators
  workspace {
    id
    title
  }
}
fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}
fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}
fragment DraftFields on Draft {
  id
  result
  updatedAt
}
fragment TaskFields on Task {
  ...TaskRowFields
  annotations {
    ...AnnotationFields
  }
  predictions {
    id
    result
    score
    modelVersion
    createdAt
  }
  myDraft {
    ...DraftFields
  }
}`) as unknown as TypedDocumentString<LabelTaskQuery, LabelTaskQueryVariables>;
export const NextTaskDocument = new TypedDocumentString(`
    query NextTask($projectId: ID!) {
  nextTask(projectId: $projectId) {
    ...TaskFields
  }
}
    fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}
fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}
fragment DraftFields on Draft {
  id
  result
  updatedAt
}
fragment TaskFields on Task {
  ...TaskRowFields
  annotations {
    ...AnnotationFields
  }
  predictions {
    id
    result
    score
    modelVersion
    createdAt
  }
  myDraft {
    ...DraftFields
  }
}`) as unknown as TypedDocumentString<NextTaskQuery, NextTaskQueryVariables>;
export const CreateAnnotationDocument = new TypedDocumentString(`
    mutation CreateAnnotation($input: CreateAnnotationInput!) {
  createAnnotation(input: $input) {
    ...AnnotationFields
  }
}
    fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}`) as unknown as TypedDocumentString<CreateAnnotationMutation, CreateAnnotationMutationVariables>;
export const UpdateAnnotationDocument = new TypedDocumentString(`
    mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {
  updateAnnotation(id: $id, input: $input) {
    ...AnnotationFields
  }
}
    fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}`) as unknown as TypedDocumentString<UpdateAnnotationMutation, UpdateAnnotationMutationVariables>;
export const SaveDraftDocument = new TypedDocumentString(`
    mutation SaveDraft($taskId: ID!, $result: JSON!) {
  saveDraft(taskId: $taskId, result: $result) {
    ...DraftFields
  }
}
    fragment DraftFields on Draft {
  id
  result
  updatedAt
}`) as unknown as TypedDocumentString<SaveDraftMutation, SaveDraftMutationVariables>;
export const ReviewAnnotationDocument = new TypedDocumentString(`
    mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON, $updatedAt: Time) {
  reviewAnnotation(
    id: $id
    accepted: $accepted
    comment: $comment
    result: $result
    updatedAt: $updatedAt
  ) {
    ...AnnotationFields
  }
}
    fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}`) as unknown as TypedDocumentString<ReviewAnnotationMutation, ReviewAnnotationMutationVariables>;
export const NextReviewDocument = new TypedDocumentString(`
    query NextReview($projectId: ID!, $after: ID) {
  nextReview(projectId: $projectId, after: $after) {
    ...AnnotationFields
    task {
      ...TaskFields
    }
  }
}
    fragment TaskRowFields on Task {
  id
  innerId
  data
  totalAnnotations
  cancelledAnnotations
  createdAt
  updatedAt
}
fragment AnnotationFields on Annotation {
  id
  result
  wasCancelled
  groundTruth
  leadTime
  createdAt
  updatedAt
  completedBy {
    id
    displayName
  }
  reviewState
  reviewComment
  reviewedAt
}
fragment DraftFields on Draft {
  id
  result
  updatedAt
}
fragment TaskFields on Task {
  ...TaskRowFields
  annotations {
    ...AnnotationFields
  }
  predictions {
    id
    result
    score
    modelVersion
    createdAt
  }
  myDraft {
    ...DraftFields
  }
}`) as unknown as TypedDocumentString<NextReviewQuery, NextReviewQueryVariables>;
export const LabelStreamStatusDocument = new TypedDocumentString(`
    query LabelStreamStatus($projectId: ID!) {
  labelStreamStatus(projectId: $projectId) {
    left
    lockedByOthers
  }
}
    `) as unknown as TypedDocumentString<LabelStreamStatusQuery, LabelStreamStatusQueryVariables>;
export const MyAnnotationsDocument = new TypedDocumentString(`
    query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {
  myAnnotations(reviewState: $reviewState, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
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
        task {
          id
          innerId
          project {
            id
            title
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MyAnnotationsQuery, MyAnnotationsQueryVariables>;
export const ProjectMembersDocument = new TypedDocumentString(`
    query ProjectMembers($id: ID!) {
  project(id: $id) {
    id
    members {
      ...UserSummaryFields
    }
  }
  members(first: 100) {
    totalCount
    edges {
      node {
        id
        role
        user {
          ...UserSummaryFields
        }
      }
    }
  }
}
    fragment UserSummaryFields on User {
  id
  displayName
  active
}`) as unknown as TypedDocumentString<ProjectMembersQuery, ProjectMembersQueryVariables>;
export const AddProjectMemberDocument = new TypedDocumentString(`
    mutation AddProjectMember($projectId: ID!, $userId: ID!) {
  addProjectMember(projectId: $projectId, userId: $userId) {
    id
    members {
      ...UserSummaryFields
    }
  }
}
    fragment UserSummaryFields on User {
  id
  displayName
  active
}`) as unknown as TypedDocumentString<AddProjectMemberMutation, AddProjectMemberMutationVariables>;
export const RemoveProjectMemberDocument = new TypedDocumentString(`
    mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {
  removeProjectMember(projectId: $projectId, userId: $userId) {
    id
    members {
      ...UserSummaryFields
    }
  }
}
    fragment UserSummaryFields on User {
  id
  displayName
  active
}`) as unknown as TypedDocumentString<RemoveProjectMemberMutation, RemoveProjectMemberMutationVariables>;
export const WorkspaceChoicesDocument = new TypedDocumentString(`
    query WorkspaceChoices {
  workspaces {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<WorkspaceChoicesQuery, WorkspaceChoicesQueryVariables>;
export const WorkspacesDocument = new TypedDocumentString(`
    query Workspaces {
  workspaces {
    ...WorkspaceFields
  }
  members(first: 100) {
    totalCount
    edges {
      node {
        id
        role
        user {
          ...UserSummaryFields
        }
      }
    }
  }
}
    fragment UserSummaryFields on User {
  id
  displayName
  active
}
fragment WorkspaceFields on Workspace {
  id
  title
  createdAt
  projects {
    id
    title
  }
}`) as unknown as TypedDocumentString<WorkspacesQuery, WorkspacesQueryVariables>;
export const CreateWorkspaceDocument = new TypedDocumentString(`
    mutation CreateWorkspace($title: String!) {
  createWorkspace(title: $title) {
    ...WorkspaceFields
  }
}
    fragment WorkspaceFields on Workspace {
  id
  title
  createdAt
  projects {
    id
    title
  }
}`) as unknown as TypedDocumentString<CreateWorkspaceMutation, CreateWorkspaceMutationVariables>;
export const AddWorkspaceMemberDocument = new TypedDocumentString(`
    mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {
  addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) {
    ...WorkspaceFields
  }
}
    fragment WorkspaceFields on Workspace {
  id
  title
  createdAt
  projects {
    id
    title
  }
}`) as unknown as TypedDocumentString<AddWorkspaceMemberMutation, AddWorkspaceMemberMutationVariables>;
export const RemoveWorkspaceMemberDocument = new TypedDocumentString(`
    mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {
  removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) {
    ...WorkspaceFields
  }
}
    fragment WorkspaceFields on Workspace {
  id
  title
  createdAt
  projects {
    id
    title
  }
}`) as unknown as TypedDocumentString<RemoveWorkspaceMemberMutation, RemoveWorkspaceMemberMutationVariables>;
export const ProjectWebhooksDocument = new TypedDocumentString(`
    query ProjectWebhooks($id: ID!) {
  project(id: $id) {
    id
    webhooks {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  projectId
  url
  events
  sendPayload
  active
  createdAt
}`) as unknown as TypedDocumentString<ProjectWebhooksQuery, ProjectWebhooksQueryVariables>;
export const OrganizationWebhooksDocument = new TypedDocumentString(`
    query OrganizationWebhooks {
  organization {
    id
    webhooks {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  projectId
  url
  events
  sendPayload
  active
  createdAt
}`) as unknown as TypedDocumentString<OrganizationWebhooksQuery, OrganizationWebhooksQueryVariables>;
export const ProjectDeliveriesDocument = new TypedDocumentString(`
    query ProjectDeliveries($id: ID!) {
  project(id: $id) {
    webhooks {
      ...WebhookDeliveriesFields
    }
  }
}
    fragment WebhookDeliveriesFields on Webhook {
  id
  deliveries(first: 10) {
    edges {
      node {
        id
        event
        status
        attempts
        responseCode
        error
        createdAt
        nextAttemptAt
        finishedAt
      }
    }
  }
}`) as unknown as TypedDocumentString<ProjectDeliveriesQuery, ProjectDeliveriesQueryVariables>;
export const OrganizationDeliveriesDocument = new TypedDocumentString(`
    query OrganizationDeliveries {
  organization {
    webhooks {
      ...WebhookDeliveriesFields
    }
  }
}
    fragment WebhookDeliveriesFields on Webhook {
  id
  deliveries(first: 10) {
    edges {
      node {
        id
        event
        status
        attempts
        responseCode
        error
        createdAt
        nextAttemptAt
        finishedAt
      }
    }
  }
}`) as unknown as TypedDocumentString<OrganizationDeliveriesQuery, OrganizationDeliveriesQueryVariables>;
export const CreateWebhookDocument = new TypedDocumentString(`
    mutation CreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    secret
    webhook {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  projectId
  url
  events
  sendPayload
  active
  createdAt
}`) as unknown as TypedDocumentString<CreateWebhookMutation, CreateWebhookMutationVariables>;
export const UpdateWebhookDocument = new TypedDocumentString(`
    mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {
  updateWebhook(id: $id, input: $input) {
    ...WebhookFields
  }
}
    fragment WebhookFields on Webhook {
  id
  projectId
  url
  events
  sendPayload
  active
  createdAt
}`) as unknown as TypedDocumentString<UpdateWebhookMutation, UpdateWebhookMutationVariables>;
export const DeleteWebhookDocument = new TypedDocumentString(`
    mutation DeleteWebhook($id: ID!) {
  deleteWebhook(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteWebhookMutation, DeleteWebhookMutationVariables>;
export const ProjectStoragesDocument = new TypedDocumentString(`
    query ProjectStorages($id: ID!) {
  project(id: $id) {
    id
    storages {
      ...StorageFields
    }
  }
}
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}
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
  lastSync {
    ...StorageSyncFields
  }
}`) as unknown as TypedDocumentString<ProjectStoragesQuery, ProjectStoragesQueryVariables>;
export const CreateStorageDocument = new TypedDocumentString(`
    mutation CreateStorage($input: CreateStorageInput!) {
  createStorage(input: $input) {
    ...StorageFields
  }
}
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}
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
  lastSync {
    ...StorageSyncFields
  }
}`) as unknown as TypedDocumentString<CreateStorageMutation, CreateStorageMutationVariables>;
export const UpdateStorageDocument = new TypedDocumentString(`
    mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) {
  updateStorage(id: $id, input: $input) {
    ...StorageFields
  }
}
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}
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
  lastSync {
    ...StorageSyncFields
  }
}`) as unknown as TypedDocumentString<UpdateStorageMutation, UpdateStorageMutationVariables>;
export const DeleteStorageDocument = new TypedDocumentString(`
    mutation DeleteStorage($id: ID!) {
  deleteStorage(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteStorageMutation, DeleteStorageMutationVariables>;
export const CheckStorageDocument = new TypedDocumentString(`
    mutation CheckStorage($id: ID!) {
  checkStorage(id: $id) {
    ok
    message
  }
}
    `) as unknown as TypedDocumentString<CheckStorageMutation, CheckStorageMutationVariables>;
export const SyncStorageDocument = new TypedDocumentString(`
    mutation SyncStorage($id: ID!) {
  syncStorage(id: $id) {
    ...StorageSyncFields
  }
}
    fragment StorageSyncFields on StorageSync {
  id
  status
  total
  done
  message
  startedAt
  finishedAt
}`) as unknown as TypedDocumentString<SyncStorageMutation, SyncStorageMutationVariables>;