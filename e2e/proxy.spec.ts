// Behind a TLS-terminating reverse proxy, as most operators run Gloss: a
// small Node HTTPS proxy (self-signed certificate) that sets
// X-Forwarded-For/-Proto/-Host like the README's nginx example, in front of
// a gloss started with GLOSS_TRUSTED_PROXIES and an https --public-url, its
// owner created from a password file. Chromium loads the SPA through the
// proxy, signs in and out, and gets a __Host- Secure cookie.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { SignInPage } from "./labeling-pages";

const email = "proxied-owner@example.com";
const password = "through the proxy we go";

let gloss: ChildProcess | undefined;
let proxy: Server | undefined;
let proxyURL = "";

// startProxy listens on a free port and forwards to the gloss at target(),
// appending the client's address to X-Forwarded-For as nginx's
// $proxy_add_x_forwarded_for does.
function startProxy(dir: string, target: () => string): Promise<string> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  proxy = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const prior = req.headers["x-forwarded-for"];
    const client = req.socket.remoteAddress ?? "";
    const upstream = new URL(target());
    const up = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          "x-forwarded-for": prior ? `${prior}, ${client}` : client,
          "x-forwarded-proto": "https",
          "x-forwarded-host": req.headers.host,
        },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((resolve) => {
    proxy!.listen(0, "127.0.0.1", () => resolve(`https://127.0.0.1:${(proxy!.address() as AddressInfo).port}`));
  });
}

// startGloss starts bin/gloss on a free port behind the proxy and returns
// the address it listens on.
function startGloss(dir: string, publicURL: string): Promise<string> {
  const passwordFile = join(dir, "owner.password");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  gloss = spawn(
    "./bin/gloss",
    ["start", "--host", "127.0.0.1", "--port", "0", "--data-dir", join(dir, "data"),
      "--public-url", publicURL, "--username", email, "--password-file", passwordFile],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DATABASE_URL: "", GLOSS_TRUSTED_PROXIES: "127.0.0.1/32" } },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gloss did not start:\n${out}`)), 30_000);
    gloss!.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Gloss is listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        gloss!.stdout!.removeAllListeners("data");
        gloss!.stdout!.resume();
        resolve(m[1]!);
      }
    });
    gloss!.on("exit", (code) => reject(new Error(`gloss exited with ${code}:\n${out}`)));
  });
}

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "gloss-e2e-proxy-"));
  let glossURL = "";
  proxyURL = await startProxy(dir, () => glossURL);
  glossURL = await startGloss(dir, proxyURL);
});

test.afterAll(async () => {
  gloss?.removeAllListeners("exit");
  gloss?.kill();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
});

test("the SPA works through a TLS-terminating proxy", async ({ browser }) => {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();

  // Sign-in is a POST with Origin: https://127.0.0.1:<proxy port>.
  await new SignInPage(page).signIn(proxyURL, email, password);

  const cookie = (await ctx.cookies(proxyURL)).find((c) => c.name.endsWith("gloss_session"));
  expect(cookie?.name).toBe("__Host-gloss_session");
  expect(cookie?.secure).toBe(true);
  expect(cookie?.httpOnly).toBe(true);

  const res = await page.request.get(`${proxyURL}/`);
  expect(res.headers()["strict-transport-security"]).toContain("max-age=");

  // A cookie-authenticated state change: signing out ends the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto(`${proxyURL}/account`);
  await expect(page).toHaveURL(/\/login$/);

  await ctx.close();
});
