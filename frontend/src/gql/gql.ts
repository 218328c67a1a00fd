/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ViewerFields on User {\n    id\n    email\n    displayName\n    createdAt\n  }\n": typeof types.ViewerFieldsFragmentDoc,
    "\n  fragment OrganizationFields on Organization {\n    id\n    title\n    createdAt\n    viewerRole\n  }\n": typeof types.OrganizationFieldsFragmentDoc,
    "\n  fragment RoleInviteFields on RoleInvite {\n    id\n    role\n    projectId\n    expiresAt\n    revoked\n    createdAt\n    createdBy { id displayName }\n    useCount\n    maxUses\n  }\n": typeof types.RoleInviteFieldsFragmentDoc,
    "\n  fragment ProjectSummaryFields on Project {\n    id\n    title\n    description\n    taskCount\n    labeledCount\n    createdAt\n  }\n": typeof types.ProjectSummaryFieldsFragmentDoc,
    "\n  fragment ProjectFields on Project {\n    ...ProjectSummaryFields\n    instructions\n    labelConfig\n    overlap\n    showSkip\n    sampling\n    updatedAt\n    dataKeys\n    exportFormats { name fits reason zip }\n    annotatorsSeeOthers\n    revealAnnotators\n    workspace { id title }\n  }\n": typeof types.ProjectFieldsFragmentDoc,
    "\n  fragment TaskRowFields on Task {\n    id\n    innerId\n    data\n    totalAnnotations\n    cancelledAnnotations\n    createdAt\n    updatedAt\n  }\n": typeof types.TaskRowFieldsFragmentDoc,
    "\n  fragment AnnotationFields on Annotation {\n    id\n    result\n    wasCancelled\n    groundTruth\n    leadTime\n    createdAt\n    updatedAt\n    completedBy { id displayName }\n    reviewState\n    reviewComment\n    reviewedAt\n  }\n": typeof types.AnnotationFieldsFragmentDoc,
    "\n  fragment DraftFields on Draft {\n    id\n    result\n    updatedAt\n  }\n": typeof types.DraftFieldsFragmentDoc,
    "\n  fragment TaskFields on Task {\n    ...TaskRowFields\n    annotations { ...AnnotationFields }\n    predictions { id result score modelVersion createdAt }\n    myDraft { ...DraftFields }\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  fragment UserSummaryFields on User {\n    id\n    displayName\n    active\n  }\n": typeof types.UserSummaryFieldsFragmentDoc,
    "\n  fragment WorkspaceFields on Workspace {\n    id\n    title\n    createdAt\n    projects { id title }\n  }\n": typeof types.WorkspaceFieldsFragmentDoc,
    "\n  fragment WebhookFields on Webhook {\n    id\n    projectId\n    url\n    events\n    sendPayload\n    active\n    createdAt\n  }\n": typeof types.WebhookFieldsFragmentDoc,
    "\n  fragment WebhookDeliveriesFields on Webhook {\n    id\n    deliveries(first: 10) {\n      edges {\n        node { id event status attempts responseCode error createdAt nextAttemptAt finishedAt }\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesFieldsFragmentDoc,
    "\n  fragment StorageSyncFields on StorageSync {\n    id\n    status\n    total\n    done\n    message\n    startedAt\n    finishedAt\n  }\n": typeof types.StorageSyncFieldsFragmentDoc,
    "\n  fragment StorageFields on Storage {\n    id\n    direction\n    kind\n    title\n    bucket\n    prefix\n    regexFilter\n    useBlobUrls\n    recursiveScan\n    presign\n    presignTtlMinutes\n    canDeleteObjects\n    region\n    endpoint\n    accountName\n    gcsProjectId\n    port\n    db\n    tls\n    secretSet\n    lastSync { ...StorageSyncFields }\n  }\n": typeof types.StorageFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer { ...ViewerFields }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { user { ...ViewerFields } }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) { user { ...ViewerFields } }\n  }\n": typeof types.SignupDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  query SignupOpen {\n    signupOpen\n  }\n": typeof types.SignupOpenDocument,
    "\n  query SignupPage($token: String!, $withInvite: Boolean!) {\n    signupOpen\n    invite(token: $token) @include(if: $withInvite) { organizationTitle setup role }\n  }\n": typeof types.SignupPageDocument,
    "\n  query Sessions {\n    sessions { id createdAt lastSeenAt userAgent clientAddress current }\n  }\n": typeof types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation ResetApiToken {\n    resetApiToken { token }\n  }\n": typeof types.ResetApiTokenDocument,
    "\n  query InviteLink {\n    organization { id inviteUrl }\n  }\n": typeof types.InviteLinkDocument,
    "\n  mutation ResetInviteLink {\n    resetInviteLink { id inviteUrl }\n  }\n": typeof types.ResetInviteLinkDocument,
    "\n  query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {\n    members(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          role\n          createdAt\n          user { id displayName active email @include(if: $isAdmin) }\n        }\n      }\n    }\n  }\n": typeof types.MembersDocument,
    "\n  query CurrentOrganization {\n    organization { ...OrganizationFields }\n    organizations { id title }\n  }\n": typeof types.CurrentOrganizationDocument,
    "\n  mutation CreateOrganization($title: String!) {\n    createOrganization(title: $title) { id title }\n  }\n": typeof types.CreateOrganizationDocument,
    "\n  mutation SwitchOrganization($id: ID!) {\n    switchOrganization(id: $id) { id title }\n  }\n": typeof types.SwitchOrganizationDocument,
    "\n  mutation UpdateMemberRole($userId: ID!, $role: Role!) {\n    updateMemberRole(userId: $userId, role: $role) { id role }\n  }\n": typeof types.UpdateMemberRoleDocument,
    "\n  mutation RemoveMember($userId: ID!) {\n    removeMember(userId: $userId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation DeactivateUser($userId: ID!) {\n    deactivateUser(userId: $userId) { id active }\n  }\n": typeof types.DeactivateUserDocument,
    "\n  query RoleInvites {\n    roleInvites { ...RoleInviteFields }\n    projects(first: 100) { edges { node { id title } } }\n  }\n": typeof types.RoleInvitesDocument,
    "\n  mutation CreateInvite($input: CreateInviteInput!) {\n    createInvite(input: $input) { url invite { ...RoleInviteFields } }\n  }\n": typeof types.CreateInviteDocument,
    "\n  mutation RevokeInvite($id: ID!) {\n    revokeInvite(id: $id) { ...RoleInviteFields }\n  }\n": typeof types.RevokeInviteDocument,
    "\n  query AuditEvents($first: Int, $after: Cursor, $filter: AuditFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id createdAt actorId action targetType targetId clientAddress userAgent requestId details }\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query Projects($first: Int, $after: Cursor) {\n    organization { id viewerRole }\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...ProjectSummaryFields } }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  query Project($id: ID!) {\n    organization { id viewerRole }\n    project(id: $id) { ...ProjectFields }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { ...ProjectFields }\n  }\n": typeof types.CreateProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { ...ProjectFields }\n  }\n": typeof types.UpdateProjectDocument,
    "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n": typeof types.DeleteProjectDocument,
    "\n  mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n": typeof types.DeleteTasksDocument,
    "\n  mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n": typeof types.DeleteAnnotationsDocument,
    "\n  mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {\n    importTasksFromUrl(projectId: $projectId, url: $url) { taskCount }\n  }\n": typeof types.ImportTasksFromUrlDocument,
    "\n  query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { ...TaskRowFields labels reviewStates predictionScore annotators @include(if: $withAnnotators) { id displayName } } }\n    }\n  }\n": typeof types.TasksDocument,
    "\n  query WalkTasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id } }\n    }\n  }\n": typeof types.WalkTasksDocument,
    "\n  query LabelTask($projectId: ID!, $taskId: ID!) {\n    project(id: $projectId) { ...ProjectFields }\n    task(id: $taskId) { ...TaskFields project { id } }\n  }\n": typeof types.LabelTaskDocument,
    "\n  query NextTask($projectId: ID!) {\n    nextTask(projectId: $projectId) { ...TaskFields }\n  }\n": typeof types.NextTaskDocument,
    "\n  mutation CreateAnnotation($input: CreateAnnotationInput!) {\n    createAnnotation(input: $input) { ...AnnotationFields }\n  }\n": typeof types.CreateAnnotationDocument,
    "\n  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {\n    updateAnnotation(id: $id, input: $input) { ...AnnotationFields }\n  }\n": typeof types.UpdateAnnotationDocument,
    "\n  mutation SaveDraft($taskId: ID!, $result: JSON!) {\n    saveDraft(taskId: $taskId, result: $result) { ...DraftFields }\n  }\n": typeof types.SaveDraftDocument,
    "\n  mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON, $updatedAt: Time) {\n    reviewAnnotation(id: $id, accepted: $accepted, comment: $comment, result: $result, updatedAt: $updatedAt) {\n      ...AnnotationFields\n    }\n  }\n": typeof types.ReviewAnnotationDocument,
    "\n  query NextReview($projectId: ID!, $after: ID) {\n    nextReview(projectId: $projectId, after: $after) {\n      ...AnnotationFields\n      task { ...TaskFields }\n    }\n  }\n": typeof types.NextReviewDocument,
    "\n  query LabelStreamStatus($projectId: ID!) {\n    labelStreamStatus(projectId: $projectId) { left lockedByOthers }\n  }\n": typeof types.LabelStreamStatusDocument,
    "\n  query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {\n    myAnnotations(reviewState: $reviewState, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          wasCancelled\n          createdAt\n          updatedAt\n          reviewState\n          reviewComment\n          reviewedAt\n          task { id innerId project { id title } }\n        }\n      }\n    }\n  }\n": typeof types.MyAnnotationsDocument,
    "\n  query ProjectMembers($id: ID!) {\n    project(id: $id) { id members { ...UserSummaryFields } }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n": typeof types.ProjectMembersDocument,
    "\n  mutation AddProjectMember($projectId: ID!, $userId: ID!) {\n    addProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n": typeof types.AddProjectMemberDocument,
    "\n  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n": typeof types.RemoveProjectMemberDocument,
    "\n  query WorkspaceChoices {\n    workspaces { id title }\n  }\n": typeof types.WorkspaceChoicesDocument,
    "\n  query Workspaces {\n    workspaces { ...WorkspaceFields }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n": typeof types.WorkspacesDocument,
    "\n  mutation CreateWorkspace($title: String!) {\n    createWorkspace(title: $title) { ...WorkspaceFields }\n  }\n": typeof types.CreateWorkspaceDocument,
    "\n  mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n": typeof types.AddWorkspaceMemberDocument,
    "\n  mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n": typeof types.RemoveWorkspaceMemberDocument,
    "\n  query ProjectWebhooks($id: ID!) {\n    project(id: $id) { id webhooks { ...WebhookFields } }\n  }\n": typeof types.ProjectWebhooksDocument,
    "\n  query OrganizationWebhooks {\n    organization { id webhooks { ...WebhookFields } }\n  }\n": typeof types.OrganizationWebhooksDocument,
    "\n  query ProjectDeliveries($id: ID!) {\n    project(id: $id) { webhooks { ...WebhookDeliveriesFields } }\n  }\n": typeof types.ProjectDeliveriesDocument,
    "\n  query OrganizationDeliveries {\n    organization { webhooks { ...WebhookDeliveriesFields } }\n  }\n": typeof types.OrganizationDeliveriesDocument,
    "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n": typeof types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {\n    updateWebhook(id: $id, input: $input) { ...WebhookFields }\n  }\n": typeof types.UpdateWebhookDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": typeof types.DeleteWebhookDocument,
    "\n  query ProjectStorages($id: ID!) {\n    project(id: $id) { id storages { ...StorageFields } }\n  }\n": typeof types.ProjectStoragesDocument,
    "\n  mutation CreateStorage($input: CreateStorageInput!) {\n    createStorage(input: $input) { ...StorageFields }\n  }\n": typeof types.CreateStorageDocument,
    "\n  mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) {\n    updateStorage(id: $id, input: $input) { ...StorageFields }\n  }\n": typeof types.UpdateStorageDocument,
    "\n  mutation DeleteStorage($id: ID!) {\n    deleteStorage(id: $id)\n  }\n": typeof types.DeleteStorageDocument,
    "\n  mutation CheckStorage($id: ID!) {\n    checkStorage(id: $id) { ok message }\n  }\n": typeof types.CheckStorageDocument,
    "\n  mutation SyncStorage($id: ID!) {\n    syncStorage(id: $id) { ...StorageSyncFields }\n  }\n": typeof types.SyncStorageDocument,
};
const documents: Documents = {
    "\n  fragment ViewerFields on User {\n    id\n    email\n    displayName\n    createdAt\n  }\n": types.ViewerFieldsFragmentDoc,
    "\n  fragment OrganizationFields on Organization {\n    id\n    title\n    createdAt\n    viewerRole\n  }\n": types.OrganizationFieldsFragmentDoc,
    "\n  fragment RoleInviteFields on RoleInvite {\n    id\n    role\n    projectId\n    expiresAt\n    revoked\n    createdAt\n    createdBy { id displayName }\n    useCount\n    maxUses\n  }\n": types.RoleInviteFieldsFragmentDoc,
    "\n  fragment ProjectSummaryFields on Project {\n    id\n    title\n    description\n    taskCount\n    labeledCount\n    createdAt\n  }\n": types.ProjectSummaryFieldsFragmentDoc,
    "\n  fragment ProjectFields on Project {\n    ...ProjectSummaryFields\n    instructions\n    labelConfig\n    overlap\n    showSkip\n    sampling\n    updatedAt\n    dataKeys\n    exportFormats { name fits reason zip }\n    annotatorsSeeOthers\n    revealAnnotators\n    workspace { id title }\n  }\n": types.ProjectFieldsFragmentDoc,
    "\n  fragment TaskRowFields on Task {\n    id\n    innerId\n    data\n    totalAnnotations\n    cancelledAnnotations\n    createdAt\n    updatedAt\n  }\n": types.TaskRowFieldsFragmentDoc,
    "\n  fragment AnnotationFields on Annotation {\n    id\n    result\n    wasCancelled\n    groundTruth\n    leadTime\n    createdAt\n    updatedAt\n    completedBy { id displayName }\n    reviewState\n    reviewComment\n    reviewedAt\n  }\n": types.AnnotationFieldsFragmentDoc,
    "\n  fragment DraftFields on Draft {\n    id\n    result\n    updatedAt\n  }\n": types.DraftFieldsFragmentDoc,
    "\n  fragment TaskFields on Task {\n    ...TaskRowFields\n    annotations { ...AnnotationFields }\n    predictions { id result score modelVersion createdAt }\n    myDraft { ...DraftFields }\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  fragment UserSummaryFields on User {\n    id\n    displayName\n    active\n  }\n": types.UserSummaryFieldsFragmentDoc,
    "\n  fragment WorkspaceFields on Workspace {\n    id\n    title\n    createdAt\n    projects { id title }\n  }\n": types.WorkspaceFieldsFragmentDoc,
    "\n  fragment WebhookFields on Webhook {\n    id\n    projectId\n    url\n    events\n    sendPayload\n    active\n    createdAt\n  }\n": types.WebhookFieldsFragmentDoc,
    "\n  fragment WebhookDeliveriesFields on Webhook {\n    id\n    deliveries(first: 10) {\n      edges {\n        node { id event status attempts responseCode error createdAt nextAttemptAt finishedAt }\n      }\n    }\n  }\n": types.WebhookDeliveriesFieldsFragmentDoc,
    "\n  fragment StorageSyncFields on StorageSync {\n    id\n    status\n    total\n    done\n    message\n    startedAt\n    finishedAt\n  }\n": types.StorageSyncFieldsFragmentDoc,
    "\n  fragment StorageFields on Storage {\n    id\n    direction\n    kind\n    title\n    bucket\n    prefix\n    regexFilter\n    useBlobUrls\n    recursiveScan\n    presign\n    presignTtlMinutes\n    canDeleteObjects\n    region\n    endpoint\n    accountName\n    gcsProjectId\n    port\n    db\n    tls\n    secretSet\n    lastSync { ...StorageSyncFields }\n  }\n": types.StorageFieldsFragmentDoc,
    "\n  query Viewer {\n    viewer { ...ViewerFields }\n  }\n": types.ViewerDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { user { ...ViewerFields } }\n  }\n": types.LoginDocument,
    "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) { user { ...ViewerFields } }\n  }\n": types.SignupDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  query SignupOpen {\n    signupOpen\n  }\n": types.SignupOpenDocument,
    "\n  query SignupPage($token: String!, $withInvite: Boolean!) {\n    signupOpen\n    invite(token: $token) @include(if: $withInvite) { organizationTitle setup role }\n  }\n": types.SignupPageDocument,
    "\n  query Sessions {\n    sessions { id createdAt lastSeenAt userAgent clientAddress current }\n  }\n": types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n": types.ChangePasswordDocument,
    "\n  mutation ResetApiToken {\n    resetApiToken { token }\n  }\n": types.ResetApiTokenDocument,
    "\n  query InviteLink {\n    organization { id inviteUrl }\n  }\n": types.InviteLinkDocument,
    "\n  mutation ResetInviteLink {\n    resetInviteLink { id inviteUrl }\n  }\n": types.ResetInviteLinkDocument,
    "\n  query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {\n    members(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          role\n          createdAt\n          user { id displayName active email @include(if: $isAdmin) }\n        }\n      }\n    }\n  }\n": types.MembersDocument,
    "\n  query CurrentOrganization {\n    organization { ...OrganizationFields }\n    organizations { id title }\n  }\n": types.CurrentOrganizationDocument,
    "\n  mutation CreateOrganization($title: String!) {\n    createOrganization(title: $title) { id title }\n  }\n": types.CreateOrganizationDocument,
    "\n  mutation SwitchOrganization($id: ID!) {\n    switchOrganization(id: $id) { id title }\n  }\n": types.SwitchOrganizationDocument,
    "\n  mutation UpdateMemberRole($userId: ID!, $role: Role!) {\n    updateMemberRole(userId: $userId, role: $role) { id role }\n  }\n": types.UpdateMemberRoleDocument,
    "\n  mutation RemoveMember($userId: ID!) {\n    removeMember(userId: $userId)\n  }\n": types.RemoveMemberDocument,
    "\n  mutation DeactivateUser($userId: ID!) {\n    deactivateUser(userId: $userId) { id active }\n  }\n": types.DeactivateUserDocument,
    "\n  query RoleInvites {\n    roleInvites { ...RoleInviteFields }\n    projects(first: 100) { edges { node { id title } } }\n  }\n": types.RoleInvitesDocument,
    "\n  mutation CreateInvite($input: CreateInviteInput!) {\n    createInvite(input: $input) { url invite { ...RoleInviteFields } }\n  }\n": types.CreateInviteDocument,
    "\n  mutation RevokeInvite($id: ID!) {\n    revokeInvite(id: $id) { ...RoleInviteFields }\n  }\n": types.RevokeInviteDocument,
    "\n  query AuditEvents($first: Int, $after: Cursor, $filter: AuditFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id createdAt actorId action targetType targetId clientAddress userAgent requestId details }\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query Projects($first: Int, $after: Cursor) {\n    organization { id viewerRole }\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...ProjectSummaryFields } }\n    }\n  }\n": types.ProjectsDocument,
    "\n  query Project($id: ID!) {\n    organization { id viewerRole }\n    project(id: $id) { ...ProjectFields }\n  }\n": types.ProjectDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { ...ProjectFields }\n  }\n": types.CreateProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { ...ProjectFields }\n  }\n": types.UpdateProjectDocument,
    "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n": types.DeleteProjectDocument,
    "\n  mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n": types.DeleteTasksDocument,
    "\n  mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n": types.DeleteAnnotationsDocument,
    "\n  mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {\n    importTasksFromUrl(projectId: $projectId, url: $url) { taskCount }\n  }\n": types.ImportTasksFromUrlDocument,
    "\n  query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { ...TaskRowFields labels reviewStates predictionScore annotators @include(if: $withAnnotators) { id displayName } } }\n    }\n  }\n": types.TasksDocument,
    "\n  query WalkTasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id } }\n    }\n  }\n": types.WalkTasksDocument,
    "\n  query LabelTask($projectId: ID!, $taskId: ID!) {\n    project(id: $projectId) { ...ProjectFields }\n    task(id: $taskId) { ...TaskFields project { id } }\n  }\n": types.LabelTaskDocument,
    "\n  query NextTask($projectId: ID!) {\n    nextTask(projectId: $projectId) { ...TaskFields }\n  }\n": types.NextTaskDocument,
    "\n  mutation CreateAnnotation($input: CreateAnnotationInput!) {\n    createAnnotation(input: $input) { ...AnnotationFields }\n  }\n": types.CreateAnnotationDocument,
    "\n  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {\n    updateAnnotation(id: $id, input: $input) { ...AnnotationFields }\n  }\n": types.UpdateAnnotationDocument,
    "\n  mutation SaveDraft($taskId: ID!, $result: JSON!) {\n    saveDraft(taskId: $taskId, result: $result) { ...DraftFields }\n  }\n": types.SaveDraftDocument,
    "\n  mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON, $updatedAt: Time) {\n    reviewAnnotation(id: $id, accepted: $accepted, comment: $comment, result: $result, updatedAt: $updatedAt) {\n      ...AnnotationFields\n    }\n  }\n": types.ReviewAnnotationDocument,
    "\n  query NextReview($projectId: ID!, $after: ID) {\n    nextReview(projectId: $projectId, after: $after) {\n      ...AnnotationFields\n      task { ...TaskFields }\n    }\n  }\n": types.NextReviewDocument,
    "\n  query LabelStreamStatus($projectId: ID!) {\n    labelStreamStatus(projectId: $projectId) { left lockedByOthers }\n  }\n": types.LabelStreamStatusDocument,
    "\n  query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {\n    myAnnotations(reviewState: $reviewState, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          wasCancelled\n          createdAt\n          updatedAt\n          reviewState\n          reviewComment\n          reviewedAt\n          task { id innerId project { id title } }\n        }\n      }\n    }\n  }\n": types.MyAnnotationsDocument,
    "\n  query ProjectMembers($id: ID!) {\n    project(id: $id) { id members { ...UserSummaryFields } }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n": types.ProjectMembersDocument,
    "\n  mutation AddProjectMember($projectId: ID!, $userId: ID!) {\n    addProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n": types.AddProjectMemberDocument,
    "\n  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n": types.RemoveProjectMemberDocument,
    "\n  query WorkspaceChoices {\n    workspaces { id title }\n  }\n": types.WorkspaceChoicesDocument,
    "\n  query Workspaces {\n    workspaces { ...WorkspaceFields }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n": types.WorkspacesDocument,
    "\n  mutation CreateWorkspace($title: String!) {\n    createWorkspace(title: $title) { ...WorkspaceFields }\n  }\n": types.CreateWorkspaceDocument,
    "\n  mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n": types.AddWorkspaceMemberDocument,
    "\n  mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n": types.RemoveWorkspaceMemberDocument,
    "\n  query ProjectWebhooks($id: ID!) {\n    project(id: $id) { id webhooks { ...WebhookFields } }\n  }\n": types.ProjectWebhooksDocument,
    "\n  query OrganizationWebhooks {\n    organization { id webhooks { ...WebhookFields } }\n  }\n": types.OrganizationWebhooksDocument,
    "\n  query ProjectDeliveries($id: ID!) {\n    project(id: $id) { webhooks { ...WebhookDeliveriesFields } }\n  }\n": types.ProjectDeliveriesDocument,
    "\n  query OrganizationDeliveries {\n    organization { webhooks { ...WebhookDeliveriesFields } }\n  }\n": types.OrganizationDeliveriesDocument,
    "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n": types.CreateWebhookDocument,
    "\n  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {\n    updateWebhook(id: $id, input: $input) { ...WebhookFields }\n  }\n": types.UpdateWebhookDocument,
    "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": types.DeleteWebhookDocument,
    "\n  query ProjectStorages($id: ID!) {\n    project(id: $id) { id storages { ...StorageFields } }\n  }\n": types.ProjectStoragesDocument,
    "\n  mutation CreateStorage($input: CreateStorageInput!) {\n    createStorage(input: $input) { ...StorageFields }\n  }\n": types.CreateStorageDocument,
    "\n  mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) {\n    updateStorage(id: $id, input: $input) { ...StorageFields }\n  }\n": types.UpdateStorageDocument,
    "\n  mutation DeleteStorage($id: ID!) {\n    deleteStorage(id: $id)\n  }\n": types.DeleteStorageDocument,
    "\n  mutation CheckStorage($id: ID!) {\n    checkStorage(id: $id) { ok message }\n  }\n": types.CheckStorageDocument,
    "\n  mutation SyncStorage($id: ID!) {\n    syncStorage(id: $id) { ...StorageSyncFields }\n  }\n": types.SyncStorageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ViewerFields on User {\n    id\n    email\n    displayName\n    createdAt\n  }\n"): typeof import('./graphql.ts').ViewerFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrganizationFields on Organization {\n    id\n    title\n    createdAt\n    viewerRole\n  }\n"): typeof import('./graphql.ts').OrganizationFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoleInviteFields on RoleInvite {\n    id\n    role\n    projectId\n    expiresAt\n    revoked\n    createdAt\n    createdBy { id displayName }\n    useCount\n    maxUses\n  }\n"): typeof import('./graphql.ts').RoleInviteFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectSummaryFields on Project {\n    id\n    title\n    description\n    taskCount\n    labeledCount\n    createdAt\n  }\n"): typeof import('./graphql.ts').ProjectSummaryFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectFields on Project {\n    ...ProjectSummaryFields\n    instructions\n    labelConfig\n    overlap\n    showSkip\n    sampling\n    updatedAt\n    dataKeys\n    exportFormats { name fits reason zip }\n    annotatorsSeeOthers\n    revealAnnotators\n    workspace { id title }\n  }\n"): typeof import('./graphql.ts').ProjectFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskRowFields on Task {\n    id\n    innerId\n    data\n    totalAnnotations\n    cancelledAnnotations\n    createdAt\n    updatedAt\n  }\n"): typeof import('./graphql.ts').TaskRowFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AnnotationFields on Annotation {\n    id\n    result\n    wasCancelled\n    groundTruth\n    leadTime\n    createdAt\n    updatedAt\n    completedBy { id displayName }\n    reviewState\n    reviewComment\n    reviewedAt\n  }\n"): typeof import('./graphql.ts').AnnotationFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DraftFields on Draft {\n    id\n    result\n    updatedAt\n  }\n"): typeof import('./graphql.ts').DraftFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    ...TaskRowFields\n    annotations { ...AnnotationFields }\n    predictions { id result score modelVersion createdAt }\n    myDraft { ...DraftFields }\n  }\n"): typeof import('./graphql.ts').TaskFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserSummaryFields on User {\n    id\n    displayName\n    active\n  }\n"): typeof import('./graphql.ts').UserSummaryFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkspaceFields on Workspace {\n    id\n    title\n    createdAt\n    projects { id title }\n  }\n"): typeof import('./graphql.ts').WorkspaceFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookFields on Webhook {\n    id\n    projectId\n    url\n    events\n    sendPayload\n    active\n    createdAt\n  }\n"): typeof import('./graphql.ts').WebhookFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookDeliveriesFields on Webhook {\n    id\n    deliveries(first: 10) {\n      edges {\n        node { id event status attempts responseCode error createdAt nextAttemptAt finishedAt }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').WebhookDeliveriesFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StorageSyncFields on StorageSync {\n    id\n    status\n    total\n    done\n    message\n    startedAt\n    finishedAt\n  }\n"): typeof import('./graphql.ts').StorageSyncFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StorageFields on Storage {\n    id\n    direction\n    kind\n    title\n    bucket\n    prefix\n    regexFilter\n    useBlobUrls\n    recursiveScan\n    presign\n    presignTtlMinutes\n    canDeleteObjects\n    region\n    endpoint\n    accountName\n    gcsProjectId\n    port\n    db\n    tls\n    secretSet\n    lastSync { ...StorageSyncFields }\n  }\n"): typeof import('./graphql.ts').StorageFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { ...ViewerFields }\n  }\n"): typeof import('./graphql.ts').ViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) { user { ...ViewerFields } }\n  }\n"): typeof import('./graphql.ts').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Signup($input: SignupInput!) {\n    signup(input: $input) { user { ...ViewerFields } }\n  }\n"): typeof import('./graphql.ts').SignupDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): typeof import('./graphql.ts').LogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SignupOpen {\n    signupOpen\n  }\n"): typeof import('./graphql.ts').SignupOpenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SignupPage($token: String!, $withInvite: Boolean!) {\n    signupOpen\n    invite(token: $token) @include(if: $withInvite) { organizationTitle setup role }\n  }\n"): typeof import('./graphql.ts').SignupPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions {\n    sessions { id createdAt lastSeenAt userAgent clientAddress current }\n  }\n"): typeof import('./graphql.ts').SessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): typeof import('./graphql.ts').RevokeSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input)\n  }\n"): typeof import('./graphql.ts').ChangePasswordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetApiToken {\n    resetApiToken { token }\n  }\n"): typeof import('./graphql.ts').ResetApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InviteLink {\n    organization { id inviteUrl }\n  }\n"): typeof import('./graphql.ts').InviteLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetInviteLink {\n    resetInviteLink { id inviteUrl }\n  }\n"): typeof import('./graphql.ts').ResetInviteLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members($first: Int, $after: Cursor, $isAdmin: Boolean!) {\n    members(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          role\n          createdAt\n          user { id displayName active email @include(if: $isAdmin) }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').MembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CurrentOrganization {\n    organization { ...OrganizationFields }\n    organizations { id title }\n  }\n"): typeof import('./graphql.ts').CurrentOrganizationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrganization($title: String!) {\n    createOrganization(title: $title) { id title }\n  }\n"): typeof import('./graphql.ts').CreateOrganizationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SwitchOrganization($id: ID!) {\n    switchOrganization(id: $id) { id title }\n  }\n"): typeof import('./graphql.ts').SwitchOrganizationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMemberRole($userId: ID!, $role: Role!) {\n    updateMemberRole(userId: $userId, role: $role) { id role }\n  }\n"): typeof import('./graphql.ts').UpdateMemberRoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($userId: ID!) {\n    removeMember(userId: $userId)\n  }\n"): typeof import('./graphql.ts').RemoveMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeactivateUser($userId: ID!) {\n    deactivateUser(userId: $userId) { id active }\n  }\n"): typeof import('./graphql.ts').DeactivateUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoleInvites {\n    roleInvites { ...RoleInviteFields }\n    projects(first: 100) { edges { node { id title } } }\n  }\n"): typeof import('./graphql.ts').RoleInvitesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateInvite($input: CreateInviteInput!) {\n    createInvite(input: $input) { url invite { ...RoleInviteFields } }\n  }\n"): typeof import('./graphql.ts').CreateInviteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeInvite($id: ID!) {\n    revokeInvite(id: $id) { ...RoleInviteFields }\n  }\n"): typeof import('./graphql.ts').RevokeInviteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($first: Int, $after: Cursor, $filter: AuditFilter) {\n    auditEvents(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id createdAt actorId action targetType targetId clientAddress userAgent requestId details }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').AuditEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects($first: Int, $after: Cursor) {\n    organization { id viewerRole }\n    projects(first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...ProjectSummaryFields } }\n    }\n  }\n"): typeof import('./graphql.ts').ProjectsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($id: ID!) {\n    organization { id viewerRole }\n    project(id: $id) { ...ProjectFields }\n  }\n"): typeof import('./graphql.ts').ProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { ...ProjectFields }\n  }\n"): typeof import('./graphql.ts').CreateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { ...ProjectFields }\n  }\n"): typeof import('./graphql.ts').UpdateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n"): typeof import('./graphql.ts').DeleteProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTasks($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteTasks(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n"): typeof import('./graphql.ts').DeleteTasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAnnotations($projectId: ID!, $ids: [ID!], $all: Boolean, $filter: TaskFilter) {\n    deleteAnnotations(projectId: $projectId, ids: $ids, all: $all, filter: $filter)\n  }\n"): typeof import('./graphql.ts').DeleteAnnotationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportTasksFromUrl($projectId: ID!, $url: String!) {\n    importTasksFromUrl(projectId: $projectId, url: $url) { taskCount }\n  }\n"): typeof import('./graphql.ts').ImportTasksFromUrlDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder, $withAnnotators: Boolean = false) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      edges { cursor node { ...TaskRowFields labels reviewStates predictionScore annotators @include(if: $withAnnotators) { id displayName } } }\n    }\n  }\n"): typeof import('./graphql.ts').TasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WalkTasks($projectId: ID!, $first: Int, $after: Cursor, $filter: TaskFilter, $orderBy: TaskOrder) {\n    tasks(projectId: $projectId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { id } }\n    }\n  }\n"): typeof import('./graphql.ts').WalkTasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LabelTask($projectId: ID!, $taskId: ID!) {\n    project(id: $projectId) { ...ProjectFields }\n    task(id: $taskId) { ...TaskFields project { id } }\n  }\n"): typeof import('./graphql.ts').LabelTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NextTask($projectId: ID!) {\n    nextTask(projectId: $projectId) { ...TaskFields }\n  }\n"): typeof import('./graphql.ts').NextTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAnnotation($input: CreateAnnotationInput!) {\n    createAnnotation(input: $input) { ...AnnotationFields }\n  }\n"): typeof import('./graphql.ts').CreateAnnotationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAnnotation($id: ID!, $input: UpdateAnnotationInput!) {\n    updateAnnotation(id: $id, input: $input) { ...AnnotationFields }\n  }\n"): typeof import('./graphql.ts').UpdateAnnotationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveDraft($taskId: ID!, $result: JSON!) {\n    saveDraft(taskId: $taskId, result: $result) { ...DraftFields }\n  }\n"): typeof import('./graphql.ts').SaveDraftDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewAnnotation($id: ID!, $accepted: Boolean!, $comment: String, $result: JSON, $updatedAt: Time) {\n    reviewAnnotation(id: $id, accepted: $accepted, comment: $comment, result: $result, updatedAt: $updatedAt) {\n      ...AnnotationFields\n    }\n  }\n"): typeof import('./graphql.ts').ReviewAnnotationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NextReview($projectId: ID!, $after: ID) {\n    nextReview(projectId: $projectId, after: $after) {\n      ...AnnotationFields\n      task { ...TaskFields }\n    }\n  }\n"): typeof import('./graphql.ts').NextReviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LabelStreamStatus($projectId: ID!) {\n    labelStreamStatus(projectId: $projectId) { left lockedByOthers }\n  }\n"): typeof import('./graphql.ts').LabelStreamStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyAnnotations($reviewState: ReviewState, $first: Int, $after: Cursor) {\n    myAnnotations(reviewState: $reviewState, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node {\n          id\n          wasCancelled\n          createdAt\n          updatedAt\n          reviewState\n          reviewComment\n          reviewedAt\n          task { id innerId project { id title } }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').MyAnnotationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectMembers($id: ID!) {\n    project(id: $id) { id members { ...UserSummaryFields } }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n"): typeof import('./graphql.ts').ProjectMembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddProjectMember($projectId: ID!, $userId: ID!) {\n    addProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n"): typeof import('./graphql.ts').AddProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProjectMember($projectId: ID!, $userId: ID!) {\n    removeProjectMember(projectId: $projectId, userId: $userId) { id members { ...UserSummaryFields } }\n  }\n"): typeof import('./graphql.ts').RemoveProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspaceChoices {\n    workspaces { id title }\n  }\n"): typeof import('./graphql.ts').WorkspaceChoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workspaces {\n    workspaces { ...WorkspaceFields }\n    members(first: 100) { totalCount edges { node { id role user { ...UserSummaryFields } } } }\n  }\n"): typeof import('./graphql.ts').WorkspacesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWorkspace($title: String!) {\n    createWorkspace(title: $title) { ...WorkspaceFields }\n  }\n"): typeof import('./graphql.ts').CreateWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    addWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n"): typeof import('./graphql.ts').AddWorkspaceMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveWorkspaceMember($workspaceId: ID!, $userId: ID!) {\n    removeWorkspaceMember(workspaceId: $workspaceId, userId: $userId) { ...WorkspaceFields }\n  }\n"): typeof import('./graphql.ts').RemoveWorkspaceMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectWebhooks($id: ID!) {\n    project(id: $id) { id webhooks { ...WebhookFields } }\n  }\n"): typeof import('./graphql.ts').ProjectWebhooksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationWebhooks {\n    organization { id webhooks { ...WebhookFields } }\n  }\n"): typeof import('./graphql.ts').OrganizationWebhooksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectDeliveries($id: ID!) {\n    project(id: $id) { webhooks { ...WebhookDeliveriesFields } }\n  }\n"): typeof import('./graphql.ts').ProjectDeliveriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationDeliveries {\n    organization { webhooks { ...WebhookDeliveriesFields } }\n  }\n"): typeof import('./graphql.ts').OrganizationDeliveriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) { secret webhook { ...WebhookFields } }\n  }\n"): typeof import('./graphql.ts').CreateWebhookDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhook($id: ID!, $input: UpdateWebhookInput!) {\n    updateWebhook(id: $id, input: $input) { ...WebhookFields }\n  }\n"): typeof import('./graphql.ts').UpdateWebhookDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"): typeof import('./graphql.ts').DeleteWebhookDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectStorages($id: ID!) {\n    project(id: $id) { id storages { ...StorageFields } }\n  }\n"): typeof import('./graphql.ts').ProjectStoragesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateStorage($input: CreateStorageInput!) {\n    createStorage(input: $input) { ...StorageFields }\n  }\n"): typeof import('./graphql.ts').CreateStorageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateStorage($id: ID!, $input: UpdateStorageInput!) {\n    updateStorage(id: $id, input: $input) { ...StorageFields }\n  }\n"): typeof import('./graphql.ts').UpdateStorageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteStorage($id: ID!) {\n    deleteStorage(id: $id)\n  }\n"): typeof import('./graphql.ts').DeleteStorageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckStorage($id: ID!) {\n    checkStorage(id: $id) { ok message }\n  }\n"): typeof import('./graphql.ts').CheckStorageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SyncStorage($id: ID!) {\n    syncStorage(id: $id) { ...StorageSyncFields }\n  }\n"): typeof import('./graphql.ts').SyncStorageDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
