// Storages end to end, self-contained: the spec starts its own S3 gateway
// (versitygw over a temporary folder, installed with `go install` into the
// user cache like the Go tests do) and its own gloss, allowed to reach that
// gateway on loopback through GLOSS_OUTBOUND_ALLOW. In Chromium a manager
// connects a source bucket and a target bucket from the Storages tab, syncs
// the source, labels the image through the data proxy, and the annotation
// lands in the target bucket.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

import { expect, test, type APIRequestContext } from "@playwright/test";

import { port } from "../playwright.config";
import { LabelingPage, SignInPage } from "./labeling-pages";
import { ownerGraphQL, SpecProcesses } from "./processes";

const versitygwVersion = "v1.8.0";
const glossPort = port + 2;
const s3Port = port + 3;
const s3URL = `http://127.0.0.1:${s3Port}`;
const glossURL = `http://127.0.0.1:${glossPort}`;
const owner = { email: "storage-owner@example.com", password: "buckets of labels", token: "e2e-storage-token" };
const keys = { access: "e2e-access", secret: "e2e-secret-never-shown" };

// A 2×2 PNG, so the image has a size to show.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
  "base64",
);

const processes = new SpecProcesses();
let s3Root = "";

// versitygw returns the gateway binary, installing it on first use.
function versitygw(): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gloss-test-tools", `versitygw-${versitygwVersion}`);
  const bin = join(dir, "versitygw");
  if (!existsSync(bin)) {
    execFileSync("go", ["install", `github.com/versity/versitygw/cmd/versitygw@${versitygwVersion}`], {
      env: { ...process.env, GOBIN: dir },
      stdio: "inherit",
    });
  }
  return bin;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(600_000); // a first run installs the gateway
  s3Root = processes.tempDir("gloss-e2e-s3-");
  mkdirSync(join(s3Root, "media", "images"), { recursive: true });
  mkdirSync(join(s3Root, "labels"), { recursive: true });
  writeFileSync(join(s3Root, "media", "images", "cat.png"), png);
  await processes.started(versitygw(), ["--access", keys.access, "--secret", keys.secret, "--port", `127.0.0.1:${s3Port}`, "posix", s3Root],
    process.env, /bound on host|listening/i);

  await processes.gloss(glossPort, owner, "storage");
});

test.afterAll(async () => {
  await processes.stop();
});

function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  return ownerGraphQL<T>(request, glossURL, owner, query, variables);
}

test("connect S3 storages, sync, label an image from the bucket, and find the annotation in the target", async ({ page, request }) => {
  const config = `<View>
  <Image name="img" value="$image"/>
  <Choices name="mood" toName="img"><Choice value="Cat"/><Choice value="Dog"/></Choices>
</View>`;
  const created = await gql<{ createProject: { id: string } }>(request,
    "mutation($i: CreateProjectInput!){ createProject(input:$i){ id } }",
    { i: { title: `Bucket images ${Date.now()}`, labelConfig: config } });
  const projectId = created.createProject.id;

  await new SignInPage(page).signIn(glossURL, owner.email, owner.password);
  await page.goto(`${glossURL}/projects/${projectId}?tab=storages`);
  await expect(page.getByRole("heading", { name: "Storages" })).toBeVisible();

  // The source: every PNG under images/, presigned.
  await page.getByRole("button", { name: "Add storage" }).click();
  const add = page.getByRole("form", { name: "Add storage" });
  await add.getByLabel("Title").fill("Media");
  await add.getByLabel("Bucket").fill("media");
  await add.getByLabel("Endpoint").fill(s3URL);
  await add.getByLabel("Access key ID").fill(keys.access);
  await add.getByLabel("Secret access key").fill(keys.secret);
  await add.getByLabel("Prefix").fill("images/");
  await add.getByLabel("File filter (regular expression)").fill("\\.png$");
  await add.getByRole("button", { name: "Add storage" }).click();
  await expect(page.getByText("The storage was added.")).toBeVisible();
  await expect(page.getByText(/credentials set/)).toBeVisible();
  await expect(page.getByText(keys.secret)).toHaveCount(0);

  await page.getByRole("button", { name: "Check connection of Media" }).click();
  await expect(page.getByText("Media: connection works.")).toBeVisible();
  await page.getByRole("button", { name: "Sync Media" }).click();
  await expect(page.getByRole("status", { name: "Sync of Media" })).toHaveText("Synced 1 of 1");
  // Progress is the server's: a reload shows it the same.
  await page.reload();
  await expect(page.getByRole("status", { name: "Sync of Media" })).toHaveText("Synced 1 of 1");

  // The target.
  await page.getByRole("button", { name: "Add storage" }).click();
  const target = page.getByRole("form", { name: "Add storage" });
  await target.getByLabel("Direction").selectOption("EXPORT");
  await target.getByLabel("Title").fill("Labels");
  await target.getByLabel("Bucket").fill("labels");
  await target.getByLabel("Endpoint").fill(s3URL);
  await target.getByLabel("Access key ID").fill(keys.access);
  await target.getByLabel("Secret access key").fill(keys.secret);
  await target.getByRole("button", { name: "Add storage" }).click();
  await expect(page.getByText("The storage was added.")).toBeVisible();

  // Label the bucket's image: it loads through the data proxy.
  await page.goto(`${glossURL}/projects/${projectId}/label`);
  const labeling = new LabelingPage(page);
  await expect(labeling.image).toBeVisible();
  await expect.poll(() => labeling.image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);
  await expect(labeling.image).toHaveAttribute("src", /^\/api\/tasks\/\d+\/resolve\?fileuri=/);
  await labeling.choose("Cat");
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();

  // The annotation lands in the target bucket, in Label Studio's shape.
  // (The gateway keeps its own work files, dot-named, beside the objects.)
  const objects = () => readdirSync(join(s3Root, "labels")).filter((name) => !name.startsWith("."));
  await expect.poll(() => objects().length, { timeout: 20_000 }).toBe(1);
  const [key] = objects();
  const written = JSON.parse(readFileSync(join(s3Root, "labels", key!), "utf8")) as {
    data: { image: string };
    annotations: { id: number; result: { value: { choices: string[] } }[] }[];
  };
  expect(written.data.image).toBe("s3://media/images/cat.png");
  expect(String(written.annotations[0]!.id)).toBe(key);
  expect(written.annotations[0]!.result[0]!.value.choices).toEqual(["Cat"]);
});

test("the edit form of an Azure or GCS storage shows its account and project, never its key", async ({ page, request }) => {
  const created = await gql<{ createProject: { id: string } }>(request,
    "mutation($i: CreateProjectInput!){ createProject(input:$i){ id } }",
    { i: { title: `Cloud storages ${Date.now()}`, labelConfig: `<View><Text name="t" value="$text"/></View>` } });
  const projectId = created.createProject.id;
  const create = "mutation($i: CreateStorageInput!){ createStorage(input:$i){ id } }";
  await gql(request, create, { i: { projectId, direction: "IMPORT", kind: "AZURE", title: "Blobs",
    azure: { container: "media", accountName: "labelsacct", accountKey: "a2V5LW5ldmVyLXNob3du" } } });
  await gql(request, create, { i: { projectId, direction: "IMPORT", kind: "GCS", title: "Objects",
    gcs: { bucket: "media-bucket", projectId: "labels-123" } } });

  await new SignInPage(page).signIn(glossURL, owner.email, owner.password);
  await page.goto(`${glossURL}/projects/${projectId}?tab=storages`);

  await page.getByRole("button", { name: "Edit Blobs" }).click();
  let form = page.getByRole("form", { name: "Edit storage" });
  await expect(form.getByLabel("Account name")).toHaveValue("labelsacct");
  await expect(form.getByLabel("Account key")).toHaveValue("");
  // Saved as shown, without the key again: the stored key stays.
  await form.getByRole("button", { name: "Save storage" }).click();
  await expect(page.getByRole("form", { name: "Edit storage" })).toHaveCount(0);
  const after = await gql<{ project: { storages: { title: string; accountName: string | null; secretSet: boolean }[] } }>(request,
    "query($p: ID!){ project(id:$p){ storages { title accountName secretSet } } }", { p: projectId });
  expect(after.project.storages.find((s) => s.title === "Blobs")).toEqual({ title: "Blobs", accountName: "labelsacct", secretSet: true });

  await page.getByRole("button", { name: "Edit Objects" }).click();
  form = page.getByRole("form", { name: "Edit storage" });
  await expect(form.getByLabel("Project ID")).toHaveValue("labels-123");
});
