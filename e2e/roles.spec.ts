// Roles end to end, in Chromium against the real binary started with an
// owner account (global-setup's "seeded" server). The owner invites one user
// per role through role invites; each signs up through their link in their
// own browser context, and each journey checks what that role may do and
// that what it may not is neither offered nor reachable by URL: members and
// roles, the audit log, project members, the label stream, review and
// resubmission through My work.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { NewProjectPage, SignInPage, taskId } from "./labeling-pages";
import {
  AuditLogPage,
  DataManagerFilters,
  InviteSignupPage,
  MainNav,
  MyWorkPage,
  noAccess,
  OrganizationAdminPage,
  ProjectMembersTab,
  ProjectTabs,
  TaskReview,
  WorkspacesPage,
  type RoleName,
} from "./roles-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();
const password = "roles are not a suggestion";

type Person = "admin" | "manager" | "reviewer" | "annotator" | "spare";
const roleOf: Record<Person, RoleName> = {
  admin: "Admin",
  manager: "Manager",
  reviewer: "Reviewer",
  annotator: "Annotator",
  spare: "Annotator",
};
const people = Object.fromEntries(
  (Object.keys(roleOf) as Person[]).map((p) => {
    const email = `${p}-${stamp}@example.com`;
    return [p, { email, name: email.split("@")[0]! }];
  }),
) as Record<Person, { email: string; name: string }>;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;
/** Each person's signed-in browser state, saved once at sign-up. */
const signedIn: Partial<Record<Person, StorageState>> = {};

const ownerProject = { title: `Roles welcome ${stamp}`, id: "" };
const memberProject = { title: `Roles reviews ${stamp}`, id: "" };
const otherProject = { title: `Roles elsewhere ${stamp}`, id: "" };
const texts = ["The battery lasts all week and charging is quick", "Stopped working after two days"];
const rejection = "The battery review is positive, not negative.";

test.describe.configure({ mode: "serial" });

// gql calls the API with the seeded owner's token, as a script would.
async function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await request.post(`${seeded.url}/graphql`, {
    headers: { Authorization: `Bearer ${seeded.token}` },
    data: { query, variables },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

async function createProject(request: APIRequestContext, title: string): Promise<string> {
  const data = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    {
      i: {
        title,
        labelConfig:
          '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>',
      },
    },
  );
  return data.createProject.id;
}

// as opens a page in a person's own browser context, signed in.
// deleteOrganizationAs deletes the organization titled title as the person
// signed in on page (its owner), through the API as the app calls it.
async function deleteOrganizationAs(page: Page, title: string): Promise<void> {
  const errors = await page.evaluate(async (title) => {
    const call = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch("/graphql", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: { organizations?: { id: string; title: string }[] }; errors?: unknown[] };
    };
    const orgs = await call("{ organizations { id title } }");
    const id = orgs.data?.organizations?.find((o) => o.title === title)?.id;
    if (!id) return [`no organization ${title}`, orgs.errors];
    const switched = await call("mutation($id: ID!) { switchOrganization(id: $id) { id } }", { id });
    const deleted = await call("mutation($id: ID!) { deleteOrganization(id: $id) }", { id });
    return [switched.errors, deleted.errors].filter((e) => e !== undefined);
  }, title);
  expect(errors).toEqual([]);
}

async function as(browser: Browser, person: Person): Promise<{ context: BrowserContext; page: Page }> {
  const storageState = signedIn[person];
  if (!storageState) throw new Error(`${person} has not signed up`);
  const context = await browser.newContext({ baseURL: seeded.url, storageState });
  const page = await context.newPage();
  await page.goto("/projects");
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  return { context, page };
}

test("owner: role invites, sign-ups, the audit log and a role change", async ({ browser, request }) => {
  const owner = await browser.newContext({ baseURL: seeded.url, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await owner.newPage();
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const nav = new MainNav(page);
  await expect(nav.link("Audit log")).toBeVisible();
  await expect(nav.link("Workspaces")).toBeVisible();
  ownerProject.id = await createProject(request, ownerProject.title);

  // One invite per role, each link shown once; the spare annotator's invite
  // leads into a project and expires.
  const org = new OrganizationAdminPage(page);
  await org.goto();
  await expect(page.getByText("Your role: Owner")).toBeVisible();
  await expect(org.inviteRole.getByRole("option", { name: "Owner", exact: true })).toHaveCount(1);
  const links: Partial<Record<Person, string>> = {};
  links.admin = await org.createInvite("Admin", { copy: true });
  links.manager = await org.createInvite("Manager");
  links.reviewer = await org.createInvite("Reviewer");
  links.annotator = await org.createInvite("Annotator");
  links.spare = await org.createInvite("Annotator", { project: ownerProject.title, hours: 24 });
  expect(new Set(Object.values(links)).size).toBe(5);
  await expect(org.inviteRows().first()).toContainText(ownerProject.title);
  // The list never shows a link again.
  for (const link of Object.values(links)) {
    await expect(page.getByText(link)).toHaveCount(0);
  }

  // A revoked invite stops working at once.
  const revoked = await org.createInvite("Manager");
  await org.revokeNewestInvite();
  const stranger = await browser.newContext({ baseURL: seeded.url });
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(revoked);
  await expect(strangerPage.getByRole("alert")).toHaveText("This invite link is not valid or has expired.");
  await stranger.close();

  // Everyone signs up through their own link, in their own browser.
  for (const person of Object.keys(links) as Person[]) {
    const context = await browser.newContext({ baseURL: seeded.url });
    const personPage = await context.newPage();
    await new InviteSignupPage(personPage).signUp(links[person]!, roleOf[person], people[person].email, password);
    signedIn[person] = await context.storageState();
    await context.close();
  }

  // The audit log has the invites.
  const audit = new AuditLogPage(page);
  await audit.goto();
  await expect(audit.download).toHaveAttribute("href", "/api/audit-events.jsonl");
  await expect(audit.download).toHaveAttribute("download", "");
  await audit.filterByAction("invite.created");
  await expect(audit.rows().first()).toContainText("invite.created");
  await expect.poll(() => audit.rows().count()).toBeGreaterThanOrEqual(6);
  await expect(audit.events.getByText("invite.revoked")).toHaveCount(0);
  await audit.filterByAction("invite.");
  await expect(audit.events.getByText("invite.revoked", { exact: true })).toHaveCount(1);

  // The last owner cannot step down; the server says why.
  await org.goto();
  await org.roleOf("manager").selectOption({ label: "Admin" });
  await page.getByRole("button", { name: "Save role of manager", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("an organization needs an owner");
  await expect(org.roleOf("manager")).toHaveValue("OWNER");

  // The owner makes the spare annotator a reviewer, who sees it at once.
  await expect(org.memberRow(people.spare.name)).toBeVisible();
  await org.changeRole(people.spare.name, "Reviewer");
  const spare = await as(browser, "spare");
  await expect(spare.page.getByRole("link", { name: ownerProject.title, exact: true })).toBeVisible();
  await new OrganizationAdminPage(spare.page).goto();
  await expect(spare.page.getByText("Your role: Reviewer")).toBeVisible();
  await Promise.all([spare.context.close(), owner.close()]);
});

test("admin: changes roles but never the owner's, and reads the audit log", async ({ browser }) => {
  const { context, page } = await as(browser, "admin");
  const nav = new MainNav(page);
  await expect(nav.link("Audit log")).toBeVisible();

  const org = new OrganizationAdminPage(page);
  await org.goto();
  await expect(page.getByText("Your role: Admin")).toBeVisible();
  await expect(org.memberRow(people.manager.name)).toContainText(people.manager.email);
  // No Owner option anywhere, and the owner's own role is not editable.
  await expect(org.roleOf(people.spare.name).getByRole("option")).toHaveText(["Admin", "Manager", "Reviewer", "Annotator"]);
  await expect(org.inviteRole.getByRole("option", { name: "Owner", exact: true })).toHaveCount(0);
  await expect(org.roleOf("manager")).toHaveCount(0);
  await expect(org.memberRow("manager")).toContainText("Owner");
  await expect(page.getByRole("button", { name: "Remove manager", exact: true })).toHaveCount(0);
  await org.changeRole(people.spare.name, "Annotator");

  // Anyone may start an organization of their own and switch between them;
  // its last owner cannot leave it.
  const home = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  const spare = await as(browser, "spare");
  const spareOrg = new OrganizationAdminPage(spare.page);
  await spareOrg.goto();
  const lab = `Spare lab ${stamp}`;
  await spareOrg.createOrganization(lab);
  await spareOrg.switchTo(lab);
  await expect(spare.page.getByText("Your role: Owner")).toBeVisible();
  await expect(spare.page.getByRole("link", { name: ownerProject.title })).toHaveCount(0);
  await spareOrg.leave();
  await expect(spare.page.getByRole("alert")).toContainText("an organization needs an owner");
  await new MainNav(spare.page).switchOrganization(home);
  await expect(spare.page.getByRole("link", { name: ownerProject.title, exact: true })).toBeVisible();

  // The spare owns Spare lab too: deactivating their account would lock
  // them out of it, which is not this organization's admin's to do...
  await page.getByRole("button", { name: `Deactivate ${people.spare.name}`, exact: true }).click();
  await page.getByRole("button", { name: "Deactivate account", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("belongs to other organizations too");
  await expect(org.memberRow(people.spare.name)).not.toContainText("Deactivated");
  const cancel = page.getByRole("button", { name: "Cancel", exact: true });
  if (await cancel.isVisible()) await cancel.click();
  // ...until the lab is gone, deleted by its owner.
  await deleteOrganizationAs(spare.page, lab);
  // Deactivating the spare signs them out everywhere.
  await org.deactivate(people.spare.name);
  await expect(page.getByRole("button", { name: `Deactivate ${people.spare.name}` })).toHaveCount(0);
  await spare.page.reload();
  await expect(spare.page).toHaveURL(/\/login$/);

  const audit = new AuditLogPage(page);
  await audit.goto();
  await audit.filterByAction("user.deactivated");
  await expect(audit.rows().first()).toContainText(people.admin.name);
  await audit.filterByAction("member.");
  await expect(audit.rows().first()).toContainText("member.role_changed");
  await Promise.all([context.close(), spare.context.close()]);
});

test("manager: a project, its tasks and members; no audit log", async ({ browser, request }) => {
  const { context, page } = await as(browser, "manager");
  const nav = new MainNav(page);
  await expect(nav.link("Workspaces")).toBeVisible();
  await expect(nav.link("Audit log")).toHaveCount(0);

  const project = await new NewProjectPage(page).createFromTemplate(
    "Text classification",
    memberProject.title,
    '<Choices name="sentiment" toName="text"',
  );
  memberProject.id = project.id();
  const imported = await gql<{ importTasks: { taskCount: number } }>(
    request,
    "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }",
    { p: memberProject.id, t: texts.map((text) => ({ data: { text } })) },
  );
  expect(imported.importTasks.taskCount).toBe(texts.length);
  otherProject.id = await createProject(request, otherProject.title);

  // The annotator and the reviewer join the project.
  await page.reload();
  const tabs = new ProjectTabs(page);
  await expect(tabs.tabs).toHaveText(["Data manager", "Import", "Export", "Members", "Storages", "Settings", "Webhooks"]);
  await tabs.open("Members");
  const members = new ProjectMembersTab(page);
  await members.addMember(people.annotator.name, "Annotator");
  await members.addMember(people.reviewer.name, "Reviewer");
  await expect(members.list.getByRole("listitem")).toHaveCount(2);

  // A workspace, and the project in it.
  const workspaces = new WorkspacesPage(page);
  await workspaces.goto();
  const workspace = `Roles team ${stamp}`;
  await workspaces.create(workspace);
  await page.goto(`/projects/${memberProject.id}?tab=settings`);
  await page.getByLabel("Workspace", { exact: true }).selectOption({ label: workspace });
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Settings saved.");
  await workspaces.goto();
  await expect(workspaces.workspace(workspace).getByRole("link", { name: memberProject.title })).toBeVisible();

  // The audit log is not for managers, whichever way they come.
  await page.goto("/audit");
  await expect(noAccess(page)).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
  await context.close();
});

test("annotator: only member projects, the label stream, and no way in elsewhere", async ({ browser }) => {
  const { context, page } = await as(browser, "annotator");
  const nav = new MainNav(page);
  await expect(nav.link("My work")).toBeVisible();
  await expect(nav.link("Workspaces")).toHaveCount(0);
  await expect(nav.link("Audit log")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Create project" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: memberProject.title, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: otherProject.title, exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: ownerProject.title, exact: true })).toHaveCount(0);

  await page.getByRole("link", { name: memberProject.title, exact: true }).click();
  await expect(page.getByRole("heading", { name: memberProject.title, level: 1 })).toBeVisible();
  await expect(new ProjectTabs(page).tabs).toHaveText(["Data manager"]);
  for (const name of ["Import", "Export", "Settings", "Members"]) {
    await expect(page.getByRole("tab", { name })).toHaveCount(0);
  }

  // The label stream: the first task, labeled wrongly on purpose.
  await page.getByRole("link", { name: "Label", exact: true }).click();
  // The stream has handed the task out (and so the annotator may see it)
  // once its text shows; only then can its id be looked up as them.
  await expect(page.getByText(texts[0]!, { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: `Task ${await taskId(page, memberProject.id, 1)}`, exact: true })).toBeVisible();
  await page.getByRole("radio", { name: "Negative", exact: true }).check();
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByText(texts[1]!, { exact: true })).toBeVisible();
  await expect(page.getByRole("region", { name: `Task ${await taskId(page, memberProject.id, 2)}`, exact: true })).toBeVisible();

  // Other projects are not found; pages for managers are not for them.
  await page.goto(`/projects/${otherProject.id}`);
  await expect(page.getByRole("heading", { name: "Project not found", level: 1 })).toBeVisible();
  await page.goto(`/projects/${otherProject.id}/label`);
  await expect(page.getByRole("heading", { name: "Project not found", level: 1 })).toBeVisible();
  await page.goto("/projects/new");
  await expect(noAccess(page)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create project" })).toHaveCount(0);
  await page.goto("/workspaces");
  await expect(noAccess(page)).toBeVisible();
  await page.goto("/audit");
  await expect(noAccess(page)).toBeVisible();
  await context.close();
});

test("reviewer: rejects with a comment, the annotator fixes it, the reviewer accepts", async ({ browser }) => {
  const reviewer = await as(browser, "reviewer");
  await expect(new MainNav(reviewer.page).link("Audit log")).toHaveCount(0);
  const review = new TaskReview(reviewer.page);
  await review.open(memberProject.title, 1);
  const card = review.annotationBy(people.annotator.name);
  await expect(card.getByText("Pending", { exact: true })).toBeVisible();
  await review.review(people.annotator.name, "Reject", rejection);
  await expect(card.getByText("Rejected", { exact: true })).toBeVisible();

  // The annotator finds it in My work with the comment, fixes it and resubmits.
  const annotator = await as(browser, "annotator");
  const work = new MyWorkPage(annotator.page);
  await work.goto();
  await work.show("Rejected");
  const row = work.row(memberProject.title);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(rejection);
  const first = await taskId(annotator.page, memberProject.id, 1);
  await row.getByRole("link", { name: `Fix task ${first}`, exact: true }).click();
  await expect(annotator.page.getByRole("heading", { name: `Task ${first}`, level: 1 })).toBeVisible();
  await expect(annotator.page.getByText("A reviewer rejected your annotation.")).toBeVisible();
  await expect(annotator.page.getByText(rejection)).toBeVisible();
  await expect(annotator.page.getByRole("radio", { name: "Negative", exact: true })).toBeChecked();
  await annotator.page.getByRole("radio", { name: "Positive", exact: true }).check();
  await annotator.page.getByRole("button", { name: "Update", exact: true }).click();
  await expect(annotator.page.getByRole("status")).toHaveText("Saved.");
  await expect(annotator.page.getByText("Your annotation is waiting for review.")).toBeVisible();
  await work.goto();
  await work.show("Pending");
  await expect(work.row(memberProject.title)).toHaveCount(1);

  // The reviewer sees the resubmission and accepts it.
  await reviewer.page.reload();
  await expect(card.getByText("Pending", { exact: true })).toBeVisible();
  await review.review(people.annotator.name, "Accept");
  await expect(card.getByText("Accepted", { exact: true })).toBeVisible();

  // The data manager filters by review state.
  await reviewer.page.getByRole("link", { name: "Back to the data manager" }).click();
  const filters = new DataManagerFilters(reviewer.page);
  await filters.reviewState.selectOption({ label: "Accepted" });
  await expect(filters.taskLinks()).toHaveText([first]);
  await filters.reviewState.selectOption({ label: "Rejected" });
  await expect(reviewer.page.getByText("No tasks match these filters.")).toBeVisible();

  // And the annotator's work shows as accepted.
  await work.show("Accepted");
  await expect(work.row(memberProject.title)).toHaveCount(1);
  await Promise.all([reviewer.context.close(), annotator.context.close()]);
});
