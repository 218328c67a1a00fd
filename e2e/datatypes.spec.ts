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
  await expect(await labeling.task(1)).toBeVisible();

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

// pointIn is the screen point just inside the start (or end) of phrase in the line holding it.
async function pointIn(page: import("@playwright/test").Page, line: string, phrase: string, atEnd: boolean) {
  return page.locator(".lc-paragraph-text", { hasText: line }).evaluate(
    (element, [wanted, end]) => {
      // The line may already be cut into marks: find the text node holding the phrase.
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      let node: Node | null = walker.nextNode();
      while (node && !(node.textContent ?? "").includes(wanted as string)) node = walker.nextNode();
      const at = node?.textContent?.indexOf(wanted as string) ?? -1;
      if (!node || at < 0) throw new Error(`"${wanted}" is not in the line`);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + (wanted as string).length);
      const rect = range.getBoundingClientRect();
      return { x: end ? rect.right - 1 : rect.left + 1, y: rect.top + rect.height / 2 };
    },
    [phrase, atEnd] as const,
  );
}

const dialogue = `<View>
  <ParagraphLabels name="intent" toName="dialogue"><Label value="Question"/><Label value="Answer"/></ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue"/>
</View>`;

test("paragraphs: a dialogue shown as text, spans labeled within and across lines, saved in Label Studio's shape", async ({
  page,
  request,
}) => {
  const title = `Dialogue ${stamp}`;
  const id = await project(request, title, dialogue, [
    {
      dialogue: [
        { author: "Alice", text: "Where is <b>the</b> key?" },
        { author: "Bob", text: "Under the mat, I think." },
      ],
    },
  ]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  // HTML in the data is text, never markup.
  await expect(page.getByText("Where is <b>the</b> key?")).toBeVisible();
  await expect(page.locator(".lc-paragraphs b")).toHaveCount(0);

  await labeling.pickLabel("Question");
  const from = await pointIn(page, "Where is", "Where", false);
  const to = await pointIn(page, "Where is", "key?", true);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("“Where is <b>the</b> key?”");

  await labeling.pickLabel("Answer");
  const a = await pointIn(page, "Where is", "key?", false);
  const b = await pointIn(page, "Under the", "Under", true);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
  await expect(labeling.regions).toHaveCount(2);
  await page.keyboard.press("Control+z");
  await expect(labeling.regions).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(labeling.regions).toHaveCount(2);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Record<string, unknown>[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: id },
  );
  const values = data.tasks.edges[0]!.node.annotations[0]!.result.map((r) => {
    expect(r.type).toBe("paragraphlabels");
    return r.value;
  });
  expect(values).toEqual([
    { start: "0", end: "0", startOffset: 0, endOffset: 24, text: "Where is <b>the</b> key?", paragraphlabels: ["Question"] },
    { start: "0", end: "1", startOffset: 20, endOffset: 5, text: "key?\nUnder", paragraphlabels: ["Answer"] },
  ]);
});

// wav is a second of silence at 8 kHz, 8-bit mono, as a data:audio URL.
function wav(secondsLong: number): string {
  const rate = 8000;
  const samples = rate * secondsLong;
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + samples, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(samples, 40);
  const body = Buffer.alloc(samples, 128);
  return `data:audio/wav;base64,${Buffer.concat([header, body]).toString("base64")}`;
}

const audioConfig = `<View>
  <Labels name="speech" toName="audio"><Label value="Speech"/><Label value="Noise"/></Labels>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcript" toName="audio" perRegion="true"/>
</View>`;

test("audio: segments made by dragging on the timeline and by times, transcribed per segment, in Label Studio's shape", async ({
  page,
  request,
}) => {
  const title = `Audio ${stamp}`;
  const id = await project(request, title, audioConfig, [{ audio: wav(10) }, { audio: "javascript:alert(1)" }]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  const timeline = page.getByRole("group", { name: "Audio timeline (audio)" });
  await expect(page.getByLabel("Audio to label (audio)")).toBeVisible();
  // The duration is known once the metadata loads; wait for it through a segment's width.
  await expect.poll(() => page.getByLabel("Audio to label (audio)").evaluate((a) => (a as HTMLAudioElement).duration)).toBeCloseTo(10, 1);

  await labeling.pickLabel("Speech");
  const box = (await timeline.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText(/2(\.\d+)?–5(\.\d+)? s/);

  await labeling.pickLabel("Noise");
  await page.getByLabel("Start (s)").fill("7");
  await page.getByLabel("End (s)").fill("8.5");
  await page.getByRole("button", { name: "Add segment" }).click();
  await expect(labeling.regions).toHaveCount(2);
  await page.keyboard.press("Control+z");
  await expect(labeling.regions).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(labeling.regions).toHaveCount(2);

  // Selecting a segment opens its transcription.
  await page.getByRole("button", { name: "Noise", exact: true }).click();
  await page.getByRole("button", { name: /^Segment 7–8\.5 s: Noise/ }).click();
  await page.getByLabel(/Transcript for the segment 7–8\.5 s/).fill("a door slams");

  await labeling.submit.click();
  // The second task's audio URL is refused, not loaded.
  await expect(page.getByText("This audio URL is not allowed.")).toBeVisible();
  await expect(page.locator("audio")).toHaveCount(0);

  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Record<string, unknown>[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: id },
  );
  const result = data.tasks.edges.flatMap((e) => e.node.annotations.flatMap((a) => a.result));
  const noise = result.find((r) => r.type === "labels" && (r.value as { labels: string[] }).labels[0] === "Noise")!;
  expect(noise.value).toEqual({ start: 7, end: 8.5, channel: 0, labels: ["Noise"] });
  const speech = result.find((r) => r.type === "labels" && (r.value as { labels: string[] }).labels[0] === "Speech")!;
  const sv = speech.value as { start: number; end: number };
  expect(sv.start).toBeCloseTo(2, 0);
  expect(sv.end).toBeCloseTo(5, 0);
  const text = result.find((r) => r.type === "textarea")!;
  expect(text.id).toBe(noise.id);
  expect(text.to_name).toBe("audio");
  expect(text.value).toEqual({ start: 7, end: 8.5, channel: 0, text: ["a door slams"] });
});

// segmentSpan reads where a segment is drawn on the timeline, in percent of its width, rounded.
async function segmentSpan(timeline: Locator, segment: Locator): Promise<number[]> {
  const [bar, box] = [await timeline.boundingBox(), await segment.boundingBox()];
  if (!bar || !box) return [];
  return [Math.round(((box.x - bar.x) / bar.width) * 100), Math.round((box.width / bar.width) * 100)];
}

test("audio: a saved segment is drawn at its time when its task page opens, however soon a data:audio URL loads", async ({
  page,
  request,
}) => {
  const title = `Audio saved ${stamp}`;
  const id = await project(request, title, audioConfig, [{ audio: wav(4) }]);
  const tasks = await gql<{ tasks: { edges: { node: { id: string } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { id } } } }",
    { p: id },
  );
  const taskId = tasks.tasks.edges[0]!.node.id;
  await gql(request, "mutation($i: CreateAnnotationInput!){ createAnnotation(input: $i){ id } }", {
    i: {
      taskId,
      result: [{ id: "s1", from_name: "speech", to_name: "audio", type: "labels", value: { start: 1, end: 3, channel: 0, labels: ["Speech"] } }],
    },
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  // Opened directly, as from the data manager: the player may know its duration before the page is drawn.
  await page.goto(`${seeded.url}/projects/${id}/tasks/${taskId}`);
  const timeline = page.getByRole("group", { name: "Audio timeline (audio)" });
  const segment = page.getByRole("button", { name: /^Segment 1–3 s: Speech/ });
  await expect(segment).toBeVisible();
  // 1 s to 3 s of 4 s: from a quarter of the timeline, half of it wide.
  await expect.poll(() => segmentSpan(timeline, segment)).toEqual([25, 50]);
});

const htmlConfig = `<View>
  <HyperTextLabels name="ner" toName="page"><Label value="Title"/><Label value="Word"/></HyperTextLabels>
  <HyperText name="page" value="$html"/>
</View>`;

// selectIn drags the mouse across phrase inside the element matched by selector.
async function selectIn(page: import("@playwright/test").Page, selector: string, phrase: string): Promise<void> {
  const box = await page.locator(selector).first().evaluate((element, wanted) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node: Node | null = walker.nextNode();
    while (node && !(node.textContent ?? "").includes(wanted)) node = walker.nextNode();
    const at = node?.textContent?.indexOf(wanted) ?? -1;
    if (!node || at < 0) throw new Error(`"${wanted}" is not there`);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + wanted.length);
    const rect = range.getBoundingClientRect();
    return { left: rect.left, right: rect.right, middle: rect.top + rect.height / 2 };
  }, phrase);
  await page.mouse.move(box.left + 1, box.middle);
  await page.mouse.down();
  await page.mouse.move(box.right - 1, box.middle, { steps: 8 });
  await page.mouse.up();
}

test("hypertext: HTML sanitized to plain tags, spans saved with Label Studio's XPaths and global offsets", async ({
  page,
  request,
}) => {
  const title = `HTML ${stamp}`;
  const html =
    `<h1 onclick="window.__pwned=1" style="background:url(https://example.com/x)">Hello</h1>` +
    `<p id="app" style="color:red">world <a href="javascript:window.__pwned=2">link</a></p>` +
    `<img src="x" onerror="window.__pwned=3"><script>window.__pwned=4</script><iframe src="https://example.com"></iframe>` +
    `<svg><animate onbegin="window.__pwned=5"/></svg><form action="/x"><input name="y"></form>`;
  const id = await project(request, title, htmlConfig, [{ html }]);
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  const doc = page.getByRole("document", { name: "HTML content (page)" });
  await expect(doc.locator("h1")).toHaveText("Hello");
  // Only plain tags survive, with no attribute at all; nothing ran.
  await expect(doc.locator("img, script, iframe, svg, form, input, [onclick], [style], [href], [id]")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await labeling.pickLabel("Title");
  await selectIn(page, ".lc-html h1", "Hello");
  await expect(labeling.regions).toHaveCount(1);
  await labeling.pickLabel("Word");
  await selectIn(page, ".lc-html p", "orld");
  await expect(labeling.regions).toHaveCount(2);
  await expect(doc.locator("mark")).toHaveText(["Hello", "orld"]);
  await page.keyboard.press("Control+z");
  await expect(doc.locator("mark")).toHaveText(["Hello"]);
  await page.keyboard.press("Control+Shift+z");
  await expect(labeling.regions).toHaveCount(2);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Record<string, unknown>[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: id },
  );
  const result = data.tasks.edges[0]!.node.annotations[0]!.result;
  expect(result.map((r) => r.type)).toEqual(["hypertextlabels", "hypertextlabels"]);
  expect(result.map((r) => r.value)).toEqual([
    { start: "/h1[1]/text()[1]", end: "/h1[1]/text()[1]", startOffset: 0, endOffset: 5, globalOffsets: { start: 0, end: 5 }, text: "Hello", htmllabels: ["Title"] },
    { start: "/p[1]/text()[1]", end: "/p[1]/text()[1]", startOffset: 1, endOffset: 5, globalOffsets: { start: 6, end: 10 }, text: "orld", htmllabels: ["Word"] },
  ]);
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

const brushConfig = `<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="mask" toName="image"><Label value="Road"/></BrushLabels>
</View>`;

test("brush masks: a mask in Label Studio's RLE is shown over the image and kept exactly through the editor", async ({
  page,
  request,
}) => {
  const title = `Brush ${stamp}`;
  const id = await project(request, title, brushConfig, [{ image: png(2, 1, [200, 200, 200]) }]);
  const tasks = await gql<{ tasks: { edges: { node: { id: string } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { id } } } }",
    { p: id },
  );
  // A 2×1 mask with the first pixel painted, as label_studio_converter encodes it.
  const brush = {
    id: "m1",
    from_name: "mask",
    to_name: "image",
    type: "brushlabels",
    origin: "manual",
    original_width: 2,
    original_height: 1,
    value: { format: "rle", rle: [0, 0, 0, 8, 57, 27, 252, 64, 0, 127, 198, 0], brushlabels: ["Road"] },
  };
  await gql(request, "mutation($t: ID!, $r: JSON!){ saveDraft(taskId: $t, result: $r){ updatedAt } }", {
    t: tasks.tasks.edges[0]!.node.id,
    r: [brush],
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const labeling = await (await new ProjectsPage(page).open(title)).startLabeling();
  await expect(await labeling.task(1)).toBeVisible();
  await expect(labeling.regions).toHaveCount(1);
  await expect(labeling.regions.first()).toContainText("brush mask");
  await expect(page.locator("svg image.lc-brush")).toHaveCount(1);
  const href = await page.locator("svg image.lc-brush").getAttribute("href");
  expect(href).toMatch(/^data:image\/png;base64,/);

  // A stroke painted with the label chosen is a second mask.
  await labeling.pickLabel("Road");
  await labeling.dragOnImage([0.1, 0.5], [0.9, 0.5]);
  await expect(labeling.regions).toHaveCount(2);
  await expect(page.locator("svg image.lc-brush")).toHaveCount(2);

  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
  const data = await gql<{ tasks: { edges: { node: { annotations: { result: Record<string, unknown>[] }[] } }[] } }>(
    request,
    "query($p: ID!){ tasks(projectId:$p, first: 5){ edges { node { annotations { result } } } } }",
    { p: id },
  );
  const saved = data.tasks.edges[0]!.node.annotations[0]!.result;
  expect(saved).toHaveLength(2);
  expect(saved[0]).toMatchObject({ id: "m1", type: "brushlabels", original_width: 2, original_height: 1 });
  expect(saved[0]!.value).toEqual(brush.value);
  // The painted mask is Label Studio's RLE of the whole 2×1 image (the server checked that its runs
  // decode to 2 × 1 × 4 values), painted.
  expect(saved[1]).toMatchObject({ type: "brushlabels", original_width: 2, original_height: 1 });
  const painted = saved[1]!.value as { format: string; rle: number[]; brushlabels: string[] };
  expect(painted.format).toBe("rle");
  expect(painted.brushlabels).toEqual(["Road"]);
  expect(painted.rle.slice(0, 4)).toEqual([0, 0, 0, 8]);
  const alpha = decodeRLE(painted.rle).filter((_, i) => i % 4 === 3);
  expect(alpha).toEqual([255, 255]); // a stroke across the middle covers both pixels
});
