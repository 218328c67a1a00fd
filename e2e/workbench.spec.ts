// The labeling workbench, in Chromium against the real binary (global-setup's
// "seeded" server, signed in as its owner): undo and redo across edits, and
// drafts saved as the annotator works and restored when they come back.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { png } from "./images";
import { LabelingPage, ProjectsPage, SignInPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

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

const nerWithSentiment = `<View>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/></Labels>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <TextArea name="note" toName="text" editable="true"/>
</View>`;

// project makes a project with tasks through the API and returns its id.
async function project(request: APIRequestContext, title: string, config: string, tasks: unknown[]): Promise<string> {
  const created = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: config } },
  );
  const id = created.createProject.id;
  await gql(request, "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }", {
    p: id,
    t: tasks,
  });
  return id;
}

interface Item {
  type: string;
  value: Record<string, unknown>;
}

// results returns the owner's annotation results and drafts of a project's tasks.
async function results(request: APIRequestContext, projectId: string) {
  const data = await gql<{
    tasks: { edges: { node: { annotations: { result: Item[] }[]; myDraft: { result: Item[] } | null } }[] };
  }>(request, "query($p: ID!){ tasks(projectId:$p, first: 20){ edges { node { annotations { result } myDraft { result } } } } }", {
    p: projectId,
  });
  return data.tasks.edges.map((e) => e.node);
}

async function signIn(page: Page): Promise<void> {
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
}

const text = "Ada Lovelace wrote in London.";

test("undo and redo: Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y across spans, choices and texts", async ({ page, request }) => {
  const title = `Undo ${stamp}`;
  const id = await project(request, title, nerWithSentiment, [{ text }]);
  await signIn(page);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await expect(undo).toBeDisabled();

  await labeling.pickLabel("PER");
  await labeling.addSpanByOffsets(0, 12);
  await expect(labeling.regions).toHaveCount(1);
  await labeling.choose("Positive");
  const note = page.getByLabel("Note", { exact: true });
  await note.fill("first");
  await note.press("Enter");
  const added = page.getByLabel("Note text 1", { exact: true });
  await expect(added).toHaveValue("first");

  // Undo from the page (focus off any text field), newest edit first.
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("Control+z");
  await expect(added).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).not.toBeChecked();
  await page.keyboard.press("Control+z");
  await expect(labeling.regions).toHaveCount(0);
  await expect(undo).toBeDisabled();

  await page.keyboard.press("Control+Shift+z");
  await expect(labeling.regions).toHaveCount(1);
  await page.keyboard.press("Control+y");
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).toBeChecked();
  await redo.click();
  await expect(added).toHaveValue("first");
  await expect(redo).toBeDisabled();

  // A deletion undoes too.
  await page.getByRole("button", { name: "Delete region 1" }).click();
  await expect(labeling.regions).toHaveCount(0);
  await undo.click();
  await expect(labeling.regions).toHaveCount(1);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const [task] = await results(request, id);
  const result = task!.annotations[0]!.result;
  expect(result.map((r) => r.type).sort()).toEqual(["choices", "labels", "textarea"]);
  expect(result.find((r) => r.type === "labels")?.value).toMatchObject({ start: 0, end: 12, labels: ["PER"] });
});

test("drafts: saved as the annotator works, restored after a reload, removed on submit", async ({ page, request }) => {
  const title = `Drafts ${stamp}`;
  const id = await project(request, title, nerWithSentiment, [{ text }]);
  await signIn(page);
  let labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  await labeling.pickLabel("LOC");
  await labeling.addSpanByOffsets(text.indexOf("London"), text.indexOf("London") + 6);
  await labeling.choose("Negative");

  // Leaving before the draft is saved asks first; staying keeps the work.
  const asked: string[] = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain("not saved");
  await expect(await labeling.task(1)).toBeVisible();

  await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  const [saved] = await results(request, id);
  expect(saved!.annotations).toHaveLength(0);
  expect(saved!.myDraft?.result.map((r) => r.type).sort()).toEqual(["choices", "labels"]);

  await page.reload();
  labeling = new LabelingPage(page);
  await expect(await labeling.task(1)).toBeVisible();
  await expect(page.getByText(/Restored your draft from/)).toBeVisible();
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("LOC");
  await expect(page.getByRole("radio", { name: "Negative", exact: true })).toBeChecked();

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const [submitted] = await results(request, id);
  expect(submitted!.annotations).toHaveLength(1);
  expect(submitted!.myDraft).toBeNull();
});

test("skip never destroys: skipping an annotated task asks, and staying keeps the annotation", async ({ page, request }) => {
  const title = `Skip ${stamp}`;
  const id = await project(request, title, nerWithSentiment, [{ text }]);
  const task = await gql<{ nextTask: { id: string } }>(request, "query($p: ID!){ nextTask(projectId: $p){ id } }", { p: id });
  const choice = [{ id: "c1", from_name: "sentiment", to_name: "text", type: "choices", value: { choices: ["Positive"] } }];
  await gql(request, "mutation($i: CreateAnnotationInput!){ createAnnotation(input: $i){ id } }", {
    i: { taskId: task.nextTask.id, result: choice },
  });
  await signIn(page);
  await page.goto(`${seeded.url}/projects/${id}/tasks/${task.nextTask.id}`);
  const labeling = new LabelingPage(page);
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).toBeChecked();

  const asked: string[] = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await labeling.skip.click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain("throws your annotation away");
  let [kept] = await results(request, id);
  expect(kept!.annotations).toHaveLength(1);
  expect(kept!.annotations[0]!.result).toHaveLength(1);

  page.once("dialog", (dialog) => void dialog.accept());
  await labeling.skip.click();
  await expect(page.getByRole("status").filter({ hasText: "Skipped." })).toBeVisible();
  [kept] = await results(request, id);
  expect(kept!.annotations[0]!.result).toHaveLength(0);
});

// boxOf reads a box region's x, y, width and height from the regions list,
// rounded to whole percent.
async function boxOf(region: Locator): Promise<number[]> {
  const text = (await region.textContent()) ?? "";
  const found = /box at ([\d.]+)%, ([\d.]+)%, ([\d.]+)% × ([\d.]+)%/.exec(text);
  return found ? found.slice(1).map((n) => Math.round(Number(n))) : [];
}

// pointOf reads a keypoint region's x and y from the regions list, rounded.
async function pointOf(region: Locator): Promise<number[]> {
  const text = (await region.textContent()) ?? "";
  const found = /point at ([\d.]+)%, ([\d.]+)%/.exec(text);
  return found ? found.slice(1).map((n) => Math.round(Number(n))) : [];
}

const boxesAndPolygons = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels>
  <PolygonLabels name="area" toName="image"><Label value="Lake"/></PolygonLabels>
  <KeyPointLabels name="point" toName="image"><Label value="Eye"/></KeyPointLabels>
</View>`;

test("regions adjust: a box moved and resized, a polygon vertex dragged, the label on the box", async ({ page, request }) => {
  const title = `Adjust ${stamp}`;
  const id = await project(request, title, boxesAndPolygons, [{ image: png(200, 100, [60, 140, 90]) }]);
  await signIn(page);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();

  await labeling.pickLabel("Car");
  await labeling.drawBox([0.2, 0.2], [0.5, 0.5]);
  await expect(labeling.regions).toHaveCount(1);
  // The label shows on the box.
  await expect(page.locator(".lc-region-label")).toHaveText(["Car"]);

  await labeling.pickLabel("Lake");
  for (const at of [[0.05, 0.05], [0.15, 0.05], [0.1, 0.15], [0.05, 0.05]] as [number, number][]) {
    await labeling.clickImage(at);
  }
  await expect(labeling.regions).toHaveCount(2);
  // Let go of the label: the pointer now selects and adjusts.
  await page.getByRole("button", { name: "Lake", exact: true }).click();
  await expect(page.getByRole("button", { name: "Lake", exact: true })).toHaveAttribute("aria-pressed", "false");

  // Move the box by its body, then resize it by its bottom-right corner.
  await labeling.dragOnImage([0.35, 0.35], [0.45, 0.55]);
  const box = labeling.regions.first();
  await expect.poll(() => boxOf(box)).toEqual([30, 40, 30, 30]);
  await labeling.dragOnImage([0.6, 0.7], [0.8, 0.9]);
  await expect.poll(() => boxOf(box)).toEqual([30, 40, 50, 50]);
  // The resize is one undo step.
  await page.keyboard.press("Control+z");
  await expect.poll(() => boxOf(box)).toEqual([30, 40, 30, 30]);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => boxOf(box)).toEqual([30, 40, 50, 50]);
  // The handle above the box turns it about its top-left corner: first as
  // far as would push a corner off the image (it stops at the edge), then
  // 10 degrees the other way.
  await labeling.rotateBox([0.3, 0.4], 20);
  await labeling.rotateBox([0.3, 0.4], -10);

  // Alt+arrows go between regions; select the polygon and drag a vertex.
  await page.keyboard.press("Alt+ArrowRight");
  await expect(page.getByRole("button", { name: "Select region 2" })).toHaveAttribute("aria-pressed", "true");
  await labeling.dragOnImage([0.15, 0.05], [0.18, 0.12]);
  const polygon = labeling.regions.nth(1);
  await expect(polygon).toContainText("polygon with 3 points");
  // The handle in the middle of a side adds a vertex; Alt+click takes it away again.
  await labeling.dragOnImage([0.115, 0.085], [0.12, 0.02]);
  await expect(polygon).toContainText("polygon with 4 points");
  await page.keyboard.down("Alt");
  await labeling.clickImage([0.12, 0.02]);
  await page.keyboard.up("Alt");
  await expect(polygon).toContainText("polygon with 3 points");

  // A keypoint drags too.
  await labeling.pickLabel("Eye");
  await labeling.clickImage([0.9, 0.1]);
  await expect(labeling.regions).toHaveCount(3);
  await page.getByRole("button", { name: "Eye", exact: true }).click();
  await labeling.dragOnImage([0.9, 0.1], [0.85, 0.2]);
  // The arrow keys move the selected region: two long steps down are one undo step.
  const point = labeling.regions.nth(2);
  await expect.poll(() => pointOf(point)).toEqual([85, 20]);
  await page.keyboard.press("Shift+ArrowDown");
  await page.keyboard.press("Shift+ArrowDown");
  await expect.poll(() => pointOf(point)).toEqual([85, 30]);
  await page.keyboard.press("Control+z");
  await expect.poll(() => pointOf(point)).toEqual([85, 20]);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => pointOf(point)).toEqual([85, 30]);

  // The shortcuts are listed on "?".
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const [task] = await results(request, id);
  const result = task!.annotations[0]!.result;
  const saved = result.find((r) => r.type === "rectanglelabels")!.value as Record<string, number>;
  expect(saved.x).toBeCloseTo(30, 0);
  expect(saved.y).toBeCloseTo(40, 0);
  expect(saved.width).toBeCloseTo(50, 0);
  expect(saved.height).toBeCloseTo(50, 0);
  expect(saved.rotation).toBeGreaterThan(340);
  expect(saved.rotation).toBeLessThan(360);
  const points = result.find((r) => r.type === "polygonlabels")!.value.points as [number, number][];
  expect(points).toHaveLength(3);
  expect(points[0]![0]).toBeCloseTo(5, 0);
  expect(points[1]![0]).toBeCloseTo(18, 0);
  expect(points[1]![1]).toBeCloseTo(12, 0);
  const eye = result.find((r) => r.type === "keypointlabels")!.value as Record<string, number>;
  expect(eye.x).toBeCloseTo(85, 0);
  expect(eye.y).toBeCloseTo(30, 0);
});

test("select first: a selection made before a label waits and is labeled when one is picked, by whole words", async ({
  page,
  request,
}) => {
  const title = `Select first ${stamp}`;
  const words = `<View>
  <Labels name="label" toName="text" granularity="word"><Label value="PER"/><Label value="LOC"/></Labels>
  <Text name="text" value="$text"/>
</View>`;
  const id = await project(request, title, words, [{ text }]);
  await signIn(page);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();

  // Part of two words, with no label chosen: the selection waits.
  await labeling.selectWithMouse(text, "da Lovel");
  await expect(page.getByRole("status").filter({ hasText: "choose a label for it" })).toBeVisible();
  await expect(labeling.regions).toHaveCount(0);
  await labeling.pickLabel("PER");
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace”");

  // Label first still works, and offsets widen to whole words too.
  await labeling.pickLabel("LOC");
  const london = text.indexOf("London");
  await labeling.addSpanByOffsets(london + 1, london + 4);
  await expect(labeling.regions).toHaveCount(2);
  await expect(labeling.regions.nth(1)).toContainText("“London”");

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const [task] = await results(request, id);
  const spans = task!.annotations[0]!.result.map((r) => r.value);
  expect(spans).toEqual([
    expect.objectContaining({ start: 0, end: 12, text: "Ada Lovelace", labels: ["PER"] }),
    expect.objectContaining({ start: london, end: london + 6, text: "London", labels: ["LOC"] }),
  ]);
});
