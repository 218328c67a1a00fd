// Starts two bin/gloss processes on fresh data dirs, seeded only through the
// product's own bootstrap paths:
//  - "fresh": no account; the specs read the one-time setup link it prints.
//  - "seeded": started with --username/--password-file/--user-token-file, as
//    an operator moving from Label Studio would, for the labeling specs (the
//    secrets in files, as the README shows, so they are not visible in ps).
// What the specs need is written to e2e/.state/server.json.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { port } from "../playwright.config";

export const stateDir = join(import.meta.dirname, ".state");

export interface ServerState {
  pids: number[];
  dataDirs: string[];
  setupLink: string;
  seeded: { url: string; email: string; password: string; token: string };
}

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "gloss-e2e-"));
  const child = spawn("./bin/gloss", ["start", "--host", "127.0.0.1", "--data-dir", dataDir, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: "" },
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gloss did not start:\n${out}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners("data");
        child.stdout!.resume(); // keep draining the log
        resolve({ child, match: m, dataDir });
      }
    });
    child.on("exit", (code) => reject(new Error(`gloss exited with ${code}:\n${out}`)));
  });
}

export default async function globalSetup(): Promise<void> {
  const fresh = await start(["--port", String(port)], /(http:\/\/\S+\/signup\?invite=\S+)/);
  const seededPort = port + 1;
  const seeded = { url: `http://127.0.0.1:${seededPort}`, email: "manager@example.com", password: "labels all the way down", token: "e2e-token-for-the-api" };
  const secrets = mkdtempSync(join(tmpdir(), "gloss-e2e-secrets-"));
  writeFileSync(join(secrets, "password"), seeded.password + "\n", { mode: 0o600 });
  writeFileSync(join(secrets, "token"), seeded.token + "\n", { mode: 0o600 });
  const second = await start(
    ["--port", String(seededPort), "--username", seeded.email,
      "--password-file", join(secrets, "password"), "--user-token-file", join(secrets, "token")],
    /Gloss is listening on/,
  );
  mkdirSync(stateDir, { recursive: true });
  const state: ServerState = {
    pids: [fresh.child.pid!, second.child.pid!],
    dataDirs: [fresh.dataDir, second.dataDir],
    setupLink: fresh.match[1]!,
    seeded,
  };
  writeFileSync(join(stateDir, "server.json"), JSON.stringify(state));
}
