// A second storage kind end to end: Redis. The spec uses the machine's Redis
// (127.0.0.1:6379) in a database of its own (9, flushed at the start and the
// end) through redis-cli, and starts its own gloss allowed to reach loopback
// through GLOSS_OUTBOUND_ALLOW. In Chromium a manager connects a Redis source
// and a Redis target from the Storages tab, syncs the source (its values are
// task JSON, as in Label Studio), labels the task, and the annotation lands
// in the target's key.
import { execFileSync } from "node:child_process";

import { expect, test, type APIRequestContext } from "@playwright/test";

import { port } from "../playwright.config";
import { LabelingPage, SignInPage } from "./labeling-pages";
import { ownerGraphQL, SpecProcesses } from "./processes";

const glossPort = port + 4;
const glossURL = `http://127.0.0.1:${glossPort}`;
const db = "9";
const owner = { email: "redis-owner@example.com", password: "keys of labels", token: "e2e-redis-token" };

const processes = new SpecProcesses();

// redis runs redis-cli against the machine's Redis, in this spec's database.
function redis(...args: string[]): string {
  return execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", "6379", "-n", db, "--raw", ...args], { encoding: "utf8" }).trim();
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  redis("FLUSHDB");
  redis("SET", "tasks/one", JSON.stringify({ data: { text: "The cat sat on the key." } }));
  redis("SET", "elsewhere", JSON.stringify({ data: { text: "not under the prefix" } }));

  await processes.gloss(glossPort, owner, "redis");
});

test.afterAll(async () => {
  await processes.stop();
  redis("FLUSHDB");
});

function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  return ownerGraphQL<T>(request, glossURL, owner, query, variables);
}

test("connect Redis storages, sync, label a task from Redis, and find the annotation in the target key", async ({ page, request }) => {
  const config = `<View>
  <Text name="text" value="$text"/>
  <Choices name="animal" toName="text"><Choice value="Cat"/><Choice value="Dog"/></Choices>
</View>`;
  const created = await gql<{ createProject: { id: string } }>(request,
    "mutation($i: CreateProjectInput!){ createProject(input:$i){ id } }",
    { i: { title: `Redis tasks ${Date.now()}`, labelConfig: config } });
  const projectId = created.createProject.id;

  await new SignInPage(page).signIn(glossURL, owner.email, owner.password);
  await page.goto(`${glossURL}/projects/${projectId}?tab=storages`);
  await expect(page.getByRole("heading", { name: "Storages" })).toBeVisible();

  // The source: every key under tasks/.
  await page.getByRole("button", { name: "Add storage" }).click();
  const add = page.getByRole("form", { name: "Add storage" });
  await add.getByLabel("Kind").selectOption("REDIS");
  await add.getByLabel("Title").fill("Queue");
  await add.getByLabel("Host").fill("127.0.0.1");
  await add.getByLabel("Port").fill("6379");
  await add.getByLabel("Database").fill(db);
  await add.getByLabel("Prefix").fill("tasks/");
  await add.getByRole("button", { name: "Add storage" }).click();
  await expect(page.getByText("The storage was added.")).toBeVisible();

  await page.getByRole("button", { name: "Check connection of Queue" }).click();
  await expect(page.getByText("Queue: connection works.")).toBeVisible();
  await page.getByRole("button", { name: "Sync Queue" }).click();
  await expect(page.getByRole("status", { name: "Sync of Queue" })).toHaveText(/Synced 1\b/);

  // The target: annotations under labels/.
  await page.getByRole("button", { name: "Add storage" }).click();
  const target = page.getByRole("form", { name: "Add storage" });
  await target.getByLabel("Direction").selectOption("EXPORT");
  await target.getByLabel("Kind").selectOption("REDIS");
  await target.getByLabel("Title").fill("Results");
  await target.getByLabel("Host").fill("127.0.0.1");
  await target.getByLabel("Port").fill("6379");
  await target.getByLabel("Database").fill(db);
  await target.getByLabel("Prefix").fill("labels");
  await target.getByRole("button", { name: "Add storage" }).click();
  await expect(page.getByText("The storage was added.")).toBeVisible();

  // Label the task Redis gave.
  await page.goto(`${glossURL}/projects/${projectId}/label`);
  const labeling = new LabelingPage(page);
  await expect(page.getByText("The cat sat on the key.")).toBeVisible();
  await labeling.choose("Cat");
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();

  // The annotation lands in the target key, in Label Studio's shape.
  await expect.poll(() => redis("KEYS", "labels/*").split("\n").filter(Boolean).length, { timeout: 20_000 }).toBe(1);
  const [key] = redis("KEYS", "labels/*").split("\n").filter(Boolean);
  const written = JSON.parse(redis("GET", key!)) as {
    data: { text: string };
    annotations: { id: number; result: { value: { choices: string[] } }[] }[];
  };
  expect(written.data.text).toBe("The cat sat on the key.");
  expect(key).toBe(`labels/${written.annotations[0]!.id}`);
  expect(written.annotations[0]!.result[0]!.value.choices).toEqual(["Cat"]);
  // Nothing else was written to the source.
  expect(redis("KEYS", "tasks/*").split("\n").filter(Boolean)).toEqual(["tasks/one"]);
});
