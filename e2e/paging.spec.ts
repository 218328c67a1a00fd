// Keyset-paged lists, which all read through one hook (usePagedQuery), in
// Chromium against the real binary (global-setup's "seeded" server, signed in
// as its owner): the data manager walks one page at a time and a new order
// starts again from the first page; the audit log's Load more adds the next
// page below the first, each event once.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { SignInPage } from "./labeling-pages";
import { AuditLogPage } from "./roles-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test.describe.configure({ mode: "serial" });

const config = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
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

async function createProject(ctx: APIRequestContext, title: string): Promise<string> {
  const made = await owner<{ createProject: { id: string } }>(
    ctx,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: config } },
  );
  return made.createProject.id;
}

async function importTexts(ctx: APIRequestContext, projectId: string, texts: string[]): Promise<void> {
  await owner(ctx, "mutation($p: ID!, $t: JSON!){ importTasks(projectId: $p, tasks: $t){ taskCount } }", {
    p: projectId,
    t: texts.map((text) => ({ text })),
  });
}

test("data manager: Next and Previous page walk the tasks; a new order starts from the first page", async ({
  page,
  request,
}) => {
  const id = await createProject(request, `Paging ${stamp}`);
  await importTexts(
    request,
    id,
    Array.from({ length: 60 }, (_, i) => `paged task ${String(i + 1).padStart(2, "0")}`),
  );
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${id}`);
  const table = page.getByRole("table");
  const previous = page.getByRole("button", { name: "Previous page" });
  const next = page.getByRole("button", { name: "Next page" });

  await expect(page.getByText("Showing 1–50 of 60 tasks")).toBeVisible();
  await expect(table.getByText("paged task 50", { exact: true })).toBeVisible();
  await expect(table.getByText("paged task 51", { exact: true })).toHaveCount(0);
  await expect(previous).toBeDisabled();

  await next.click();
  await expect(page.getByText("Showing 51–60 of 60 tasks")).toBeVisible();
  await expect(table.getByText("paged task 51", { exact: true })).toBeVisible();
  await expect(table.getByText("paged task 50", { exact: true })).toHaveCount(0);
  await expect(next).toBeDisabled();

  await previous.click();
  await expect(page.getByText("Showing 1–50 of 60 tasks")).toBeVisible();
  await expect(table.getByText("paged task 01", { exact: true })).toBeVisible();
  await expect(previous).toBeDisabled();

  // On the second page, a new order goes back to the first page of that order.
  await next.click();
  await expect(page.getByText("Showing 51–60 of 60 tasks")).toBeVisible();
  await page.getByRole("button", { name: "Descending" }).click();
  await expect(page.getByText("Showing 1–50 of 60 tasks")).toBeVisible();
  await expect(table.getByRole("row").nth(1)).toContainText("paged task 60");
  await expect(table.getByText("paged task 10", { exact: true })).toBeHidden();
  await expect(table.getByText("paged task 11", { exact: true })).toBeVisible();
  await expect(previous).toBeDisabled();
});

test("audit log: Load more adds the next fifty events below the first fifty, each once", async ({ page, request }) => {
  // 55 imports make 55 project.tasks_imported events (earlier specs add more).
  const id = await createProject(request, `Audit paging ${stamp}`);
  await Promise.all(Array.from({ length: 55 }, (_, i) => importTexts(request, id, [`audit paging ${i}`])));
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const audit = new AuditLogPage(page);
  await audit.goto();
  await audit.filterByAction("project.tasks_imported");
  const rows = audit.rows();
  await expect(rows).toHaveCount(50);
  const footer = page.getByText(/^Showing 50 of [\d,]+ events$/);
  await expect(footer).toBeVisible();
  const total = Number((await footer.textContent())?.replace(/^Showing 50 of |[, ]|events$/g, ""));
  expect(total).toBeGreaterThanOrEqual(55);
  const requestIds = () => rows.evaluateAll((trs) => trs.map((tr) => tr.lastElementChild?.textContent ?? ""));
  const firstFifty = await requestIds();

  await page.getByRole("button", { name: "Load more" }).click();
  const shown = Math.min(total, 100);
  await expect(rows).toHaveCount(shown);
  await expect(page.getByText(`Showing ${shown} of ${total.toLocaleString("en-US")} events`)).toBeVisible();
  const all = await requestIds();
  expect(all.slice(0, 50)).toEqual(firstFifty);
  expect(new Set(all).size).toBe(shown);
  await expect(rows.first()).toContainText("project.tasks_imported");
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(total > 100 ? 1 : 0);
});
