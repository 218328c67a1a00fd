// The review stream and the stream's honesty, in Chromium against the real
// binary (global-setup's "seeded" server, signed in as its owner, who
// reviews): an annotator made through an invite labels over the API, the
// owner accepts, rejects with a comment, and fixes and accepts in the review
// stream; a reviewer opening a task sees the annotation under review; the
// label stream lists what was just done, counts what is left and says when
// the rest is being labeled by someone else.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { SignInPage, taskId } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test.describe.configure({ mode: "serial" });

const classification = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>`;

async function call<T>(ctx: APIRequestContext, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await ctx.post(`${seeded.url}/graphql`, {
    headers: { Origin: seeded.url, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    data: { query, variables },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

// owner calls the API as the seeded owner, with their token.
function owner<T>(ctx: APIRequestContext, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return call<T>(ctx, query, variables, seeded.token);
}

// annotatorIn signs a new annotator up through an invite and makes them a
// member of the project; the returned context holds their session cookie.
async function annotatorIn(ctx: APIRequestContext, projectId: string, name: string): Promise<APIRequestContext> {
  const invite = await owner<{ createInvite: { url: string } }>(
    ctx,
    "mutation($i: CreateInviteInput!){ createInvite(input: $i){ url } }",
    { i: { role: "ANNOTATOR" } },
  );
  const token = new URL(invite.createInvite.url).searchParams.get("invite");
  const annotator = await playwrightRequest.newContext({ baseURL: seeded.url });
  const signed = await call<{ signup: { user: { id: string } } }>(
    annotator,
    "mutation($i: SignupInput!){ signup(input: $i){ user { id } } }",
    { i: { email: `${name}-${stamp}@example.com`, password: "a quiet owl at midnight", inviteToken: token } },
  );
  await owner(ctx, "mutation($p: ID!, $u: ID!){ addProjectMember(projectId: $p, userId: $u){ id } }", {
    p: projectId,
    u: signed.signup.user.id,
  });
  return annotator;
}

async function project(ctx: APIRequestContext, title: string, texts: string[]): Promise<string> {
  const created = await owner<{ createProject: { id: string } }>(
    ctx,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: classification } },
  );
  const id = created.createProject.id;
  await owner(ctx, "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }", {
    p: id,
    t: texts.map((text) => ({ text })),
  });
  return id;
}

// label takes the annotator's next task and annotates it with choice.
async function label(annotator: APIRequestContext, projectId: string, choice: string): Promise<string> {
  const next = await call<{ nextTask: { id: string } }>(annotator, "query($p: ID!){ nextTask(projectId: $p){ id } }", {
    p: projectId,
  });
  await call(annotator, "mutation($i: CreateAnnotationInput!){ createAnnotation(input: $i){ id } }", {
    i: {
      taskId: next.nextTask.id,
      result: [{ id: "c", from_name: "sentiment", to_name: "text", type: "choices", value: { choices: [choice] } }],
    },
  });
  return next.nextTask.id;
}

interface Reviewed {
  data: { text: string };
  annotations: { reviewState: string; reviewComment: string; result: { value: { choices: string[] } }[] }[];
}

async function reviewed(ctx: APIRequestContext, projectId: string): Promise<Map<string, Reviewed["annotations"][0]>> {
  const data = await owner<{ tasks: { edges: { node: Reviewed }[] } }>(
    ctx,
    "query($p: ID!){ tasks(projectId:$p, first: 20){ edges { node { data annotations { reviewState reviewComment result } } } } }",
    { p: projectId },
  );
  return new Map(data.tasks.edges.map((e) => [e.node.data.text, e.node.annotations[0]!]));
}

async function signIn(page: Page): Promise<void> {
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
}

test("review stream: accept, reject with a comment, fix and accept, then nothing waits", async ({ page, request }) => {
  const id = await project(request, `Review ${stamp}`, ["first text", "second text", "third text"]);
  const annotator = await annotatorIn(request, id, "reviewed");
  const firstTask = await label(annotator, id, "Positive");
  await label(annotator, id, "Positive");
  await label(annotator, id, "Positive");

  await signIn(page);
  await page.goto(`${seeded.url}/projects/${id}`);
  await page.getByRole("link", { name: "Review", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Review Review ${stamp}` })).toBeVisible();

  // The annotation under review is in the editor, read-only.
  await expect(page.getByText("first text")).toBeVisible();
  const positive = page.getByRole("radio", { name: "Positive", exact: true });
  await expect(positive).toBeChecked();
  await expect(positive).toBeDisabled();
  await page.getByRole("button", { name: "Accept", exact: true }).click();

  // Reject with a comment, by the hotkey.
  await expect(page.getByText("second text")).toBeVisible();
  await page.getByLabel("Review comment").fill("this one reads negative");
  await page.keyboard.press("Control+Space");

  // Fix and accept.
  await expect(page.getByText("third text")).toBeVisible();
  await page.getByRole("button", { name: "Fix", exact: true }).click();
  await page.getByRole("radio", { name: "Negative", exact: true }).check();
  await page.getByRole("button", { name: "Fix and accept" }).click();

  await expect(page.getByRole("heading", { name: /Nothing is waiting for your review/ })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Just reviewed" }).getByRole("link")).toHaveCount(3);

  const states = await reviewed(request, id);
  expect(states.get("first text")).toMatchObject({ reviewState: "ACCEPTED" });
  expect(states.get("second text")).toMatchObject({ reviewState: "REJECTED", reviewComment: "this one reads negative" });
  expect(states.get("third text")?.reviewState).toBe("ACCEPTED");
  expect(states.get("third text")?.result[0]?.value.choices).toEqual(["Negative"]);

  // A reviewer opening a task from the data manager sees the annotation
  // under review in the editor, not an empty editor of their own.
  await page.goto(`${seeded.url}/projects/${id}/tasks/${firstTask}`);
  await expect(page.getByRole("tab", { selected: true })).toContainText("accepted");
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).toBeChecked();
  await expect(page.getByRole("button", { name: "Reject", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit" })).toHaveCount(0);
  await page.getByRole("button", { name: "Label this task yourself" }).click();
  await expect(page.getByRole("button", { name: "Submit" })).toBeVisible();
  await annotator.dispose();
});

test("the label stream lists what was just done, counts what is left, and says who holds the rest", async ({
  browser,
  page,
  request,
}) => {
  const id = await project(request, `Stream ${stamp}`, ["mine to label", "held by another"]);
  const annotator = await annotatorIn(request, id, "holder");
  await signIn(page);
  await page.goto(`${seeded.url}/projects/${id}/label`);
  await expect(page.getByText("mine to label")).toBeVisible();
  await expect(page.getByText("2 tasks left for you, this one included.")).toBeVisible();

  // The other annotator takes the second task while the owner labels the first.
  await call(annotator, "query($p: ID!){ nextTask(projectId: $p){ id } }", { p: id });
  await page.getByRole("radio", { name: "Positive", exact: true }).check();
  await page.getByRole("button", { name: "Submit" }).click();

  await expect(page.getByRole("heading", { name: "1 task is being labeled by someone else." })).toBeVisible();
  await expect(page.getByText("All tasks are done")).toHaveCount(0);
  const done = page.getByRole("navigation", { name: "Just done" });
  const first = `Task ${await taskId(page, id, 1)}`;
  await expect(done.getByRole("link", { name: first, exact: true })).toBeVisible();
  await done.getByRole("link", { name: first, exact: true }).click();
  await expect(page.getByRole("radio", { name: "Positive", exact: true })).toBeChecked();
  await expect(page.getByRole("button", { name: "Update" })).toBeVisible();

  // The annotator, who sees only the task handed to them, is told what is
  // left for them to label, not that the project is empty.
  const holder = await browser.newContext();
  const holderPage = await holder.newPage();
  await new SignInPage(holderPage).signIn(seeded.url, `holder-${stamp}@example.com`, "a quiet owl at midnight");
  await holderPage.goto(`${seeded.url}/projects/${id}`);
  await expect(holderPage.getByText("1 task to label")).toBeVisible();
  await holder.close();
  await annotator.dispose();
});
