// Editing on the labeling canvas, in Chromium against the real binary
// (global-setup's "seeded" server, signed in as its owner), each checked in
// the project's JSON export (or the stored result): a text span's edges
// dragged (in code points), and those of HyperText and Paragraphs spans,
// a relation made between two text spans and drawn over the text, an
// ellipse resized by its handles, part of a brush mask erased, and the
// waveform of an uploaded WAV drawn under the audio timeline.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { png } from "./images";
import { ProjectsPage, SignInPage, type LabelingPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

test.describe.configure({ mode: "serial" });

const auth = { Authorization: `Token ${seeded.token}` };

async function gql<T>(request: APIRequestContext, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await request.post(`${seeded.url}/graphql`, { headers: auth, data: { query, variables } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

// project makes a project through the API and imports tasks into it, if any.
async function project(request: APIRequestContext, title: string, config: string, tasks: unknown[]): Promise<string> {
  const created = await gql<{ createProject: { id: string } }>(
    request,
    "mutation($i: CreateProjectInput!){ createProject(input: $i){ id } }",
    { i: { title, labelConfig: config } },
  );
  const id = created.createProject.id;
  if (tasks.length > 0) {
    await gql(request, "mutation($p: ID!, $t: JSON!){ importTasks(projectId:$p, tasks:$t){ taskCount } }", { p: id, t: tasks });
  }
  return id;
}

interface Item {
  id: string;
  type: string;
  to_name?: string;
  from_id?: string;
  to_id?: string;
  direction?: string;
  original_width?: number;
  original_height?: number;
  value: Record<string, unknown>;
}

// exported downloads the project's JSON export and returns the first annotation's result.
async function exported(request: APIRequestContext, projectId: string): Promise<Item[]> {
  const res = await request.get(`${seeded.url}/api/projects/${projectId}/export?format=JSON`, { headers: auth });
  expect(res.status()).toBe(200);
  const tasks = (await res.json()) as { annotations: { result: Item[] }[] }[];
  expect(tasks).toHaveLength(1);
  return tasks[0]!.annotations[0]!.result;
}

// open signs in and opens the project's label stream; timeout is for a
// crafted first task, whose drawing on a busy machine takes more than the
// default wait (the editor's limits keep it bounded, not instant).
async function open(page: Page, title: string, timeout?: number): Promise<LabelingPage> {
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling(timeout);
  await expect(await labeling.task(1)).toBeVisible({ timeout });
  return labeling;
}

// charPoint is the screen point just inside the left (or right) side of the
// character at UTF-16 index `at` of the text shown in `within` (the Text
// object's unless given), however it is cut into marks and elements.
async function charPoint(
  page: Page,
  at: number,
  side: "left" | "right",
  within: Locator = page.locator(".lc-text"),
): Promise<{ x: number; y: number }> {
  return within.evaluate(
    (element, [index, right]) => {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        if ((index as number) < seen + node.data.length) {
          const range = document.createRange();
          range.setStart(node, (index as number) - seen);
          range.setEnd(node, (index as number) - seen + 1);
          const rect = range.getBoundingClientRect();
          return { x: right ? rect.right - 1 : rect.left + 1, y: rect.top + rect.height / 2 };
        }
        seen += node.data.length;
      }
      throw new Error(`the text has no character ${index}`);
    },
    [at, side === "right"] as const,
  );
}

// dragTo presses the mouse in the middle of what a locator shows and lets go at a point.
async function dragTo(page: Page, handle: Locator, to: { x: number; y: number }): Promise<void> {
  const box = await handle.boundingBox();
  if (!box) throw new Error("the handle is not shown");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

const spans = `<View>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/></Labels>
  <Text name="text" value="$text"/>
</View>`;

// The emoji is one code point but two UTF-16 units, so offsets in the export differ from the browser's.
const text = "😀 Ada Lovelace wrote in London.";

test("span edges: dragged to the character under the pointer, nudged with the arrow keys, undone; exported in code points", async ({
  page,
  request,
}) => {
  const title = `Span edges ${stamp}`;
  const id = await project(request, title, spans, [{ text }]);
  const labeling = await open(page, title);

  await labeling.pickLabel("PER");
  await labeling.addSpanByOffsets(6, 14);
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("“Lovelace”");
  await page.getByRole("button", { name: "PER", exact: true }).click();

  // Handles show only on the selected span.
  const start = page.getByRole("slider", { name: "Start of the selected span" });
  const end = page.getByRole("slider", { name: "End of the selected span" });
  await expect(start).toHaveCount(0);
  await page.getByRole("button", { name: "Select region 1" }).click();
  await expect(start).toHaveAttribute("aria-valuenow", "6");
  await expect(end).toHaveAttribute("aria-valuenow", "14");

  // The start to "Ada", then the end to "wrote": each drag one edit.
  await dragTo(page, start, await charPoint(page, text.indexOf("Ada"), "left"));
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace”");
  await expect(start).toHaveAttribute("aria-valuenow", "2");
  await dragTo(page, end, await charPoint(page, text.indexOf("wrote") + 4, "right"));
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace wrote”");
  await page.keyboard.press("Control+z");
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace”");
  await page.keyboard.press("Control+Shift+z");
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace wrote”");

  // From the keyboard: the end one character back, and undone.
  await end.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace wrot”");
  await expect(end).toBeFocused();
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("Control+z");
  await expect(labeling.regions.first()).toContainText("“Ada Lovelace wrote”");

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]!.type).toBe("labels");
  expect(result[0]!.value).toEqual({ start: 2, end: 20, text: "Ada Lovelace wrote", labels: ["PER"] });
});

// selectChars drags the mouse over the characters from..to (UTF-16, end excluded) of the text in within.
async function selectChars(page: Page, within: Locator, from: number, to: number): Promise<void> {
  const a = await charPoint(page, from, "left", within);
  const b = await charPoint(page, to - 1, "right", within);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

// storedResult is the first annotation's result of the project's only task, read through GraphQL.
async function storedResult(request: APIRequestContext, projectId: string): Promise<Item[]> {
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Item[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: projectId },
  );
  expect(data.tasks.edges).toHaveLength(1);
  return data.tasks.edges[0]!.node.annotations[0]!.result;
}

const hyperText = `<View>
  <HyperTextLabels name="ner" toName="page"><Label value="PER"/></HyperTextLabels>
  <HyperText name="page" value="$html"/>
</View>`;

test("hypertext span edges: the end dragged across an element, undone and redone; stored with Label Studio's XPaths", async ({
  page,
  request,
}) => {
  const title = `HTML span edges ${stamp}`;
  const html = "<h1>Notes</h1><p>Ada Lovelace wrote <b>the first</b> program.</p><script>window.__pwned=1</script>";
  const id = await project(request, title, hyperText, [{ html }]);
  const labeling = await open(page, title);
  const doc = page.getByRole("document", { name: "HTML content (page)" });
  // The text as the page shows it, whose UTF-16 offsets are the global offsets.
  const shown = "NotesAda Lovelace wrote the first program.";
  await expect(doc).toHaveText(shown);

  await labeling.pickLabel("PER");
  await selectChars(page, doc, shown.indexOf("Lovelace"), shown.indexOf(" wrote"));
  await expect(doc.locator("mark")).toHaveText(["Lovelace"]);
  await page.getByRole("button", { name: "PER", exact: true }).click();

  const start = page.getByRole("slider", { name: "Start of the selected span" });
  const end = page.getByRole("slider", { name: "End of the selected span" });
  await expect(end).toHaveCount(0);
  await page.getByRole("button", { name: "Select region 1" }).click();
  await expect(start).toHaveAttribute("aria-valuenow", "9");
  await expect(end).toHaveAttribute("aria-valuenow", "17");

  // The end to the end of "first", inside <b>: the span now crosses into it.
  await dragTo(page, end, await charPoint(page, shown.indexOf("first") + 4, "right", doc));
  await expect(doc.locator("mark")).toHaveText(["Lovelace wrote ", "the first"]);
  await expect(end).toHaveAttribute("aria-valuenow", "33");
  await page.keyboard.press("Control+z");
  await expect(doc.locator("mark")).toHaveText(["Lovelace"]);
  await page.keyboard.press("Control+Shift+z");
  await expect(doc.locator("mark")).toHaveText(["Lovelace wrote ", "the first"]);
  // Still only plain tags, and nothing ran.
  await expect(doc.locator("script, [onclick]")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await storedResult(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]!.type).toBe("hypertextlabels");
  expect(result[0]!.value).toEqual({
    start: "/p[1]/text()[1]",
    end: "/p[1]/b[1]/text()[1]",
    startOffset: 4,
    endOffset: 9,
    globalOffsets: { start: 9, end: 33 },
    text: "Lovelace wrote the first",
    htmllabels: ["PER"],
  });
});

const paragraphs = `<View>
  <ParagraphLabels name="intent" toName="dialogue"><Label value="Question"/></ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue"/>
</View>`;

test("paragraphs span edges: the end dragged into the next line, the start by a word, undone; stored as Label Studio's paragraph offsets", async ({
  page,
  request,
}) => {
  const title = `Dialogue span edges ${stamp}`;
  const lines = ["Where is the key?", "Under the mat, I think."];
  const id = await project(request, title, paragraphs, [
    { dialogue: [{ author: "Alice", text: lines[0] }, { author: "Bob", text: lines[1] }] },
  ]);
  const labeling = await open(page, title);
  const first = page.locator(".lc-paragraph-text").nth(0);
  const second = page.locator(".lc-paragraph-text").nth(1);
  const marks = page.locator(".lc-paragraphs mark");

  await labeling.pickLabel("Question");
  await selectChars(page, first, lines[0]!.indexOf("key?"), lines[0]!.length);
  await expect(marks).toHaveText(["key?"]);
  await page.getByRole("button", { name: "Question", exact: true }).click();
  await page.getByRole("button", { name: "Select region 1" }).click();
  const start = page.getByRole("slider", { name: "Start of the selected span" });
  const end = page.getByRole("slider", { name: "End of the selected span" });
  // Handles tell their place in the dialogue's text, its lines joined by a newline.
  await expect(start).toHaveAttribute("aria-valuenow", "13");
  await expect(end).toHaveAttribute("aria-valuenow", "17");

  // The end to the end of "mat" on Bob's line: the span crosses lines.
  await dragTo(page, end, await charPoint(page, lines[1]!.indexOf("mat") + 2, "right", second));
  await expect(marks).toHaveText(["key?", "Under the mat"]);
  await page.keyboard.press("Control+z");
  await expect(marks).toHaveText(["key?"]);
  await page.keyboard.press("Control+Shift+z");
  await expect(marks).toHaveText(["key?", "Under the mat"]);
  // The start back a word, to "the".
  await dragTo(page, start, await charPoint(page, lines[0]!.indexOf("the"), "left", first));
  await expect(marks).toHaveText(["the key?", "Under the mat"]);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await storedResult(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]!.type).toBe("paragraphlabels");
  expect(result[0]!.value).toEqual({
    start: "0",
    end: "1",
    startOffset: 9,
    endOffset: 13,
    text: "the key?\nUnder the mat",
    paragraphlabels: ["Question"],
  });
});

// arrowStartsAtSpan reports whether the drawn arrow starts over the span
// showing phrase, within a pixel: the overlay follows the text's layout.
async function arrowStartsAtSpan(page: Page, phrase: string): Promise<boolean> {
  return page.locator(".lc-text-stage").evaluate((stage, wanted) => {
    const arrow = stage.querySelector(".lc-span-relations .lc-relation-arrow");
    const mark = [...stage.querySelectorAll("mark")].find((m) => m.textContent === wanted);
    const found = /^M ([\d.-]+) ([\d.-]+)/.exec(arrow?.getAttribute("d") ?? "");
    if (!mark || !found) return false;
    const origin = stage.getBoundingClientRect();
    const rect = mark.getClientRects()[0]!;
    const [x, y] = [rect.left + rect.width / 2 - origin.left, rect.top - origin.top];
    return Math.abs(x - Number(found[1])) < 1 && Math.abs(y - Number(found[2])) < 1;
  }, phrase);
}

test("relations between text spans: made as on an image, drawn over the text as it reflows, exported", async ({
  page,
  request,
}) => {
  const title = `Span relations ${stamp}`;
  const id = await project(request, title, spans, [{ text }]);
  const labeling = await open(page, title);

  await labeling.pickLabel("PER");
  await labeling.addSpanByOffsets(2, 14);
  await labeling.pickLabel("LOC");
  await labeling.addSpanByOffsets(24, 30);
  await expect(labeling.regions).toHaveCount(2);
  await page.getByRole("button", { name: "LOC", exact: true }).click();

  // Select the person, Alt+R, then click the place in the text.
  await page.getByRole("button", { name: "Select region 1" }).click();
  await page.keyboard.press("Alt+r");
  await page.locator(".lc-text mark", { hasText: "London" }).click();
  const relations = page.getByRole("region", { name: "Relations" }).getByRole("listitem");
  await expect(relations).toHaveCount(1);
  await expect(relations.first()).toContainText("1. PER");
  await expect(relations.first()).toContainText("→ 2. LOC");
  await expect(page.locator(".lc-span-relations .lc-relation-arrow")).toHaveCount(1);
  await expect.poll(() => arrowStartsAtSpan(page, "Ada Lovelace")).toBe(true);
  // The arrow arches within the text's box, not up over the label buttons above it.
  const rise = await page.locator(".lc-text-stage").evaluate((stage) => {
    const arrow = stage.querySelector(".lc-span-relations .lc-relation-arrow")!;
    return arrow.getBoundingClientRect().top - stage.getBoundingClientRect().top;
  });
  expect(rise).toBeGreaterThanOrEqual(0);
  // A narrower window rewraps the page; the arrow goes along.
  await page.setViewportSize({ width: 520, height: 720 });
  await expect.poll(() => arrowStartsAtSpan(page, "Ada Lovelace")).toBe(true);
  await page.setViewportSize({ width: 1280, height: 720 });

  // Undo takes the relation away, and its arrow.
  await page.keyboard.press("Control+z");
  await expect(relations).toHaveCount(0);
  await expect(page.locator(".lc-span-relations .lc-relation-arrow")).toHaveCount(0);
  await page.keyboard.press("Control+Shift+z");
  await expect(relations).toHaveCount(1);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  const [per, loc] = [result.find((r) => r.value.text === "Ada Lovelace")!, result.find((r) => r.value.text === "London")!];
  expect(per.value).toMatchObject({ start: 2, end: 14, labels: ["PER"] });
  expect(loc.value).toMatchObject({ start: 24, end: 30, labels: ["LOC"] });
  expect(result.find((r) => r.type === "relation")).toMatchObject({ from_id: per.id, to_id: loc.id, direction: "right" });
});

// ellipseOf reads an ellipse region's centre and radii from the regions list, rounded.
async function ellipseOf(region: Locator): Promise<number[]> {
  const found = /ellipse at ([\d.]+)%, ([\d.]+)%, radii ([\d.]+)% × ([\d.]+)%/.exec((await region.textContent()) ?? "");
  return found ? found.slice(1).map((n) => Math.round(Number(n))) : [];
}

// imagePoint is the screen point at fractions of the image's width and height.
async function imagePoint(labeling: LabelingPage, at: [number, number]): Promise<{ x: number; y: number }> {
  const box = (await labeling.image.boundingBox())!;
  return { x: box.x + box.width * at[0], y: box.y + box.height * at[1] };
}

const ellipses = `<View>
  <Image name="image" value="$image"/>
  <EllipseLabels name="ell" toName="image"><Label value="Eye"/></EllipseLabels>
</View>`;

test("ellipses: resized by the handles of their box (the opposite side stays), moved, undone; exported with the new radii", async ({
  page,
  request,
}) => {
  const title = `Ellipse handles ${stamp}`;
  const id = await project(request, title, ellipses, [{ image: png(200, 100, [90, 60, 140]) }]);
  const labeling = await open(page, title);

  await labeling.pickLabel("Eye");
  await labeling.drawBox([0.2, 0.2], [0.5, 0.6]);
  const region = labeling.regions.first();
  await expect.poll(() => ellipseOf(region)).toEqual([35, 40, 15, 20]);
  await page.getByRole("button", { name: "Eye", exact: true }).click();
  await page.getByRole("button", { name: "Select region 1" }).click();

  // The right handle to 60%: the left side stays at 20%, so rx is 20 and the centre 40.
  await dragTo(page, page.locator('[data-handle="e"]'), await imagePoint(labeling, [0.6, 0.4]));
  await expect.poll(() => ellipseOf(region)).toEqual([40, 40, 20, 20]);
  // The bottom handle to 80%: the top stays at 20%, so ry is 30 and the centre 50.
  await dragTo(page, page.locator('[data-handle="s"]'), await imagePoint(labeling, [0.4, 0.8]));
  await expect.poll(() => ellipseOf(region)).toEqual([40, 50, 20, 30]);
  await page.keyboard.press("Control+z");
  await expect.poll(() => ellipseOf(region)).toEqual([40, 40, 20, 20]);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => ellipseOf(region)).toEqual([40, 50, 20, 30]);
  // A corner handle moves two sides at once.
  await dragTo(page, page.locator('[data-handle="nw"]'), await imagePoint(labeling, [0.1, 0.1]));
  await expect.poll(() => ellipseOf(region)).toEqual([35, 45, 25, 35]);
  // Dragged by its body, it moves whole.
  await labeling.dragOnImage([0.35, 0.45], [0.45, 0.45]);
  await expect.poll(() => ellipseOf(region)).toEqual([45, 45, 25, 35]);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]).toMatchObject({ type: "ellipselabels", original_width: 200, original_height: 100 });
  const v = result[0]!.value as Record<string, number>;
  expect(v.x).toBeCloseTo(45, 0);
  expect(v.y).toBeCloseTo(45, 0);
  expect(v.radiusX).toBeCloseTo(25, 0);
  expect(v.radiusY).toBeCloseTo(35, 0);
  expect(v.rotation).toBe(0);
});

// decodeRLE reads Label Studio's brush RLE, as label_studio_converter's decode_rle does.
function decodeRLE(rle: number[]): number[] {
  const bits = rle.map((b) => b.toString(2).padStart(8, "0")).join("");
  let pos = 0;
  const read = (n: number) => {
    const v = parseInt(bits.slice(pos, pos + n), 2);
    pos += n;
    return v;
  };
  const num = read(32);
  const word = read(5) + 1;
  const sizes = [0, 0, 0, 0].map(() => read(4) + 1);
  const out: number[] = [];
  while (out.length < num) {
    const repeat = read(1);
    const n = 1 + read(sizes[read(2)]!);
    if (repeat) {
      const v = read(word);
      for (let k = 0; k < n; k++) out.push(v);
    } else {
      for (let k = 0; k < n; k++) out.push(read(word));
    }
  }
  return out;
}

const brushes = `<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="mask" toName="image"><Label value="Road"/></BrushLabels>
</View>`;

test("brush eraser: a stroke clears pixels from the selected mask, one undoable step; the exported RLE changes", async ({
  page,
  request,
}) => {
  const title = `Eraser ${stamp}`;
  const id = await project(request, title, brushes, [{ image: png(40, 20, [200, 200, 200]) }]);
  const labeling = await open(page, title);

  // A stroke across the middle paints a mask; the eraser then cuts it in two.
  await labeling.pickLabel("Road");
  await labeling.dragOnImage([0.05, 0.5], [0.95, 0.5]);
  await expect(labeling.regions).toHaveCount(1);
  await page.getByRole("button", { name: "Road", exact: true }).click();
  const mask = page.locator("svg image.lc-brush");
  const painted = await mask.getAttribute("href");

  const eraser = page.getByRole("button", { name: "Eraser" });
  await eraser.click();
  await expect(eraser).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByText(/Select a brush mask to erase from/)).toBeVisible();
  await page.getByRole("button", { name: "Select region 1" }).click();
  await expect(page.getByText(/Drag over the selected mask to erase it/)).toBeVisible();
  await labeling.dragOnImage([0.5, 0.1], [0.5, 0.9]);
  await expect(mask).not.toHaveAttribute("href", painted!);
  const erased = await mask.getAttribute("href");
  await page.keyboard.press("Control+z");
  await expect(mask).toHaveAttribute("href", painted!);
  await page.keyboard.press("Control+Shift+z");
  await expect(mask).toHaveAttribute("href", erased!);
  await expect(labeling.regions).toHaveCount(1);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]).toMatchObject({ type: "brushlabels", original_width: 40, original_height: 20 });
  const value = result[0]!.value as { format: string; rle: number[]; brushlabels: string[] };
  expect(value.format).toBe("rle");
  expect(value.brushlabels).toEqual(["Road"]);
  const alpha = decodeRLE(value.rle).filter((_, i) => i % 4 === 3);
  expect(alpha).toHaveLength(40 * 20);
  const at = (x: number, y: number) => alpha[y * 40 + x];
  // Painted on both sides of the cut, cleared along it.
  expect(at(8, 10)).toBe(255);
  expect(at(32, 10)).toBe(255);
  expect(at(20, 10)).toBe(0);
  expect(at(20, 9)).toBe(0);
});

// wavFile is a 16-bit mono WAV of a 440 Hz tone at 80% of full scale.
function wavFile(secondsLong: number): Buffer {
  const rate = 8000;
  const samples = rate * secondsLong;
  const out = Buffer.alloc(44 + samples * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(0.8 * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  }
  return out;
}

const audio = `<View>
  <Labels name="speech" toName="audio"><Label value="Speech"/></Labels>
  <Audio name="audio" value="$audio"/>
</View>`;

test("audio waveform: an uploaded WAV is drawn on the timeline, where segments are still made by dragging", async ({
  page,
  request,
}) => {
  const title = `Waveform ${stamp}`;
  const id = await project(request, title, audio, []);
  const upload = await request.post(`${seeded.url}/api/projects/${id}/import`, {
    headers: auth,
    multipart: { file: { name: "tone.wav", mimeType: "audio/wav", buffer: wavFile(4) } },
  });
  expect(upload.status()).toBe(201);
  const labeling = await open(page, title);
  await expect(page.getByLabel("Audio to label (audio)")).toHaveAttribute("src", /^\/api\/uploads\/[0-9a-f]{32}\.wav$/);

  // The tone fills the canvas from near its top to near its bottom, not just the middle line.
  const waveform = page.getByRole("img", { name: "Waveform" });
  await expect(waveform).toBeVisible();
  const inked = () =>
    waveform.evaluate((element) => {
      const canvas = element as HTMLCanvasElement;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let top = 0;
      let all = 0;
      for (let i = 3; i < pixels.length; i += 4) {
        if (pixels[i] === 0) continue;
        all++;
        if ((i - 3) / 4 < (canvas.width * canvas.height) / 4) top++;
      }
      return { all, top, size: canvas.width * canvas.height };
    });
  await expect.poll(async () => (await inked()).top).toBeGreaterThan(0);
  const ink = await inked();
  expect(ink.all).toBeGreaterThan(ink.size / 2);

  await expect.poll(() => page.getByLabel("Audio to label (audio)").evaluate((a) => (a as HTMLAudioElement).duration)).toBeCloseTo(4, 1);
  await labeling.pickLabel("Speech");
  const box = (await waveform.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(labeling.regions).toHaveCount(1);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result).toHaveLength(1);
  const v = result[0]!.value as { start: number; end: number; labels: string[] };
  expect(v.labels).toEqual(["Speech"]);
  expect(v.start).toBeCloseTo(1, 0);
  expect(v.end).toBeCloseTo(2, 0);
});

const fitBoxes = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels>
</View>`;

test("an image fits the view: a large one no taller than 62% of the window, a small one at its natural size; boxes keep their percentages", async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const title = `Fit large ${stamp}`;
  const id = await project(request, title, fitBoxes, [{ image: png(2000, 1500, [90, 140, 60]) }]);
  const labeling = await open(page, title);

  // Fitted: within 62% of the window's height, the aspect ratio kept, the overlay exactly over the image.
  await labeling.image.evaluate((image) => image.scrollIntoView({ block: "start" }));
  const image = (await labeling.image.boundingBox())!;
  expect(image.height).toBeLessThanOrEqual(900 * 0.62 + 1);
  expect(image.height).toBeGreaterThan(900 * 0.62 - 2);
  expect(image.width / image.height).toBeCloseTo(2000 / 1500, 2);
  const overlay = (await page.locator(".lc-image-overlay").boundingBox())!;
  for (const key of ["x", "y", "width", "height"] as const) expect(Math.abs(overlay[key] - image[key])).toBeLessThan(0.5);
  // The labels the config puts after the image are on screen with it.
  await expect(page.getByRole("button", { name: "Car", exact: true })).toBeInViewport();

  // A box drawn on the fitted image is stored in percent of the image.
  await labeling.pickLabel("Car");
  await labeling.drawBox([0.25, 0.2], [0.75, 0.6]);
  await expect(labeling.regions).toHaveCount(1);

  // The zoom buttons still enlarge it beyond the fit.
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect.poll(async () => (await labeling.image.boundingBox())!.width / image.width).toBeCloseTo(1.25, 2);
  await page.getByRole("button", { name: "Reset zoom" }).click();

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result).toHaveLength(1);
  expect(result[0]).toMatchObject({ original_width: 2000, original_height: 1500 });
  const v = result[0]!.value as { x: number; y: number; width: number; height: number };
  const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(0.5);
  near(v.x, 25);
  near(v.y, 20);
  near(v.width, 50);
  near(v.height, 40);

  // A small image is shown at its natural size, not scaled up to the column.
  const small = `Fit small ${stamp}`;
  await project(request, small, fitBoxes, [{ image: png(200, 150, [60, 90, 140]) }]);
  const second = await (await new ProjectsPage(page).open(small)).startLabeling();
  await expect(await second.task(1)).toBeVisible();
  await expect.poll(async () => (await second.image.boundingBox())?.width).toBe(200);
  expect((await second.image.boundingBox())!.height).toBe(150);
});

// addRelation relates two regions, by their place in the list, with a label through the Relations control.
async function addRelation(page: Page, from: number, to: number, label: string): Promise<void> {
  await page.getByLabel("From region", { exact: true }).selectOption({ index: from });
  await page.getByLabel("To region", { exact: true }).selectOption({ index: to });
  await page.getByLabel("Relation label", { exact: true }).selectOption(label);
  await page.getByRole("button", { name: "Add relation" }).click();
}

// labelAtMiddle reports whether a relation's label is drawn centred on its arrow's middle, at a readable size.
async function labelAtMiddle(label: Locator, middle: { x: number; y: number }): Promise<void> {
  const box = (await label.boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - middle.x)).toBeLessThan(3);
  expect(Math.abs(box.y + box.height / 2 - middle.y)).toBeLessThan(3);
  expect(box.height).toBeGreaterThan(8);
  expect(box.height).toBeLessThan(24);
}

test("a labeled relation shows its label at the middle of its arrow on an image", async ({ page, request }) => {
  const title = `Relation label image ${stamp}`;
  const config = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Person"/><Label value="Org"/></RectangleLabels>
  <Relations><Relation value="works with"/></Relations>
</View>`;
  await project(request, title, config, [{ image: png(400, 300, [200, 200, 200]) }]);
  const labeling = await open(page, title);
  await labeling.pickLabel("Person");
  await labeling.drawBox([0.1, 0.1], [0.3, 0.3]);
  await labeling.pickLabel("Org");
  await labeling.drawBox([0.6, 0.5], [0.9, 0.9]);
  await expect(labeling.regions).toHaveCount(2);
  await addRelation(page, 1, 2, "works with");

  const label = page.locator(".lc-image-overlay text.lc-relation-label");
  await expect(label).toHaveText("works with");
  // The arrow goes from centre (20%, 20%) to centre (75%, 70%): its middle is at (47.5%, 45%).
  const image = (await labeling.image.boundingBox())!;
  await labelAtMiddle(label, { x: image.x + image.width * 0.475, y: image.y + image.height * 0.45 });
  // Zoomed, the label stays at the arrow's middle and keeps its size.
  const before = (await label.boundingBox())!.height;
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect.poll(async () => (await labeling.image.boundingBox())!.width / image.width).toBeCloseTo(1.25, 2);
  const zoomed = (await labeling.image.boundingBox())!;
  await labelAtMiddle(label, { x: zoomed.x + zoomed.width * 0.475, y: zoomed.y + zoomed.height * 0.45 });
  expect(Math.abs((await label.boundingBox())!.height - before)).toBeLessThan(1);
});

test("a labeled relation shows its label at the middle of its arrow over text", async ({ page, request }) => {
  const title = `Relation label text ${stamp}`;
  const config = `<View>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="LOC"/></Labels>
  <Text name="text" value="$text"/>
  <Relations><Relation value="lives in"/></Relations>
</View>`;
  await project(request, title, config, [{ text }]);
  const labeling = await open(page, title);
  await labeling.pickLabel("PER");
  await labeling.addSpanByOffsets(2, 14);
  await labeling.pickLabel("LOC");
  await labeling.addSpanByOffsets(24, 30);
  await expect(labeling.regions).toHaveCount(2);
  await addRelation(page, 1, 2, "lives in");

  const label = page.locator(".lc-span-relations text.lc-relation-label");
  await expect(label).toHaveText("lives in");
  // The arrow's middle, from the drawn path itself (t = 1/2 of its curve).
  const middle = await page.locator(".lc-span-relations .lc-relation-arrow").evaluate((path) => {
    const p = path as SVGPathElement;
    const at = p.getPointAtLength(p.getTotalLength() / 2);
    const point = new DOMPoint(at.x, at.y).matrixTransform(p.getScreenCTM()!);
    return { x: point.x, y: point.y };
  });
  await labelAtMiddle(label, middle);
});

// Crafted results. An import brings annotations and predictions checked for
// their shape only (as Label Studio does: an export holds results made
// under earlier configurations), so the editor itself must stay usable with
// whatever a result of 1 MiB may hold.
const stackedSpans = `<View>
  <Labels name="label" toName="text"><Label value="Person"/></Labels>
  <Relations><Relation value="near"/></Relations>
  <Text name="text" value="$text"/>
</View>`;

test("crafted results: 8,000 spans stacked over one text, with relations, leave the editor usable", async ({ page, request }) => {
  // Drawn piece by piece against every span, these froze the tab for
  // minutes; each piece also listed the ids of all the spans over it.
  const n = 8000;
  const text = "x".repeat(2 * n + 1);
  const result: unknown[] = [];
  for (let i = 0; i < n; i++) {
    result.push({ id: `s${i}`, from_name: "label", to_name: "text", type: "labels", value: { start: i, end: 2 * n + 1 - i, labels: ["Person"] } });
  }
  for (let i = 0; i < 300; i++) {
    result.push({ from_id: `s${i}`, to_id: `s${i + 1}`, type: "relation", direction: "right", labels: ["near"] });
  }
  const title = `Stacked spans ${stamp}`;
  await project(request, title, stackedSpans, [{ data: { text }, predictions: [{ result }] }]);
  await open(page, title, 30_000);
  await expect(page.locator("mark.lc-span").first()).toBeVisible();
  await expect(page.locator(".lc-span-notice")).toHaveText(
    "3000 of the 8000 regions over this text are not drawn: the most it shows is 5000.",
  );
  await expect(page.locator(".lc-span-relations path").first()).toBeAttached();
  // No piece lists more than the top spans over it.
  const most = await page
    .locator("mark.lc-span")
    .evaluateAll((marks) => Math.max(...marks.map((m) => (m.getAttribute("data-region-ids") ?? "").split(" ").length)));
  expect(most).toBe(100);
});

const polygons = `<View>
  <Image name="image" value="$image"/>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
</View>`;

test("crafted results: a polygon of 150,000 points is drawn, not an error", async ({ page, request }) => {
  // Math.min(...points) overflowed the call stack past about 125,000.
  const points = Array.from({ length: 150_000 }, (_, i) => [1 + (i % 9), 1 + ((i * 7) % 9)]); // one digit each: the body stays under 1 MiB
  const result = [{ id: "p", from_name: "poly", to_name: "image", type: "polygonlabels", value: { points, closed: true, polygonlabels: ["Road"] } }];
  const title = `Huge polygon ${stamp}`;
  await project(request, title, polygons, [{ data: { image: png(200, 100, [90, 60, 140]) }, predictions: [{ result }] }]);
  const labeling = await open(page, title);
  await expect(page.locator(".lc-editor polygon").first()).toBeAttached();
  await expect(page.getByText("The labeling editor could not be shown")).toHaveCount(0);
  // Selected, it gets no vertex handles (two circles a point froze the tab).
  // (force: the side panel beside so large a shape never reads as
  // "stable" to Playwright's check, though it answers at once.)
  await page.getByRole("button", { name: "Select region 1" }).click({ force: true });
  await expect(labeling.regions.first()).toHaveClass(/lc-region-selected/);
  await expect(page.locator('[data-handle^="vertex-"]')).toHaveCount(0);
});

// rleOf encodes a mask of count values, all painted, in Label Studio's RLE
// with one-bit words: so small a body holds dozens of 25-megapixel masks.
function rleOf(count: number): number[] {
  const bits: number[] = [];
  const put = (v: number, n: number) => {
    for (let k = n - 1; k >= 0; k--) bits.push(Math.floor(v / 2 ** k) & 1);
  };
  put(count, 32);
  put(0, 5); // one-bit words
  for (const s of [3, 4, 8, 16]) put(s - 1, 4);
  for (let left = count; left > 0; ) {
    const n = Math.min(left, 65536);
    put(1, 1);
    put(3, 2);
    put(n - 1, 16);
    put(1, 1);
    left -= n;
  }
  while (bits.length % 8) bits.push(0);
  const bytes: number[] = [];
  for (let i = 0; i < bits.length; i += 8) bytes.push(bits.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0));
  return bytes;
}

test("crafted results: 64 brush masks of 25 megapixels leave the editor usable, and normal masks still draw", async ({
  page,
  request,
}) => {
  // Each decoded at full size in turn, these froze the tab for about a minute.
  const mask = (id: string, width: number, height: number) => ({
    id,
    from_name: "mask",
    to_name: "image",
    type: "brushlabels",
    original_width: width,
    original_height: height,
    value: { format: "rle", rle: rleOf(width * height * 4), brushlabels: ["Road"] },
  });
  const huge = Array.from({ length: 64 }, (_, i) => mask(`h${i}`, 5000, 5000));
  // The normal masks come last: the huge ones before them must not crowd them out.
  const result = [...huge, mask("n1", 1000, 1000), mask("n2", 2000, 2000)];
  const title = `Huge masks ${stamp}`;
  await project(request, title, brushes, [{ data: { image: png(200, 100, [200, 200, 200]) }, predictions: [{ result }] }]);
  const labeling = await open(page, title);
  await expect(page.locator(".lc-brush-notice")).toHaveText(
    "62 of the 66 brush masks are not drawn: the most it draws is 64,000,000 pixels in all (25,000,000 for one mask).",
  );
  // The page answers: a region is selected from the list at once.
  await page.getByRole("button", { name: "Select region 66" }).click();
  await expect(labeling.regions.nth(65)).toHaveClass(/lc-region-selected/);
  // The normal masks are drawn, at their full size, as before.
  const images = page.locator("svg image.lc-brush");
  await expect(images).toHaveCount(4);
  const sizes = await images.evaluateAll((nodes) =>
    Promise.all(
      nodes.map(async (node) => {
        const image = new Image();
        image.src = node.getAttribute("href") ?? "";
        await image.decode();
        return `${node.getAttribute("data-region-id")} ${image.naturalWidth}x${image.naturalHeight}`;
      }),
    ),
  );
  expect(sizes.sort()).toEqual(["h0 5000x5000", "h1 5000x5000", "n1 1000x1000", "n2 2000x2000"]);
});

// Label Studio's conditional questions: a View shown only once a choice is
// picked, holding a required follow-up.
const conditional = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
  <View visibleWhen="choice-selected" whenTagName="sentiment" whenChoiceValue="Negative">
    <Header value="Why negative?"/>
    <TextArea name="why" toName="text" required="true"/>
  </View>
</View>`;

test("visibleWhen: a follow-up question shows once its choice is picked, and is required only then", async ({ page, request }) => {
  const title = `Conditional ${stamp}`;
  const id = await project(request, title, conditional, [{ text: "fine" }]);
  const labeling = await open(page, title);
  const why = page.getByRole("heading", { name: "Why negative?" });
  await expect(why).toHaveCount(0);
  await labeling.choose("Negative");
  await expect(why).toBeVisible();
  await labeling.submit.click();
  await expect(page.getByText("is required")).toBeVisible();
  // Hidden again, it asks nothing.
  await labeling.choose("Positive");
  await expect(why).toHaveCount(0);
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  expect((await exported(request, id)).map((item) => item.value)).toEqual([{ choices: ["Positive"] }]);
});

const limited = `<View>
  <Labels name="ner" toName="text" maxUsages="2">
    <Label value="PER" maxUsages="1"/>
    <Label value="LOC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>`;

test("maxUsages: a label used as often as it may be is greyed out, and the server refuses more", async ({ page, request }) => {
  const title = `Max usages ${stamp}`;
  const id = await project(request, title, limited, [{ text }]);
  const labeling = await open(page, title);
  const per = page.getByRole("button", { name: "PER", exact: true });

  await labeling.pickLabel("PER");
  await labeling.addSpanByOffsets(6, 14);
  await expect(labeling.regions).toHaveCount(1);
  // PER is still chosen: a second span with it is refused, with a note.
  await labeling.addSpanByOffsets(15, 20);
  await expect(page.getByText('"PER" may be used only once in one annotation.')).toBeVisible();
  await expect(labeling.regions).toHaveCount(1);
  // Let go, it is greyed out; LOC still draws, up to its tag's two.
  await per.click();
  await expect(per).toBeDisabled();
  await labeling.pickLabel("LOC");
  await labeling.addSpanByOffsets(24, 30);
  await expect(labeling.regions).toHaveCount(2);
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  expect((await exported(request, id)).map((item) => item.value.labels)).toEqual([["PER"], ["LOC"]]);

  // The server holds the same bound for a result it did not see drawn.
  const task = await gql<{ tasks: { edges: { node: { id: string } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 1){ edges { node { id } } } }",
    { p: id },
  );
  const span = (start: number) => ({
    from_name: "ner",
    to_name: "text",
    type: "labels",
    value: { start, end: start + 1, labels: ["PER"] },
  });
  const res = await request.post(`${seeded.url}/graphql`, {
    headers: auth,
    data: {
      query: "mutation($i: CreateAnnotationInput!){ createAnnotation(input: $i){ id } }",
      variables: { i: { taskId: task.tasks.edges[0]!.node.id, result: [span(0), span(2)] } },
    },
  });
  const body = (await res.json()) as { errors?: { message: string }[] };
  expect(body.errors?.[0]?.message).toContain('label "PER" of "ner" is on more than 1 regions');
});

const tabular = `<View>
  <Table name="table" value="$info"/>
  <Choices name="ok" toName="table"><Choice value="Valid"/><Choice value="Invalid"/></Choices>
</View>`;

test("Table: a data field's keys and values shown as a table, labeled with the controls beside it", async ({ page, request }) => {
  const title = `Table ${stamp}`;
  const id = await project(request, title, tabular, [
    { info: { name: "Ada <b>Lovelace</b>", born: 1815, languages: ["en", "fr"] } },
  ]);
  const labeling = await open(page, title);
  const table = page.getByRole("table", { name: "Table (table)" });
  await expect(table.getByRole("row")).toHaveCount(3);
  // In the order the task's data is stored (its keys sorted); text, never markup.
  await expect(table.getByRole("row").nth(0)).toHaveText("born1815");
  await expect(table.getByRole("row").nth(1)).toHaveText('languages["en","fr"]');
  await expect(table.getByRole("row").nth(2)).toHaveText("nameAda <b>Lovelace</b>");
  await expect(table.locator("b")).toHaveCount(0);
  await labeling.choose("Valid");
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const result = await exported(request, id);
  expect(result.map((item) => [item.to_name, item.value])).toEqual([["table", { choices: ["Valid"] }]]);
});
