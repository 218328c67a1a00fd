// Page objects for projects and labeling: role and label locators plus
// intent methods, nothing else.
import { expect, type Locator, type Page } from "@playwright/test";

/**
 * taskId returns the id (the one in the URL, the API and the export, and the
 * "Task N" the UI shows) of the nth task of a project, counting from 1 in
 * import order, as the page's signed-in user sees the project.
 */
export async function taskId(page: Page, projectId: string, nth: number): Promise<string> {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`${origin}/graphql`, {
    headers: { "Content-Type": "application/json", Origin: origin },
    data: {
      query:
        "query($p: ID!){ project(id: $p){ tasks(first: 100, orderBy: {field: ID, direction: ASC}){ edges { node { id } } } } }",
      variables: { p: projectId },
    },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data: { project: { tasks: { edges: { node: { id: string } }[] } } } };
  const id = body.data.project.tasks.edges[nth - 1]?.node.id;
  expect(id, `task ${nth} of project ${projectId}`).toBeTruthy();
  return id!;
}

/** projectIdOf reads the project's id from a /projects/{id}/... address. */
export function projectIdOf(page: Page): string {
  return new URL(page.url()).pathname.split("/")[2] ?? "";
}

export class SignInPage {
  constructor(readonly page: Page) {}

  async signIn(baseUrl: string, email: string, password: string): Promise<void> {
    await this.page.goto(`${baseUrl}/login`);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await expect(this.page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  }
}

export class ProjectsPage {
  readonly heading: Locator;
  readonly createProject: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Projects", level: 1 });
    this.createProject = page.getByRole("link", { name: "Create project" });
  }

  async goto(): Promise<void> {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
    await expect(this.heading).toBeVisible();
  }

  async open(title: string): Promise<ProjectPage> {
    await this.goto();
    await this.page.getByRole("link", { name: title, exact: true }).click();
    await expect(this.page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    return new ProjectPage(this.page);
  }
}

export class NewProjectPage {
  readonly title: Locator;
  readonly config: Locator;
  readonly create: Locator;

  constructor(readonly page: Page) {
    this.title = page.getByLabel("Title");
    this.config = page.getByLabel("Labeling configuration");
    this.create = page.getByRole("button", { name: "Create project" });
  }

  template(name: string): Locator {
    return this.page.getByRole("radio", { name, exact: true });
  }

  // createFromTemplate makes a project from a gallery template and returns
  // its page.
  async createFromTemplate(template: string, title: string, configHas: string): Promise<ProjectPage> {
    await new ProjectsPage(this.page).goto();
    await this.page.getByRole("link", { name: "Create project" }).click();
    await expect(this.page.getByRole("heading", { name: "New project", level: 1 })).toBeVisible();
    await this.template(template).check();
    await expect(this.config).toHaveValue(new RegExp(configHas.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await this.title.fill(title);
    await this.create.click();
    await expect(this.page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
    await expect(this.page).toHaveURL(/\/projects\/[^/]+$/);
    return new ProjectPage(this.page);
  }
}

export class ProjectPage {
  readonly tasks: Locator;
  readonly taskFiles: Locator;
  readonly exportFormat: Locator;
  readonly downloadExport: Locator;

  constructor(readonly page: Page) {
    this.tasks = page.getByRole("table");
    this.taskFiles = page.getByLabel("Task files");
    this.exportFormat = page.getByLabel("Export format");
    this.downloadExport = page.getByRole("link", { name: "Download export" });
  }

  /** id reads the project's id from the address. */
  id(): string {
    return projectIdOf(this.page);
  }

  async tab(name: "Data manager" | "Import" | "Export" | "Settings"): Promise<void> {
    await this.page.getByRole("tab", { name }).click();
    await expect(this.page.getByRole("tab", { name })).toHaveAttribute("aria-selected", "true");
  }

  async importFiles(paths: string[], expected: number): Promise<void> {
    await this.tab("Import");
    await this.taskFiles.setInputFiles(paths);
    await this.page.getByRole("button", { name: "Import", exact: true }).click();
    await expect(this.page.getByRole("status")).toHaveText(`Imported ${expected} ${expected === 1 ? "task" : "tasks"}.`);
  }

  /** taskRows are the data manager's rows, one per task. */
  taskRows(): Locator {
    return this.tasks.getByRole("row").filter({ has: this.page.getByRole("link", { name: /^Open task / }) });
  }

  /** startLabeling opens the label stream; timeout is for a first task that takes long to draw. */
  async startLabeling(timeout?: number): Promise<LabelingPage> {
    await this.page.getByRole("link", { name: "Label", exact: true }).click();
    await expect(this.page.getByRole("heading", { name: /^Label /, level: 1 })).toBeVisible({ timeout });
    return new LabelingPage(this.page);
  }

  // exportTo opens the Export tab and chooses a format for the download link.
  async exportTo(format: string): Promise<void> {
    await this.tab("Export");
    await this.exportFormat.selectOption(format);
    await expect(this.downloadExport).toHaveAttribute("href", new RegExp(`format=${format}$`));
  }
}

export class LabelingPage {
  readonly submit: Locator;
  readonly skip: Locator;
  readonly regions: Locator;
  readonly done: Locator;
  readonly image: Locator;

  constructor(readonly page: Page) {
    this.submit = page.getByRole("button", { name: "Submit" });
    this.skip = page.getByRole("button", { name: "Skip" });
    this.regions = page.getByRole("region", { name: "Regions" }).getByRole("listitem");
    this.done = page.getByRole("heading", { name: /All tasks are done/ });
    this.image = page.getByRole("img", { name: /^Image to label/ });
  }

  /** task is the labeling region of the project's nth task (from 1), titled with the task's id. */
  async task(nth: number): Promise<Locator> {
    const id = await taskId(this.page, projectIdOf(this.page), nth);
    return this.page.getByRole("region", { name: `Task ${id}`, exact: true });
  }

  async choose(choice: string): Promise<void> {
    await this.page.getByRole("radio", { name: choice, exact: true }).check();
  }

  async pickLabel(label: string): Promise<void> {
    const button = this.page.getByRole("button", { name: label, exact: true });
    await button.click();
    await expect(button).toHaveAttribute("aria-pressed", "true");
  }

  // selectWithMouse drags the mouse across phrase inside the shown text,
  // from just inside its first character to just inside its last.
  async selectWithMouse(text: string, phrase: string): Promise<void> {
    const block = this.page.getByText(text, { exact: true });
    await expect(block).toBeVisible();
    const box = await block.evaluate((element, wanted) => {
      const node = element.firstChild;
      const start = node?.textContent?.indexOf(wanted) ?? -1;
      if (!node || start < 0) throw new Error(`"${wanted}" is not in the text`);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + wanted.length);
      const rect = range.getBoundingClientRect();
      return { left: rect.left, right: rect.right, middle: rect.top + rect.height / 2 };
    }, phrase);
    await this.page.mouse.move(box.left + 1, box.middle);
    await this.page.mouse.down();
    await this.page.mouse.move(box.right - 1, box.middle, { steps: 8 });
    await this.page.mouse.up();
  }

  // addSpanByOffsets uses the keyboard path: Start and End, then Add span.
  async addSpanByOffsets(start: number, end: number): Promise<void> {
    await this.page.getByLabel("Start", { exact: true }).fill(String(start));
    await this.page.getByLabel("End", { exact: true }).fill(String(end));
    await this.page.getByRole("button", { name: "Add span" }).click();
  }

  // drawBox drags on the image between two points given as fractions of
  // its width and height.
  async drawBox(from: [number, number], to: [number, number]): Promise<void> {
    await this.dragOnImage(from, to);
  }

  // dragOnImage drags the mouse between two points of the image, as
  // fractions of its width and height: it draws, moves or resizes.
  async dragOnImage(from: [number, number], to: [number, number]): Promise<void> {
    const box = await this.imageBox();
    await this.page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 10 });
    await this.page.mouse.up();
  }

  // rotateBox drags the selected box's rotate handle about the box's
  // top-left corner (fractions of the image) by degrees, clockwise.
  async rotateBox(corner: [number, number], degrees: number): Promise<void> {
    const box = await this.imageBox();
    const handle = await this.page.locator('[data-handle="rotate"]').boundingBox();
    if (!handle) throw new Error("the box has no rotate handle");
    const from = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 };
    const center = { x: box.x + box.width * corner[0], y: box.y + box.height * corner[1] };
    const t = (degrees * Math.PI) / 180;
    const [vx, vy] = [from.x - center.x, from.y - center.y];
    const to = { x: center.x + vx * Math.cos(t) - vy * Math.sin(t), y: center.y + vx * Math.sin(t) + vy * Math.cos(t) };
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    await this.page.mouse.move(to.x, to.y, { steps: 10 });
    await this.page.mouse.up();
  }

  // clickImage clicks a point of the image, as fractions of its size.
  async clickImage(at: [number, number]): Promise<void> {
    const box = await this.imageBox();
    await this.page.mouse.click(box.x + box.width * at[0], box.y + box.height * at[1]);
  }

  private async imageBox(): Promise<{ x: number; y: number; width: number; height: number }> {
    await expect(this.image).toBeVisible();
    // The whole image must be on screen, clear of the sticky top bar.
    await this.image.evaluate((image) => image.scrollIntoView({ block: "center" }));
    const box = await this.image.boundingBox();
    if (!box) throw new Error("the image has no box");
    return box;
  }
}
