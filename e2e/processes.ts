// Stopping the processes a test run started: SIGTERM, wait for each to exit
// (a gloss server writes its last audit checkpoint and closes its database
// on the way out), and only then remove their directories, so the removal
// never races their last writes.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect, type APIRequestContext } from "@playwright/test";

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

/** The owner a spec's own server starts with (gloss start --username ...). */
export interface Owner {
  email: string;
  password: string;
  token: string;
}

/**
 * Processes a spec starts itself (test servers, its own gloss), and the
 * directories they use; stop() ends them all.
 */
export class SpecProcesses {
  private children: ChildProcess[] = [];
  private dirs: string[] = [];

  /** tempDir makes a directory that stop() removes. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** started spawns a process and resolves once its output matches ready. */
  started(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    this.children.push(child);
    let out = "";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} did not start:\n${out}`)), 60_000);
      const read = (chunk: Buffer) => {
        out += chunk.toString();
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve(child);
        }
      };
      child.stdout!.on("data", read);
      child.stderr!.on("data", read);
      child.on("exit", (code) => reject(new Error(`${cmd} exited with ${code}:\n${out}`)));
    });
  }

  /**
   * gloss starts ./bin/gloss on SQLite in a fresh data dir on port, with
   * owner made from files as `gloss start` documents, allowed to reach
   * loopback servers (GLOSS_OUTBOUND_ALLOW=127.0.0.1); it returns its URL.
   */
  async gloss(port: number, owner: Owner, name: string): Promise<string> {
    const dataDir = this.tempDir(`gloss-e2e-${name}-`);
    const secrets = this.tempDir(`gloss-e2e-${name}-secrets-`);
    writeFileSync(join(secrets, "password"), owner.password + "\n", { mode: 0o600 });
    writeFileSync(join(secrets, "token"), owner.token + "\n", { mode: 0o600 });
    await this.started("./bin/gloss",
      ["start", "--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, "--username", owner.email,
        "--password-file", join(secrets, "password"), "--user-token-file", join(secrets, "token")],
      { ...process.env, DATABASE_URL: "", GLOSS_OUTBOUND_ALLOW: "127.0.0.1" }, /Gloss is listening on/);
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await stopAndRemove(this.children.map((child) => child.pid), this.dirs);
    this.children = [];
    this.dirs = [];
  }
}

/** ownerGraphQL answers a GraphQL request as the owner's token; errors fail the test. */
export async function ownerGraphQL<T>(request: APIRequestContext, url: string, owner: Owner, query: string,
  variables: Record<string, unknown>): Promise<T> {
  const res = await request.post(`${url}/graphql`, {
    headers: { Authorization: `Bearer ${owner.token}` },
    data: { query, variables },
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  expect(body.errors).toBeUndefined();
  return body.data as T;
}
