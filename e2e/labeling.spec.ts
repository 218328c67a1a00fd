// Labeling end to end, in Chromium against the real binary started with an
// owner account (global-setup's "seeded" server): projects from templates,
// CSV upload and API import, the data manager, the label stream with
// choices, text spans (mouse and keyboard) and a box drawn on an image, and
// the JSON and CSV exports.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { png } from "./images";
import { NewProjectPage, ProjectsPage, SignInPage, type ProjectPage } from "./labeling-pages";

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

async function importTasks(request: APIRequestContext, projectId: string, tasks: unknown[]): Promise<void> {
  const data = await gql<{ importTasks: { taskCount: number } }>(
    request,
    "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }",
    { p: projectId, t: tasks },
  );
  expect(data.importTasks.taskCount).toBe(tasks.length);
}

interface Region {
  from_name?: string;
  to_name?: string;
  type: string;
  original_width?: number;
  original_height?: number;
  value: Record<string, unknown>;
}

// annotations returns every annotation result of a project's tasks.
async function annotations(request: APIRequestContext, projectId: string): Promise<Region[][]> {
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Region[]; wasCancelled: boolean }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 20){ edges { node { annotations { result wasCancelled } } } } }",
    { p: projectId },
  );
  return data.tasks.edges.flatMap((e) => e.node.annotations.filter((a) => !a.wasCancelled).map((a) => a.result));
}

async function signIn(page: Page): Promise<void> {
  // Markup in task data must stay text: any dialog would mean it ran.
  page.on("dialog", (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
}

const reviews = [
  "The battery lasts all week and charging is quick",
  "Stopped working after two days",
  "<img src=x onerror=alert(1)> arrived on time",
];
const classification = { title: `Reviews ${stamp}`, id: "" };

test("text classification: template, CSV upload, data manager and the label stream", async ({ page }) => {
  await signIn(page);
  const project: ProjectPage = await new NewProjectPage(page).createFromTemplate(
    "Text classification",
    classification.title,
    '<Choices name="sentiment" toName="text"',
  );
  classification.id = project.id();

  const dir = mkdtempSync(join(tmpdir(), "gloss-e2e-"));
  const csv = join(dir, "reviews.csv");
  writeFileSync(csv, `text\n${reviews.join("\n")}\n`);
  await project.importFiles([csv], 3);

  await project.tab("Data manager");
  await expect(project.taskRows()).toHaveCount(3);
  for (const review of reviews) {
    await expect(project.tasks.getByText(review, { exact: true })).toBeVisible();
  }
  await expect(page.getByText("3 tasks · 0 labeled")).toBeVisible();

  const labeling = await project.startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  await expect(page.getByText(reviews[0]!, { exact: true })).toBeVisible();
  await labeling.choose("Positive");
  await labeling.submit.click();
  // The stream moves on to the next task.
  await expect(await labeling.task(2)).toBeVisible();
  await expect(page.getByText(reviews[1]!, { exact: true })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).not.toBeChecked();

  // The data manager counts the annotation.
  await new ProjectsPage(page).open(classification.title);
  await expect(project.taskRows().filter({ hasText: reviews[0]! }).getByRole("cell").nth(2)).toHaveText("1");
});

test("named entity recognition: API import, a span selected with the mouse and one by offsets", async ({ page, request }) => {
  await signIn(page);
  const title = `People ${stamp}`;
  const project = await new NewProjectPage(page).createFromTemplate("Named entity recognition", title, "<Labels");
  // An emoji first: offsets count code points, as Label Studio's exports and
  // Python's text[start:end] do (JavaScript's indexOf counts UTF-16 units).
  const text = "😀 Barack Obama visited Paris with Microsoft engineers.";
  const codePoints = (units: number) => [...text.slice(0, units)].length;
  await importTasks(request, project.id(), [{ data: { text, source: "newswire" } }]);

  // The data manager shows every data key, not only the config's, and
  // remembers the columns picked.
  const people = await new ProjectsPage(page).open(title);
  const header = (name: string) => people.tasks.getByRole("columnheader", { name, exact: true });
  await expect(header("text")).toBeVisible();
  await expect(header("source")).toBeVisible();
  await expect(people.tasks.getByText("newswire", { exact: true })).toBeVisible();
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "source", exact: true }).uncheck();
  await expect(header("source")).toHaveCount(0);
  await page.reload();
  await expect(header("text")).toBeVisible();
  await expect(header("source")).toHaveCount(0);
  await page.getByText("Columns", { exact: true }).click();
  await expect(page.getByRole("checkbox", { name: "source", exact: true })).not.toBeChecked();

  const labeling = await people.startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  await labeling.pickLabel("PER");
  await labeling.selectWithMouse(text, "Barack Obama");
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("PER");
  await expect(labeling.regions.first()).toContainText("“Barack Obama”");

  await labeling.pickLabel("LOC");
  const paris = codePoints(text.indexOf("Paris"));
  await labeling.addSpanByOffsets(paris, paris + "Paris".length);
  await expect(labeling.regions).toHaveCount(2);
  await expect(labeling.regions.nth(1)).toContainText("“Paris”");

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();

  const [result] = await annotations(request, project.id());
  expect(result).toHaveLength(2);
  const obama = codePoints(text.indexOf("Barack Obama"));
  expect(obama).toBe(2);
  expect(result![0]).toMatchObject({
    from_name: "label",
    to_name: "text",
    type: "labels",
    value: { start: obama, end: obama + "Barack Obama".length, text: "Barack Obama", labels: ["PER"] },
  });
  expect(result![1]).toMatchObject({
    type: "labels",
    value: { start: paris, end: paris + 5, text: "Paris", labels: ["LOC"] },
  });
});

test("object detection: a box drawn on a data: image", async ({ page, request }) => {
  await signIn(page);
  const title = `Streets ${stamp}`;
  const project = await new NewProjectPage(page).createFromTemplate(
    "Object detection (bounding boxes)",
    title,
    "<RectangleLabels",
  );
  await importTasks(request, project.id(), [{ data: { image: png(64, 48, [40, 120, 200]) } }]);

  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  await labeling.pickLabel("Car");
  await labeling.drawBox([0.2, 0.25], [0.7, 0.75]);
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("Car");
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();

  const [result] = await annotations(request, project.id());
  expect(result).toHaveLength(1);
  const box = result![0]!;
  expect(box).toMatchObject({
    from_name: "label",
    to_name: "image",
    type: "rectanglelabels",
    original_width: 64,
    original_height: 48,
    value: { rotation: 0, rectanglelabels: ["Car"] },
  });
  const { x, y, width, height } = box.value as { x: number; y: number; width: number; height: number };
  for (const n of [x, y, width, height, x + width, y + height]) {
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThanOrEqual(100);
  }
  expect(x).toBeCloseTo(20, 0);
  expect(y).toBeCloseTo(25, 0);
  expect(width).toBeCloseTo(50, 0);
  expect(height).toBeCloseTo(50, 0);
});

test("exports of the text classification project: JSON and CSV", async ({ page }) => {
  await signIn(page);
  const project = await new ProjectsPage(page).open(classification.title);

  await project.exportTo("JSON");
  const [json] = await Promise.all([page.waitForEvent("download"), project.downloadExport.click()]);
  const tasks = JSON.parse(readFileSync((await json.path())!, "utf8")) as {
    data: { text: string };
    annotations: { result: Region[] }[];
  }[];
  expect(tasks).toHaveLength(3);
  const labeled = tasks.find((t) => t.data.text === reviews[0]);
  expect(labeled?.annotations).toHaveLength(1);
  expect(labeled?.annotations[0]?.result[0]).toMatchObject({
    from_name: "sentiment",
    to_name: "text",
    type: "choices",
    value: { choices: ["Positive"] },
  });

  await project.exportTo("CSV");
  const [csv] = await Promise.all([page.waitForEvent("download"), project.downloadExport.click()]);
  const lines = readFileSync((await csv.path())!, "utf8").trim().split("\n");
  const header = lines[0]!.split(",");
  expect(header).toContain("text");
  expect(header).toContain("sentiment");
  const row = lines.find((line) => line.includes(reviews[0]!));
  expect(row).toBeDefined();
  expect(row!.split(",")[header.indexOf("sentiment")]).toBe("Positive");
});

test("task URLs pointed at Gloss's own downloads are shown, but no export or audit download runs in the viewer's name", async ({
  page,
  request,
}) => {
  // An importer chooses task data, and the app loads an http(s) value as an
  // <img> (data manager and editor) or an <audio> (and fetches it for the
  // waveform). Pointed at the export or the audit download, each view by an
  // owner would export the project, or download the audit log, as them.
  const title = `Own downloads in task data ${stamp}`;
  const config = `<View>
  <Image name="image" value="$image"/>
  <Audio name="audio" value="$audio"/>
  <Choices name="verdict" toName="image"><Choice value="Fine"/></Choices>
</View>`;
  const { createProject } = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: config } },
  );
  const exportUrl = `${seeded.url}/api/projects/${createProject.id}/export?format=JSON`;
  const auditUrl = `${seeded.url}/api/audit-events.jsonl`;
  await importTasks(request, createProject.id, [{ image: exportUrl, audio: auditUrl }]);
  const events = async (action: string, targetId?: string) =>
    (
      await gql<{ auditEvents: { totalCount: number } }>(
        request,
        "query($f: AuditFilter){ auditEvents(first: 1, filter: $f){ totalCount } }",
        { f: targetId ? { action, targetId } : { action } },
      )
    ).auditEvents.totalCount;
  const exportsBefore = await events("project.exported", createProject.id);
  const auditDownloadsBefore = await events("audit.downloaded");

  await signIn(page);
  const thumbnail = page.waitForResponse(exportUrl);
  const project = await new ProjectsPage(page).open(title);
  // The value is still what the data manager shows for the image column.
  await expect(page.locator(`img.thumb[src="${exportUrl}"]`)).toHaveCount(1);
  expect((await thumbnail).status()).toBe(403);
  const image = page.waitForResponse(exportUrl);
  const audio = page.waitForResponse(auditUrl);
  await project.startLabeling();
  await expect(page.locator(`audio[src="${auditUrl}"]`)).toHaveCount(1);
  expect((await image).status()).toBe(403);
  expect((await audio).status()).toBe(403);

  expect(await events("project.exported", createProject.id)).toBe(exportsBefore);
  expect(await events("audit.downloaded")).toBe(auditDownloadsBefore);
});

test("project instructions: markdown on the project and label pages, http(s) links only, brackets as text", async ({
  page,
  request,
}) => {
  const title = `Instructions ${stamp}`;
  const exportLink = `[the data](${seeded.url}/%61pi/projects/1/export?format=JSON)`;
  // The server cleans a path before routing it: //api/... and dot segments
  // are redirected to /api/..., so they are no links either.
  const slashesLink = `[more data](${seeded.url}//api/projects/1/export?format=JSON)`;
  const dotsLink = `[all data](${seeded.url}/x/%2e%2e//api/projects/1/export?format=JSON)`;
  const instructions = [
    "Read **carefully**, see [the guide](https://example.com/guide) and not [this](javascript:alert(1)).",
    `Nor ${exportLink}: the app's own API is no link.`,
    `Nor ${slashesLink}, nor ${dotsLink}.`,
    "- one `code` item",
    "[".repeat(5000) + " [x](".repeat(500),
  ].join("\n\n");
  const { createProject } = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    {
      i: {
        title,
        instructions,
        labelConfig: `<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>`,
      },
    },
  );
  await importTasks(request, createProject.id, [{ text: "one" }]);
  const check = async () => {
    const card = page.locator("details.instructions");
    await expect(card.locator("strong", { hasText: "carefully" })).toBeVisible();
    await expect(card.getByRole("link")).toHaveCount(1);
    await expect(card.getByRole("link", { name: "the guide" })).toHaveAttribute("href", "https://example.com/guide");
    await expect(card).toContainText("[this](javascript:alert(1))");
    await expect(card).toContainText(exportLink);
    await expect(card).toContainText(slashesLink);
    await expect(card).toContainText(dotsLink);
    await expect(card.locator("li code", { hasText: "code" })).toBeVisible();
    await expect(card).toContainText("[".repeat(5000) + " [x](");
  };

  await signIn(page);
  const project = await new ProjectsPage(page).open(title);
  await page.locator("details.instructions summary").click();
  await check();
  const labeling = await project.startLabeling();
  await check(); // open on the label page
  await labeling.choose("A");
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
});
