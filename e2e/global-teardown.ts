// Stops the gloss processes that global-setup started.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import { stateDir, type ServerState } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  const state = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
  for (const pid of state.pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  for (const dir of state.dataDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}
