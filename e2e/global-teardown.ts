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
  // Wait for them to exit (they write a last audit checkpoint and close the
  // database) before their data dirs go, or the removal races their writes.
  const deadline = Date.now() + 30_000;
  for (const pid of state.pids) {
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        break; // exited
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  for (const dir of state.dataDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}
