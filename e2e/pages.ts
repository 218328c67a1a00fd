// Page objects for the front door: role and label locators plus intent
// methods, nothing else.
import { expect, type Locator, type Page } from "@playwright/test";

export class SignupPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByLabel("Email");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Create account" });
  }

  async signUp(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
    await expect(this.page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  }
}

export class AccountPage {
  readonly resetToken: Locator;
  readonly tokenDialog: Locator;

  constructor(readonly page: Page) {
    this.resetToken = page.getByRole("button", { name: "Reset API token" });
    this.tokenDialog = page.getByRole("dialog", { name: "Your new API token" });
  }

  async goto(): Promise<void> {
    await this.page.getByRole("link", { name: "Account" }).click();
    await expect(this.page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  }

  // resetApiToken resets the token through the dialog and returns the token
  // it showed, after closing the dialog.
  async resetApiToken(): Promise<string> {
    await this.resetToken.click();
    const confirm = this.page.getByRole("dialog", { name: "Reset your API token?" });
    await expect(confirm).toBeVisible();
    await confirm.getByRole("button", { name: "Reset token" }).click();
    await expect(this.tokenDialog).toBeVisible();
    const token = await this.tokenDialog.getByLabel("API token", { exact: true }).inputValue();
    await this.tokenDialog.getByRole("button", { name: "Copy" }).click();
    await expect(this.tokenDialog.getByRole("status")).toHaveText("Copied");
    await this.tokenDialog.getByRole("button", { name: "Done" }).click();
    await expect(this.tokenDialog).toBeHidden();
    return token;
  }
}

export class OrganizationPage {
  readonly inviteLink: Locator;
  readonly members: Locator;

  constructor(readonly page: Page) {
    this.inviteLink = page.getByLabel("Invite link", { exact: true });
    this.members = page.getByRole("table");
  }

  async goto(): Promise<void> {
    await this.page.getByRole("link", { name: "Organization" }).click();
    await expect(this.page.getByText(/Your role:/)).toBeVisible();
  }

  async copyInviteLink(): Promise<string> {
    await this.page.getByRole("button", { name: "Copy invite link" }).click();
    await expect(this.page.getByRole("status")).toHaveText("Copied");
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async resetInviteLink(): Promise<string> {
    const before = await this.inviteLink.inputValue();
    await this.page.getByRole("button", { name: "Reset invite link" }).click();
    await this.page.getByRole("button", { name: "Reset link" }).click();
    await expect(this.page.getByRole("status")).toHaveText("The old link no longer works.");
    await expect(this.inviteLink).not.toHaveValue(before);
    return this.inviteLink.inputValue();
  }

  memberRow(name: string): Locator {
    return this.members.getByRole("row").filter({ hasText: name });
  }
}
