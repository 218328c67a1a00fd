// Media uploaded through the Import tab: a PNG becomes a task, the label
// stream shows it from /api/uploads/ (served inertly) and a box is drawn on
// it. How markup uploads are served is uploads_test.go's.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

import { expect, test } from "@playwright/test";

import { stateDir, type ServerState } from "./global-setup";
import { NewProjectPage, SignInPage } from "./labeling-pages";

const { seeded } = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
const stamp = Date.now();

// pngFile returns a width×height PNG of one colour.
function pngFile(width: number, height: number, rgb: [number, number, number]): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = table[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("an uploaded image is labeled from /api/uploads/", async ({ page }) => {
  page.on("dialog", (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  await new SignInPage(page).signIn(seeded.url, seeded.email, seeded.password);
  const dir = mkdtempSync(join(tmpdir(), "gloss-e2e-uploads-"));
  writeFileSync(join(dir, "street.png"), pngFile(64, 48, [200, 120, 40]));

  const project = await new NewProjectPage(page).createFromTemplate(
    "Object detection (bounding boxes)",
    `Uploads ${stamp}`,
    "<RectangleLabels",
  );
  await project.importFiles([join(dir, "street.png")], 1);

  const labeling = await project.startLabeling();
  await expect(labeling.image).toBeVisible();
  const src = await labeling.image.getAttribute("src");
  expect(src).toMatch(/^\/api\/uploads\/[0-9a-f]{32}\.png$/);
  await expect.poll(() => labeling.image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(64);
  const served = await page.request.get(`${seeded.url}${src}`);
  expect(served.headers()["content-type"]).toBe("image/png");
  expect(served.headers()["x-content-type-options"]).toBe("nosniff");
  expect(served.headers()["content-security-policy"]).toMatch(/^sandbox/);

  await labeling.pickLabel("Car");
  await labeling.drawBox([0.2, 0.25], [0.7, 0.75]);
  await expect(labeling.regions).toHaveCount(1);
  await labeling.submit.click();
  await expect(labeling.done).toBeVisible();
});
