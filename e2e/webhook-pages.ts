// Page object for a webhooks section (project tab or organization page):
// role and label locators plus intent methods, nothing else.
import { expect, type Locator, type Page } from "@playwright/test";

export class WebhooksSection {
  readonly section: Locator;

  constructor(readonly page: Page, heading: string) {
    this.section = page.getByRole("region", { name: heading });
  }

  // add makes a webhook and returns the secret the dialog shows once.
  async add(url: string, events: string[]): Promise<string> {
    const form = this.section.getByRole("form", { name: "Add webhook" });
    await form.getByLabel("Receiver URL").fill(url);
    for (const box of await form.getByRole("checkbox").all()) {
      const name = (await box.evaluate((el) => el.parentElement?.textContent ?? "")).trim();
      if (name.startsWith("Send") || name === "Active") continue;
      await box.setChecked(events.includes(name));
    }
    await form.getByRole("button", { name: "Add webhook" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Your webhook's signing secret" });
    const secret = await dialog.getByLabel("Signing secret").inputValue();
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(dialog).toBeHidden();
    return secret;
  }

  receiver(url: string): Locator {
    return this.section.getByRole("listitem").filter({ hasText: url });
  }

  async pause(url: string): Promise<void> {
    await this.receiver(url).getByRole("button", { name: "Edit" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Edit webhook" });
    await dialog.getByRole("checkbox", { name: "Active" }).uncheck();
    await dialog.getByRole("button", { name: "Save webhook" }).click();
    await expect(dialog).toBeHidden();
  }

  async remove(url: string): Promise<void> {
    await this.receiver(url).getByRole("button", { name: "Delete" }).click();
  }
}
