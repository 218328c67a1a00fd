// Stopping the processes a test run started: SIGTERM, wait for each to exit
// (a gloss server writes its last audit checkpoint and closes its database
// on the way out), and only then remove their directories, so the removal
// never races their last writes.
import { rmSync } from "node:fs";

export async function stopAndRemove(pids: (number | undefined)[], dirs: string[]): Promise<void> {
  const live = pids.filter((pid): pid is number => pid !== undefined);
  for (const pid of live) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 30_000;
  for (const pid of live) {
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
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
