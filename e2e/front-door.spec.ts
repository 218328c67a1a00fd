// The front door, end to end in Chromium against the real binary: setup
// link → owner → invite → second user → roles → API token reset → invite
// reset → logout, with cookie flags and a cross-origin attack page.
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test, type APIRequestContext, type BrowserContext } from "@playwright/test";

import { stateDir } from "./global-setup";
import { AccountPage, OrganizationPage, SignupPage } from "./pages";

const state = JSON.parse(readFileSync(join(stateDir, "server.json"), "utf8")) as { setupLink: string };
const ownerEmail = `owner-${Date.now()}@example.com`;
const memberEmail = `member-${Date.now()}@example.com`;
const password = "a quiet owl at midnight";

test.describe.configure({ mode: "serial" });

async function viewerEmail(request: APIRequestContext, token: string): Promise<{ status: number; email?: string }> {
  const res = await request.post("/graphql", {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    data: { query: "{ viewer { email } }" },
  });
  const body = (await res.json()) as { data?: { viewer?: { email: string } } };
  const email = body.data?.viewer?.email;
  return email === undefined ? { status: res.status() } : { status: res.status(), email };
}

test("setup link, invites, roles, API token, invite reset and logout", async ({ browser, request, baseURL }) => {
  const owner: BrowserContext = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await owner.newPage();

  // The one-time setup link creates the owner.
  await page.goto(state.setupLink);
  await expect(page.getByRole("heading", { name: "Create the owner account" })).toBeVisible();
  await new SignupPage(page).signUp(ownerEmail, password);

  // The session cookie is HttpOnly and SameSite=Lax. (Polled: the browser
  // commits cookies to its store asynchronously from the page's view.)
  const sessionCookie = async () => (await owner.cookies()).find((c) => c.name.endsWith("gloss_session"));
  await expect.poll(sessionCookie).toBeDefined();
  const cookie = await sessionCookie();
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  expect(await page.evaluate(() => document.cookie)).not.toContain("gloss_session");

  // The setup link is dead now.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(state.setupLink);
  await expect(strangerPage.getByRole("alert")).toHaveText("This invite link is not valid or has expired.");

  // The owner copies the invite link.
  const org = new OrganizationPage(page);
  await org.goto();
  await expect(page.getByText("Your role: Owner")).toBeVisible();
  const invite = await org.copyInviteLink();
  expect(invite).toBe(await org.inviteLink.inputValue());
  expect(invite).toContain(`${baseURL}/signup?invite=`);

  // A second user signs up with it in a second browser context.
  const member = await browser.newContext();
  const memberPage = await member.newPage();
  await memberPage.goto(invite);
  await expect(memberPage.getByRole("heading", { name: /^Join / })).toBeVisible();
  await new SignupPage(memberPage).signUp(memberEmail, password);
  const memberOrg = new OrganizationPage(memberPage);
  await memberOrg.goto();
  await expect(memberPage.getByText("Your role: Annotator")).toBeVisible();
  await expect(memberPage.getByLabel("Invite link", { exact: true })).toHaveCount(0);
  await expect(memberPage.getByRole("button", { name: "Reset invite link" })).toHaveCount(0);

  // The owner sees both members with their roles.
  await page.reload();
  await expect(org.memberRow(ownerEmail.split("@")[0]!)).toContainText("Owner");
  await expect(org.memberRow(memberEmail.split("@")[0]!)).toContainText("Annotator");

  // API token: shown once; a reset kills the old one.
  const account = new AccountPage(page);
  await account.goto();
  const first = await account.resetApiToken();
  expect(first.length).toBeGreaterThan(40);
  await expect(page.getByText(first)).toHaveCount(0);
  expect(await viewerEmail(request, first)).toEqual({ status: 200, email: ownerEmail });
  // Resetting asks first; cancelling keeps the token working.
  await account.resetToken.click();
  const confirm = page.getByRole("dialog", { name: "Reset your API token?" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  expect(await viewerEmail(request, first)).toEqual({ status: 200, email: ownerEmail });
  const second = await account.resetApiToken();
  expect(second).not.toBe(first);
  expect((await viewerEmail(request, first)).status).toBe(401);
  expect(await viewerEmail(request, second)).toEqual({ status: 200, email: ownerEmail });

  // Resetting the invite link kills the old one at once.
  await org.goto();
  const fresh = await org.resetInviteLink();
  expect(fresh).not.toBe(invite);
  await strangerPage.goto(invite);
  await expect(strangerPage.getByRole("alert")).toHaveText("This invite link is not valid or has expired.");
  await strangerPage.goto(fresh);
  await expect(strangerPage.getByRole("heading", { name: /^Join / })).toBeVisible();

  // Logout ends the session on the server: the old cookie is worthless.
  const before = (await owner.cookies()).find((c) => c.name.endsWith("gloss_session"))!;
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login$/);
  const replay = await browser.newContext();
  await replay.addCookies([before]);
  const res = await replay.request.post("/graphql", {
    headers: { "Content-Type": "application/json", Origin: baseURL! },
    data: { query: "{ viewer { id } }" },
  });
  expect(await res.json()).toEqual({ data: { viewer: null } });

  await Promise.all([owner.close(), member.close(), stranger.close(), replay.close()]);
});

test("a page on another localhost port cannot use the session", async ({ browser, baseURL }) => {
  // Sign in as the member in a fresh context.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(memberEmail);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();

  // An attacker page served from a second port tries to read /graphql with
  // the user's cookie, and to post a state change as a "simple" request.
  const target = `${baseURL}/graphql`;
  const attack = `<!doctype html><title>attack</title><script>
    (async () => {
      const out = {};
      try {
        const r = await fetch(${JSON.stringify(target)}, { method: "POST", credentials: "include",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: "{ viewer { email } }" }) });
        out.read = await r.text();
      } catch (e) { out.read = "blocked: " + e.name; }
      try {
        await fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", credentials: "include",
          headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ query: "mutation { resetApiToken { token } }" }) });
        out.simple = "sent";
      } catch (e) { out.simple = "blocked: " + e.name; }
      document.body.dataset.result = JSON.stringify(out);
    })();
  </script>`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(attack);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    const evil = await ctx.newPage();
    await evil.goto(`http://127.0.0.1:${port}/`);
    await expect(evil.locator("body[data-result]")).toBeAttached();
    const result = JSON.parse((await evil.locator("body").getAttribute("data-result"))!) as { read: string };
    expect(result.read).toBe("blocked: TypeError");
    expect(result.read).not.toContain(memberEmail);
  } finally {
    server.close();
  }

  // The member is still signed in and nothing was changed for them: their
  // session works and they have no API token made by the attack page.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await ctx.close();
});
