// Stops the gloss processes that global-setup started.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { stateDir, type ServerState } from "./global-setup";
import { stopAndRemove } from "./processes";

export default async function globalTeardown(): Promise<void> {
  const state = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as ServerState;
  await stopAndRemove(state.pids, state.dataDirs);
}
