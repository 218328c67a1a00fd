// The editor's side panel and annotation tabs, in Chromium against the real
// binary (global-setup's "seeded" server, signed in as its owner): regions
// hidden and locked, grouped by label, a relation made on the image and
// saved, a prediction opened in its tab and accepted as the annotation.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { png } from "./images";
import { ProjectsPage, SignInPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

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

const boxes = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Tree"/></RectangleLabels>
</View>`;

function box(label: string, x: number, y: number, width: number, height: number) {
  return {
    id: `pred-${label}`,
    from_name: "box",
    to_name: "image",
    type: "rectanglelabels",
    value: { x, y, width, height, rotation: 0, rectanglelabels: [label] },
  };
}

// boxOf reads a box region's x, y, width and height from the regions list, rounded.
async function boxOf(region: Locator): Promise<number[]> {
  const text = (await region.textContent()) ?? "";
  const found = /box at ([\d.]+)%, ([\d.]+)%, ([\d.]+)% × ([\d.]+)%/.exec(text);
  return found ? found.slice(1).map((n) => Math.round(Number(n))) : [];
}

interface Item {
  id: string;
  type: string;
  from_id?: string;
  to_id?: string;
  direction?: string;
  value?: { rectanglelabels?: string[] };
}

test("side panel: hide, lock, group, relate; a prediction accepted from its tab, then submitted", async ({ page, request }) => {
  const title = `Panel ${stamp}`;
  const created = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: boxes } },
  );
  const projectId = created.createProject.id;
  await gql(request, "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }", {
    p: projectId,
    t: [
      {
        data: { image: png(200, 100, [60, 140, 90]) },
        predictions: [
          { model_version: "best", score: 0.9, result: [box("Car", 10, 10, 20, 20)] },
          { model_version: "other", score: 0.1, result: [box("Tree", 60, 50, 20, 30)] },
        ],
      },
    ],
  });

  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  // The best prediction is the starting point.
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("Car");
  // In the panel beside the image, a region's name keeps its width (its buttons wrap below it)
  // rather than being squeezed to a few letters a line by them.
  const name = (await labeling.regions.first().locator(".lc-region-text").boundingBox())!;
  expect(name.width).toBeGreaterThan(150);

  // The other prediction opens read-only in its tab, and is accepted as one undoable step.
  await page.getByRole("tab", { name: "Prediction other (0.1)" }).click();
  await expect(page.getByRole("tab", { name: "Prediction other (0.1)" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("button", { name: "Delete region 1" })).toHaveCount(0);
  await expect(labeling.regions.first()).toContainText("Tree");
  await page.getByRole("button", { name: "Accept prediction" }).click();
  await expect(page.getByRole("tab", { name: "My annotation" })).toHaveAttribute("aria-selected", "true");
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("Tree");
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(labeling.regions.first()).toContainText("Car");
  await page.getByRole("button", { name: "Redo" }).click();
  await expect(labeling.regions.first()).toContainText("Tree");

  // A second box, drawn, then locked: dragging it and Backspace leave it be.
  await labeling.pickLabel("Car");
  await labeling.drawBox([0.1, 0.1], [0.3, 0.4]);
  await expect(labeling.regions).toHaveCount(2);
  await page.getByRole("button", { name: "Car", exact: true }).click();
  const car = labeling.regions.nth(1);
  await expect.poll(() => boxOf(car)).toEqual([10, 10, 20, 30]);
  await page.getByRole("button", { name: "Lock region 2" }).click();
  await labeling.dragOnImage([0.2, 0.25], [0.4, 0.6]);
  await expect(page.getByRole("button", { name: "Select region 2" })).toHaveAttribute("aria-pressed", "true");
  await expect.poll(() => boxOf(car)).toEqual([10, 10, 20, 30]);
  await page.keyboard.press("Backspace");
  await expect(labeling.regions).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Delete region 2" })).toBeDisabled();
  // Unlocked, it moves.
  await page.getByRole("button", { name: "Unlock region 2" }).click();
  await labeling.dragOnImage([0.2, 0.25], [0.3, 0.35]);
  await expect.poll(() => boxOf(car)).toEqual([20, 20, 20, 30]);

  // A hidden region is not drawn; shown again, it is.
  const shapes = page.locator(".lc-image-overlay .lc-shape");
  await expect(shapes).toHaveCount(2);
  await page.getByRole("button", { name: "Hide region 1" }).click();
  await expect(shapes).toHaveCount(1);
  await page.getByRole("button", { name: "Hide all" }).click();
  await expect(shapes).toHaveCount(0);
  await page.getByRole("button", { name: "Show all" }).click();
  await expect(shapes).toHaveCount(2);

  // Grouped by label: one group per label.
  await page.getByRole("button", { name: "Group by label" }).click();
  await expect(page.getByRole("region", { name: "Label Tree" }).getByRole("listitem")).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Label Car" }).getByRole("listitem")).toHaveCount(1);
  await page.getByRole("button", { name: "Group by label" }).click();

  // Sorted by position the Car box (higher on the image) comes first; the numbers stay those of creation.
  await page.getByLabel("Sort").selectOption("position");
  await expect(labeling.regions).toHaveText([/^2\. Car/, /^1\. Tree/]);
  await page.getByLabel("Sort").selectOption("label");
  await expect(labeling.regions).toHaveText([/^2\. Car/, /^1\. Tree/]);
  await page.getByLabel("Sort").selectOption("created");
  await expect(labeling.regions).toHaveText([/^1\. Tree/, /^2\. Car/]);

  // A relation: the Car box selected, Alt+R, then the Tree box clicked on the image.
  await page.getByRole("button", { name: "Select region 2" }).click();
  await page.keyboard.press("Alt+r");
  await labeling.clickImage([0.7, 0.65]);
  const relations = page.getByRole("region", { name: "Relations" }).getByRole("listitem");
  await expect(relations).toHaveCount(1);
  await expect(relations.first()).toContainText("2. Car");
  await expect(relations.first()).toContainText("→ 1. Tree");
  await expect(page.locator(".lc-relation-arrow")).toHaveCount(1);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Item[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: projectId },
  );
  const result = data.tasks.edges[0]!.node.annotations[0]!.result;
  const regions = result.filter((item) => item.type === "rectanglelabels");
  expect(regions.map((r) => r.value?.rectanglelabels)).toEqual([["Tree"], ["Car"]]);
  // The accepted prediction's ids were regenerated.
  expect(regions[0]!.id).not.toBe("pred-Tree");
  const relation = result.find((item) => item.type === "relation");
  expect(relation).toMatchObject({ from_id: regions[1]!.id, to_id: regions[0]!.id, direction: "right" });
  // Hiding and locking are the view's, never the result's.
  expect(JSON.stringify(result)).not.toMatch(/hidden|locked/);
});
