// Stops the gloss process that global-setup started.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import { stateDir } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  const state = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as { pid: number; dataDir: string };
  try {
    process.kill(state.pid, "SIGTERM");
  } catch {
    // already gone
  }
  rmSync(state.dataDir, { recursive: true, force: true });
}
