// Page objects for roles: organization administration, role invites, the
// audit log, project members, review and My work. Role and label locators
// plus intent methods, nothing else.
import { expect, type Locator, type Page } from "@playwright/test";
import { projectIdOf, taskId } from "./labeling-pages";

export type RoleName = "Owner" | "Admin" | "Manager" | "Reviewer" | "Annotator";
export type ReviewStateName = "Any" | "All" | "Pending" | "Accepted" | "Rejected";

/** The top bar's main navigation. */
export class MainNav {
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole("navigation", { name: "Main" });
  }

  link(name: string): Locator {
    return this.nav.getByRole("link", { name, exact: true });
  }

  async open(name: string, heading: string | RegExp = name): Promise<void> {
    await this.link(name).click();
    await expect(this.page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
  }

  // switchOrganization uses the top bar's switcher, shown to members of
  // more than one organization; it lands on the projects.
  async switchOrganization(title: string): Promise<void> {
    await this.page.getByLabel("Current organization").selectOption({ label: title });
    await this.page.getByRole("button", { name: "Switch organization", exact: true }).click();
    await expect(this.page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  }
}

/** The pages a role may not open say so instead of showing anything. */
export function noAccess(page: Page): Locator {
  return page.getByRole("heading", { name: "You don't have access to this page.", level: 1 });
}

export class InviteSignupPage {
  constructor(readonly page: Page) {}

  // signUp opens an invite link, checks what it offers and creates the account.
  async signUp(url: string, role: RoleName, email: string, password: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByRole("heading", { name: new RegExp(`^Join .+ as ${role}$`), level: 1 })).toBeVisible();
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Create account" }).click();
    await expect(this.page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  }
}

export class OrganizationAdminPage {
  readonly members: Locator;
  readonly invites: Locator;
  readonly inviteRole: Locator;
  readonly inviteProject: Locator;
  readonly inviteHours: Locator;
  readonly inviteDialog: Locator;

  constructor(readonly page: Page) {
    this.members = page.getByRole("table", { name: "Members" });
    this.invites = page.getByRole("table", { name: "Role invites" });
    this.inviteRole = page.getByLabel("Role", { exact: true });
    this.inviteProject = page.getByLabel("Project", { exact: true });
    this.inviteHours = page.getByLabel("Expires in hours");
    this.inviteDialog = page.getByRole("dialog", { name: "Your new invite link" });
  }

  async goto(): Promise<void> {
    await new MainNav(this.page).link("Organization").click();
    await expect(this.page.getByText(/Your role:/)).toBeVisible();
  }

  // createInvite fills the Create invite form and returns the link the
  // dialog shows once, after closing it.
  async createInvite(role: RoleName, options: { project?: string; hours?: number; copy?: boolean } = {}): Promise<string> {
    await this.inviteRole.selectOption({ label: role });
    await this.inviteProject.selectOption(options.project ? { label: options.project } : { label: "No project" });
    await this.inviteHours.fill(options.hours === undefined ? "" : String(options.hours));
    await this.page.getByRole("button", { name: "Create invite", exact: true }).click();
    await expect(this.inviteDialog).toBeVisible();
    const link = this.inviteDialog.getByLabel("Invite link", { exact: true });
    await expect(link).toHaveValue(/\/signup\?invite=/);
    const url = await link.inputValue();
    if (options.copy) {
      await this.inviteDialog.getByRole("button", { name: "Copy", exact: true }).click();
      await expect(this.inviteDialog.getByRole("status")).toHaveText("Copied");
    }
    await this.inviteDialog.getByRole("button", { name: "Done" }).click();
    await expect(this.inviteDialog).toBeHidden();
    return url;
  }

  /** inviteRows are the role invites listed, newest first. */
  inviteRows(): Locator {
    return this.invites.getByRole("row").filter({ has: this.page.getByRole("cell") });
  }

  async revokeNewestInvite(): Promise<void> {
    const row = this.inviteRows().first();
    await row.getByRole("button", { name: /^Revoke/ }).click();
    await expect(row.getByText("Revoked", { exact: true })).toBeVisible();
  }

  memberRow(name: string): Locator {
    return this.members.getByRole("row").filter({ has: this.page.getByText(name, { exact: true }) });
  }

  roleOf(name: string): Locator {
    return this.page.getByLabel(`Role of ${name}`, { exact: true });
  }

  async createOrganization(title: string): Promise<void> {
    await this.page.getByLabel("Organization title").fill(title);
    await this.page.getByRole("button", { name: "Create organization", exact: true }).click();
    await expect(this.page.getByRole("status")).toContainText(`Created “${title}”.`);
  }

  // switchTo makes another organization the active one from this page.
  async switchTo(title: string): Promise<void> {
    await this.page.getByLabel("Active organization", { exact: true }).selectOption({ label: title });
    await this.page.getByRole("button", { name: "Switch", exact: true }).click();
    await expect(this.page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    await expect(this.page.getByRole("status")).toHaveText(`You are now working in ${title}.`);
  }

  async leave(): Promise<void> {
    await this.page.getByRole("button", { name: "Leave organization", exact: true }).click();
    await this.page.getByRole("button", { name: "Leave", exact: true }).click();
  }

  async deactivate(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Deactivate ${name}`, exact: true }).click();
    await this.page.getByRole("button", { name: "Deactivate account", exact: true }).click();
    await expect(this.page.getByRole("status")).toHaveText(`${name} was deactivated and signed out everywhere.`);
    await expect(this.memberRow(name)).toContainText("Deactivated");
  }

  async changeRole(name: string, role: RoleName): Promise<void> {
    await this.roleOf(name).selectOption({ label: role });
    await this.page.getByRole("button", { name: `Save role of ${name}`, exact: true }).click();
    await expect(this.page.getByRole("status")).toHaveText(`${name} is now ${/^[AEIOU]/.test(role) ? "an" : "a"} ${role.toLowerCase()}.`);
    await expect(this.roleOf(name)).toHaveValue(role.toUpperCase());
  }
}

export class AuditLogPage {
  readonly events: Locator;
  readonly action: Locator;
  readonly download: Locator;

  constructor(readonly page: Page) {
    this.events = page.getByRole("table", { name: "Audit events" });
    this.action = page.getByLabel("Action", { exact: true });
    this.download = page.getByRole("link", { name: "Download JSON lines" });
  }

  async goto(): Promise<void> {
    await new MainNav(this.page).open("Audit log");
    await expect(this.events).toBeVisible();
  }

  async filterByAction(action: string): Promise<void> {
    await this.action.fill(action);
    await this.page.getByRole("button", { name: "Apply filters" }).click();
  }

  rows(): Locator {
    return this.events.getByRole("row").filter({ has: this.page.getByRole("cell") });
  }
}

/** The project page's tabs that the roles spec uses. */
export class ProjectTabs {
  readonly tabs: Locator;

  constructor(readonly page: Page) {
    this.tabs = page.getByRole("tablist", { name: "Project" }).getByRole("tab");
  }

  async open(name: "Data manager" | "Members" | "Settings"): Promise<void> {
    const tab = this.page.getByRole("tab", { name, exact: true });
    await tab.click();
    await expect(tab).toHaveAttribute("aria-selected", "true");
  }
}

export class ProjectMembersTab {
  readonly add: Locator;
  readonly list: Locator;

  constructor(readonly page: Page) {
    this.add = page.getByLabel("Add member", { exact: true });
    this.list = page.getByRole("list", { name: "Project members" });
  }

  async addMember(name: string, role: RoleName): Promise<void> {
    await this.add.selectOption({ label: `${name} (${role})` });
    await this.page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(this.page.getByRole("status")).toHaveText(`${name} was added to the project.`);
    await expect(this.removeButton(name)).toBeVisible();
  }

  removeButton(name: string): Locator {
    return this.list.getByRole("button", { name: `Remove ${name}`, exact: true });
  }
}

export class WorkspacesPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await new MainNav(this.page).open("Workspaces");
  }

  async create(title: string): Promise<void> {
    await this.page.getByLabel("Workspace title").fill(title);
    await this.page.getByRole("button", { name: "Create workspace" }).click();
    await expect(this.page.getByRole("status")).toHaveText(`Created the workspace “${title}”.`);
    await expect(this.workspace(title)).toBeVisible();
  }

  workspace(title: string): Locator {
    return this.page.getByRole("region", { name: title, exact: true });
  }
}

/** The review part of a task page, for reviewers and up. */
export class TaskReview {
  constructor(readonly page: Page) {}

  /** open opens the project's nth task (from 1) from its data manager. */
  async open(projectTitle: string, nth: number): Promise<void> {
    await new MainNav(this.page).link("Projects").click();
    await this.page.getByRole("link", { name: projectTitle, exact: true }).click();
    await expect(this.page.getByRole("heading", { name: projectTitle, level: 1 })).toBeVisible();
    const id = await taskId(this.page, projectIdOf(this.page), nth);
    await this.page.getByRole("link", { name: `Open task ${id}`, exact: true }).click();
    await expect(this.page.getByRole("heading", { name: `Task ${id}`, level: 1 })).toBeVisible();
    await expect(this.page).toHaveURL(new RegExp(`/tasks/${id}$`));
  }

  annotationBy(author: string): Locator {
    return this.page.getByRole("article", { name: `Annotation by ${author}` });
  }

  async review(author: string, verdict: "Accept" | "Reject", comment = ""): Promise<void> {
    const card = this.annotationBy(author);
    await card.getByLabel("Review comment").fill(comment);
    await card.getByRole("button", { name: verdict, exact: true }).click();
    await expect(card.getByRole("status")).toHaveText(verdict === "Accept" ? "Accepted." : "Rejected.");
  }
}

export class DataManagerFilters {
  readonly reviewState: Locator;
  readonly tasks: Locator;

  constructor(readonly page: Page) {
    this.reviewState = page.getByLabel("Review state");
    this.tasks = page.getByRole("table");
  }

  taskLinks(): Locator {
    return this.tasks.getByRole("link", { name: /^Open task / });
  }
}

export class MyWorkPage {
  readonly reviewState: Locator;
  readonly annotations: Locator;

  constructor(readonly page: Page) {
    this.reviewState = page.getByLabel("Review state");
    this.annotations = page.getByRole("table", { name: "Your annotations" });
  }

  async goto(): Promise<void> {
    await new MainNav(this.page).open("My work");
  }

  async show(state: ReviewStateName): Promise<void> {
    await this.reviewState.selectOption({ label: state });
  }

  row(projectTitle: string): Locator {
    return this.annotations.getByRole("row").filter({ hasText: projectTitle });
  }
}
