// Label Studio's other data types in the labeling UI, in Chromium against the
// real binary (global-setup's "seeded" server, signed in as its owner):
// ellipses on an image are drawn, moved, deleted and undone, and are saved in
// Label Studio's shape.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { png } from "./images";
import { ProjectsPage, SignInPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test.describe.configure({ mode: "serial" });

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

async function project(request: APIRequestContext, title: string, config: string, tasks: unknown[]): Promise<string> {
  const created = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: config } },
  );
  await gql(request, "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }", {
    p: created.createProject.id,
    t: tasks,
  });
  return created.createProject.id;
}

// ellipseOf reads an ellipse region's centre and radii from the regions list, rounded.
async function ellipseOf(region: Locator): Promise<number[]> {
  const text = (await region.textContent()) ?? "";
  const found = /ellipse at ([\d.]+)%, ([\d.]+)%, radii ([\d.]+)% × ([\d.]+)%/.exec(text);
  return found ? found.slice(1).map((n) => Math.round(Number(n))) : [];
}

const ellipses = `<View>
  <Image name="image" value="$image"/>
  <EllipseLabels name="ell" toName="image"><Label value="Eye"/><Label value="Wheel"/></EllipseLabels>
</View>`;

test("ellipses: drawn by dragging, moved, deleted and undone, saved as Label Studio's ellipselabels", async ({
  page,
  request,
}) => {
  const title = `Ellipses ${stamp}`;
  const id = await project(request, title, ellipses, [{ image: png(200, 100, [90, 60, 140]) }]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(labeling.task(1)).toBeVisible();

  await labeling.pickLabel("Eye");
  await labeling.drawBox([0.2, 0.2], [0.5, 0.6]);
  await expect(labeling.regions).toHaveCount(1);
  const first = labeling.regions.first();
  await expect.poll(() => ellipseOf(first)).toEqual([35, 40, 15, 20]);
  await expect(page.locator(".lc-region-label")).toHaveText(["Eye"]);
  await labeling.pickLabel("Wheel");
  await labeling.drawBox([0.7, 0.1], [0.9, 0.3]);
  await expect(labeling.regions).toHaveCount(2);

  // Let go of the label; dragging the first ellipse by its body moves its centre.
  await page.getByRole("button", { name: "Wheel", exact: true }).click();
  await labeling.dragOnImage([0.35, 0.4], [0.45, 0.5]);
  await expect.poll(() => ellipseOf(first)).toEqual([45, 50, 15, 20]);
  await page.keyboard.press("Control+z");
  await expect.poll(() => ellipseOf(first)).toEqual([35, 40, 15, 20]);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => ellipseOf(first)).toEqual([45, 50, 15, 20]);

  // Delete removes the selected ellipse; undo brings it back.
  await page.getByRole("button", { name: "Select region 2" }).click();
  await page.keyboard.press("Delete");
  await expect(labeling.regions).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(labeling.regions).toHaveCount(2);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Record<string, unknown>[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: id },
  );
  const result = data.tasks.edges[0]!.node.annotations[0]!.result;
  expect(result).toHaveLength(2);
  const eye = result.find((r) => (r.value as { ellipselabels: string[] }).ellipselabels[0] === "Eye")!;
  expect(eye.type).toBe("ellipselabels");
  expect(eye.original_width).toBe(200);
  expect(eye.original_height).toBe(100);
  const v = eye.value as Record<string, number>;
  expect(v.x).toBeCloseTo(45, 0);
  expect(v.y).toBeCloseTo(50, 0);
  expect(v.radiusX).toBeCloseTo(15, 0);
  expect(v.radiusY).toBeCloseTo(20, 0);
  expect(v.rotation).toBe(0);
});
