// Webhooks from the SPA, against the real binary (global-setup's "seeded"
// server, whose owner signs in): a project webhook is added (its secret
// shown once), paused, its delivery log read, and deleted; an organization
// webhook is added from the organization page.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { SignInPage } from "./labeling-pages";
import { WebhooksSection } from "./webhook-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test("a project's webhooks: add, secret once, pause, log, delete", async ({ page, request }) => {
  const res = await request.post(`${seeded.url}/graphql`, {
    headers: { Authorization: `Bearer ${seeded.token}` },
    data: {
      query: "mutation($i: CreateProjectInput!){ createProject(input:$i){ id } }",
      variables: { i: { title: `Hooked ${stamp}`, labelConfig: '<View><Text name="text" value="$text"/></View>' } },
    },
  });
  const projectId = ((await res.json()) as { data: { createProject: { id: string } } }).data.createProject.id;
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/projects/${projectId}?tab=webhooks`);

  const hooks = new WebhooksSection(page, "Webhooks");
  const url = `https://hooks.example.com/${stamp}`;
  const secret = await hooks.add(url, ["Tasks created", "Annotation created"]);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
  const item = hooks.receiver(url);
  await expect(item).toContainText("Tasks created, Annotation created");
  await expect(item).toContainText("Active");
  // The secret is nowhere on the page once the dialog is closed.
  await expect(page.getByText(secret)).toHaveCount(0);

  await hooks.pause(url);
  await expect(hooks.receiver(url)).toContainText("Paused");
  await hooks.receiver(url).getByText("Deliveries").click();
  await expect(hooks.receiver(url)).toContainText("Nothing sent yet.");

  await hooks.remove(url);
  await expect(hooks.section).toContainText("No webhooks yet.");
});

test("an organization webhook from the organization page", async ({ page }) => {
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  await page.goto(`${seeded.url}/organization`);
  const hooks = new WebhooksSection(page, "Organization webhooks");
  const url = `https://org-hooks.example.com/${stamp}`;
  await hooks.add(url, ["Project created", "Project deleted"]);
  await expect(hooks.receiver(url)).toContainText("Project created, Project deleted");
});
