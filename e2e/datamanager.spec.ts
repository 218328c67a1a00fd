// The data manager's column picker and bulk delete, in Chromium against the
// real binary (global-setup's "seeded" server, signed in as its owner): a
// hidden column stays hidden after a reload; two selected tasks are deleted
// after a confirmation that says how many, and the count follows; Label
// selected walks exactly the selected tasks (ticked, or all matching a filter,
// past the first page of ids) on the task page.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { SignInPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test.describe.configure({ mode: "serial" });

const classification = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>`;

async function owner<T>(ctx: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await ctx.post(`${seeded.url}/graphql`, {
    headers: { Origin: seeded.url, Authorization: `Bearer ${seeded.token}` },
    data: { query, variables },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

async function project(ctx: APIRequestContext, title: string, texts: string[]): Promise<string> {
  const made = await owner<{ createProject: { id: string } }>(
    ctx,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: classification } },
  );
  const id = made.createProject.id;
  await owner(ctx, "mutation($p: ID!, $t: JSON!){ importTasks(projectId: $p, tasks: $t){ taskCount } }", {
    p: id,
    t: texts.map((text) => ({ text, source: `source of ${text}` })),
  });
  return id;
}

test("column picker: a hidden column stays hidden after a reload", async ({ page, request }) => {
  const id = await project(request, `Columns ${stamp}`, ["alpha text", "beta text"]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "source" })).toBeVisible();
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "source" }).uncheck();
  await expect(table.getByRole("columnheader", { name: "source" })).toHaveCount(0);
  await page.getByRole("checkbox", { name: "Reviews" }).check();
  await expect(table.getByRole("columnheader", { name: "Reviews" })).toBeVisible();
  await page.reload();
  await expect(table.getByText("alpha text")).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "source" })).toHaveCount(0);
  await expect(table.getByRole("columnheader", { name: "text" })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Reviews" })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Labels" })).toHaveCount(0);
});

test("bulk delete: two selected tasks go after a confirmation, and the count follows", async ({ page, request }) => {
  const id = await project(request, `Bulk ${stamp}`, ["first text", "second text", "third text"]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  await expect(page.getByText("Showing 1–3 of 3 tasks")).toBeVisible();
  const rows = page.getByRole("table").getByRole("row");
  await rows.filter({ hasText: "first text" }).getByRole("checkbox").check();
  await rows.filter({ hasText: "second text" }).getByRole("checkbox").check();
  await expect(page.getByText("2 tasks selected")).toBeVisible();
  await page.getByRole("button", { name: "Delete tasks" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("Delete 2 tasks");
  await page.getByRole("button", { name: "Yes, delete tasks" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 2 tasks." })).toBeVisible();
  await expect(page.getByText("Showing 1–1 of 1 task")).toBeVisible();
  await expect(page.getByText("first text", { exact: true })).toHaveCount(0);
  await expect(page.getByText("third text", { exact: true })).toBeVisible();
  const left = await owner<{ project: { taskCount: number } }>(request, "query($p: ID!){ project(id: $p){ taskCount } }", { p: id });
  expect(left.project.taskCount).toBe(1);
});

test("quick view: a row opens its task beside the list; up and down move through rows", async ({ page, request }) => {
  const id = await project(request, `Quick ${stamp}`, ["one text", "two text", "three text"]);
  await owner(request, "mutation($p: ID!, $t: JSON!){ importTasks(projectId: $p, tasks: $t){ taskCount } }", {
    p: id,
    t: [
      {
        data: { text: "four text" },
        annotations: [
          { result: [{ id: "r1", from_name: "sentiment", to_name: "text", type: "choices", value: { choices: ["Negative"] } }] },
        ],
      },
    ],
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  const rows = page.getByRole("table").getByRole("row");
  await rows.filter({ hasText: "three text" }).getByRole("cell").nth(1).click();
  const panel = page.getByRole("complementary");
  await expect(panel.getByRole("heading", { name: /^Task / })).toBeVisible();
  await expect(panel).toContainText("three text");
  await expect(panel).toContainText("No annotations yet.");
  await page.keyboard.press("ArrowDown");
  await expect(panel).toContainText("four text");
  await expect(panel).toContainText("Negative");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(panel).toContainText("two text");
  // The picked summary column shows the labels, read with the page.
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Labels" }).check();
  await expect(rows.filter({ hasText: "four text" }).getByRole("cell", { name: "Negative", exact: true })).toBeVisible();
  await panel.getByRole("link", { name: /^Open task / }).click();
  await expect(page).toHaveURL(/\/tasks\//);
});

test("column filter and annotators: a data key the config does not use filters the list; the Annotators column names who labeled", async ({ page, request }) => {
  const id = await project(request, `Filters ${stamp}`, ["gamma text", "delta text", "epsilon text"]);
  // The owner labels the delta task through the API.
  const tasks = await owner<{ tasks: { edges: { node: { id: string; data: { text: string } } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId: $p, first: 10){ edges { node { id data } } } }",
    { p: id },
  );
  const delta = tasks.tasks.edges.find((e) => e.node.data.text === "delta text")!.node.id;
  await owner(request, "mutation($i: CreateAnnotationInput!){ createAnnotation(input: $i){ id } }", {
    i: { taskId: delta, result: [{ id: "r1", from_name: "sentiment", to_name: "text", type: "choices", value: { choices: ["Negative"] } }] },
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  const table = page.getByRole("table");
  await expect(table.getByText("gamma text", { exact: true })).toBeVisible();

  // "source" is imported data the config never names.
  await page.getByLabel("Column", { exact: true }).selectOption({ label: "source (contains)" });
  await page.getByLabel("Value", { exact: true }).fill("EPSILON");
  await expect(table.getByText("epsilon text", { exact: true })).toBeVisible();
  await expect(table.getByText("gamma text", { exact: true })).toHaveCount(0);
  await expect(table.getByText("delta text", { exact: true })).toHaveCount(0);

  // A label filter, exact.
  await page.getByLabel("Column", { exact: true }).selectOption({ label: "Label (exact)" });
  await page.getByLabel("Value", { exact: true }).fill("Negative");
  await expect(table.getByText("delta text", { exact: true })).toBeVisible();
  await expect(table.getByText("epsilon text", { exact: true })).toHaveCount(0);

  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Annotators" }).check();
  await expect(table.getByRole("columnheader", { name: "Annotators" })).toBeVisible();
  const row = table.getByRole("row").filter({ hasText: "delta text" });
  await expect(row).toContainText(seeded.email.split("@")[0]!);
});

// annotatedTexts lists the texts of a project's tasks that hold an annotation, in id order.
async function annotatedTexts(ctx: APIRequestContext, projectId: string): Promise<string[]> {
  const data = await owner<{ tasks: { edges: { node: { data: { text: string }; totalAnnotations: number } }[] } }>(
    ctx,
    "query($p: ID!){ tasks(projectId: $p, first: 100, orderBy: {field: ID, direction: ASC}){ edges { node { data totalAnnotations } } } }",
    { p: projectId },
  );
  return data.tasks.edges.filter((e) => e.node.totalAnnotations > 0).map((e) => e.node.data.text);
}

test("label selected: a walk over three ticked tasks in the data manager's order, with Next, Previous and a done message", async ({ page, request }) => {
  const id = await project(request, `Walk ${stamp}`, ["walk one", "walk two", "walk three", "walk four", "walk five"]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  await expect(page.getByText("Showing 1–5 of 5 tasks")).toBeVisible();
  const rows = page.getByRole("table").getByRole("row");
  // Ticked out of order: the walk follows the list's order.
  for (const text of ["walk five", "walk one", "walk three"]) {
    await rows.filter({ hasText: text }).getByRole("checkbox").check();
  }
  await expect(page.getByText("3 tasks selected")).toBeVisible();
  await page.getByRole("button", { name: "Label selected" }).click();

  const bar = page.getByRole("navigation", { name: "Selected tasks" });
  const task = page.getByRole("region", { name: /^Task \d+$/ });
  const submit = page.getByRole("button", { name: "Submit", exact: true });
  await expect(bar).toContainText("Task 1 of 3");
  await expect(task).toContainText("walk one");
  await page.getByRole("radio", { name: "Positive", exact: true }).check();
  await submit.click();
  await expect(bar).toContainText("Task 2 of 3");
  await expect(task).toContainText("walk three");
  const three = page.url();

  await bar.getByRole("button", { name: "Next", exact: true }).click();
  await expect(bar).toContainText("Task 3 of 3");
  await expect(task).toContainText("walk five");
  await bar.getByRole("button", { name: "Previous", exact: true }).click();
  await expect(bar).toContainText("Task 2 of 3");
  await expect(task).toContainText("walk three");

  // A task outside the selection opened by its address shows no walk; one in it does, after a reload too.
  await page.getByRole("link", { name: `Walk ${stamp}`, exact: true }).click();
  await rows.filter({ hasText: "walk two" }).getByRole("link", { name: /^Open task / }).click();
  await expect(task).toContainText("walk two");
  await expect(bar).toHaveCount(0);
  await page.goto(three);
  await expect(task).toContainText("walk three");
  await expect(bar).toContainText("Task 2 of 3");
  await page.reload();
  await expect(bar).toContainText("Task 2 of 3");

  await page.getByRole("radio", { name: "Negative", exact: true }).check();
  await submit.click();
  await expect(bar).toContainText("Task 3 of 3");
  await expect(task).toContainText("walk five");
  await page.getByRole("radio", { name: "Positive", exact: true }).check();
  await submit.click();
  await expect(page.getByRole("heading", { name: "The selection is done." })).toBeVisible();
  await expect(page.getByText("That was the last of the 3 selected tasks.")).toBeVisible();
  await page.getByRole("link", { name: "Back to the data manager" }).click();
  await expect(page.getByText("Showing 1–5 of 5 tasks")).toBeVisible();

  // The walk is over: its tasks open without it.
  await rows.filter({ hasText: "walk one" }).getByRole("link", { name: /^Open task / }).click();
  await expect(task).toContainText("walk one");
  await expect(bar).toHaveCount(0);
  expect(await annotatedTexts(request, id)).toEqual(["walk one", "walk three", "walk five"]);
});

test("label selected: all matching a column filter, walked past the first page of ids, lands on exactly those tasks", async ({ page, request }) => {
  // 54 tasks, two of which the filter leaves out: 52 match, one page of 50 and two more.
  const texts = Array.from({ length: 54 }, (_, i) => (i + 1 === 7 || i + 1 === 27 ? `other ${i + 1}` : `pick ${i + 1}`));
  const id = await project(request, `Walk all ${stamp}`, texts);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  await expect(page.getByText("Showing 1–50 of 54 tasks")).toBeVisible();
  await page.getByLabel("Column", { exact: true }).selectOption({ label: "text (contains)" });
  await page.getByLabel("Value", { exact: true }).fill("pick");
  await expect(page.getByText("Showing 1–50 of 52 tasks")).toBeVisible();
  await page.getByRole("checkbox", { name: "Select this page" }).check();
  await page.getByRole("button", { name: "Select all 52 matching tasks" }).click();
  await expect(page.getByText("52 tasks selected")).toBeVisible();
  await page.getByRole("button", { name: "Label selected" }).click();

  const bar = page.getByRole("navigation", { name: "Selected tasks" });
  const task = page.getByRole("region", { name: /^Task \d+$/ });
  const next = bar.getByRole("button", { name: "Next", exact: true });
  await expect(bar).toContainText("Task 1 of 52");
  await expect(task.getByText("pick 1", { exact: true })).toBeVisible();
  await page.getByRole("radio", { name: "Positive", exact: true }).check();
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  await expect(bar).toContainText("Task 2 of 52");
  await expect(task.getByText("pick 2", { exact: true })).toBeVisible();
  for (let k = 3; k <= 50; k++) {
    await next.click();
    await expect(bar).toContainText(`Task ${k} of 52`);
  }
  await expect(task.getByText("pick 52", { exact: true })).toBeVisible();
  // The 51st is on the next page of ids, read now.
  await next.click();
  await expect(bar).toContainText("Task 51 of 52");
  await expect(task.getByText("pick 53", { exact: true })).toBeVisible();
  await page.getByRole("radio", { name: "Negative", exact: true }).check();
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  await expect(bar).toContainText("Task 52 of 52");
  await expect(task.getByText("pick 54", { exact: true })).toBeVisible();
  await bar.getByRole("button", { name: "Previous", exact: true }).click();
  await expect(bar).toContainText("Task 51 of 52");
  await expect(page.getByRole("button", { name: "Update", exact: true })).toBeVisible();
  await next.click();
  await expect(bar).toContainText("Task 52 of 52");
  await page.getByRole("radio", { name: "Positive", exact: true }).check();
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "The selection is done." })).toBeVisible();
  await expect(page.getByText("That was the last of the 52 selected tasks.")).toBeVisible();
  expect(await annotatedTexts(request, id)).toEqual(["pick 1", "pick 53", "pick 54"]);
});

test("label selected: a task deleted during the walk is passed with a notice, Skip moves on, and Leave selection ends the walk", async ({ page, request }) => {
  const id = await project(request, `Walk gone ${stamp}`, ["gone one", "gone two", "gone three", "gone four"]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  await expect(page.getByText("Showing 1–4 of 4 tasks")).toBeVisible();
  await page.getByRole("checkbox", { name: "Select this page" }).check();
  await page.getByRole("button", { name: "Label selected" }).click();
  const bar = page.getByRole("navigation", { name: "Selected tasks" });
  const task = page.getByRole("region", { name: /^Task \d+$/ });
  await expect(bar).toContainText("Task 1 of 4");
  await expect(task).toContainText("gone one");

  // Someone deletes the second task meanwhile.
  const tasks = await owner<{ tasks: { edges: { node: { id: string; data: { text: string } } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId: $p, first: 10){ edges { node { id data } } } }",
    { p: id },
  );
  const two = tasks.tasks.edges.find((e) => e.node.data.text === "gone two")!.node.id;
  await owner(request, "mutation($p: ID!, $ids: [ID!]){ deleteTasks(projectId: $p, ids: $ids) }", { p: id, ids: [two] });

  await page.getByRole("button", { name: "Skip", exact: true }).click();
  await expect(bar).toContainText("Task 3 of 4");
  await expect(task).toContainText("gone three");
  await expect(bar.getByText(`Skipped task ${two}: deleted, or not visible to you.`)).toBeVisible();
  // Going back, the deleted task is passed backwards too.
  await bar.getByRole("button", { name: "Previous", exact: true }).click();
  await expect(bar).toContainText("Task 1 of 4");
  await expect(task).toContainText("gone one");

  await bar.getByRole("button", { name: "Leave selection" }).click();
  await expect(bar).toHaveCount(0);
  await expect(task).toContainText("gone one");
  await page.reload();
  await expect(task).toContainText("gone one");
  await expect(bar).toHaveCount(0);
});
