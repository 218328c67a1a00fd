// Starts bin/gloss on a fresh data dir and waits for it to print its
// listening line and the one-time setup link, which the specs read from
// e2e/.state/server.json.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { port } from "../playwright.config";

export const stateDir = join(import.meta.dirname, ".state");

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "gloss-e2e-"));
  const child = spawn("./bin/gloss", ["start", "--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: "" },
  });
  let out = "";
  const setupLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gloss did not start:\n${out}`)), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/\S+\/signup\?invite=\S+)/.exec(out);
      if (m && m[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`gloss exited with ${code}:\n${out}`)));
  });
  child.stdout.removeAllListeners("data");
  child.stdout.resume(); // keep draining the log
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, "server.json"), JSON.stringify({ pid: child.pid, dataDir, setupLink }));
}
