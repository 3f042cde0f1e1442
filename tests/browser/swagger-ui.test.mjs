// Swagger UI at /docs, driven in Debian's chromium by playwright-core (which never downloads
// a browser: executablePath points at the system one). scripts/test-browser.sh starts the
// server and sets ACTORS_URL; SCREENSHOT_DIR receives the screenshots.
//
// The tests run in order on one page, as a person would use it: the page lists every
// operation of the spec, Authorize with the right password lets "Try it out" list the
// actors, and with a wrong password the same request shows 401.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { chromium } from "playwright-core";

const baseUrl = process.env.ACTORS_URL;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const screenshotDir = process.env.SCREENSHOT_DIR ?? tmpdir();
if (!baseUrl) {
  throw new Error("ACTORS_URL is not set: run scripts/test-browser.sh, which starts a server");
}
const origin = new URL(baseUrl).origin;

// Flags for a quiet, sandbox-friendly headless run that talks to nothing but the server.
// playwright-core adds --headless itself, and --user-data-dir from launchPersistentContext.
const chromiumFlags = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

// Waits are Playwright's auto-waiting, bounded only so a broken page fails instead of hanging.
const patience = { timeout: 30_000 };

describe("Swagger UI at /docs", () => {
  let profile;
  let context;
  let page;
  const foreignRequests = [];
  const consoleErrors = [];
  const pageErrors = [];
  let loginPrompts;

  before(async () => {
    profile = await mkdtemp(join(tmpdir(), "actors-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(patience.timeout);
    loginPrompts = await cancelLoginPrompts(context, page);
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin !== origin && url.protocol !== "data:") {
        foreignRequests.push(request.url());
      }
    });
    page.on("console", (message) => {
      // A 401 or 404 the test asks for is logged as a failed resource load; anything
      // else (a script error, a Content-Security-Policy refusal) is a failure.
      if (message.type() === "error" && !/Failed to load resource/.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // Listening from an init script: CDP injects it, so the page's policy does not stop it.
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
  });

  after(async () => {
    if (page) {
      await page.screenshot({ path: join(screenshotDir, "last-state.png"), fullPage: true });
    }
    await context?.close();
    if (profile) {
      await rm(profile, { recursive: true, force: true });
    }
  });

  test("/docs loads with a Content-Security-Policy and lists every operation of the spec", async () => {
    const response = await page.goto(`${baseUrl}/docs`);
    assert.equal(response?.status(), 200);
    assert.match(response.headers()["content-security-policy"] ?? "", /default-src 'none'/);

    const spec = await (await fetch(`${baseUrl}/openapi.json`)).json();
    const operations = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === "parameters") continue;
        operations.push({ path, method, operation });
      }
    }
    assert.ok(operations.length > 0, "the spec has no operations");

    for (const { path, method, operation } of operations) {
      // Swagger UI gives each operation the id operations-<tag>-<operationId>.
      const block = page.locator(`#operations-${operation.tags[0]}-${operation.operationId}`);
      await block.waitFor(patience);
      assert.equal(
        (await block.locator(".opblock-summary-method").innerText()).trim(),
        method.toUpperCase(),
      );
      assert.equal(await block.locator(".opblock-summary-path").getAttribute("data-path"), path);
    }
    assert.equal(await page.locator(".opblock").count(), operations.length);
  });

  test("Authorize, then Try it out on GET /actors shows 200 and William Shatner", async () => {
    await authorize(page, "user", "password");

    const list = page.locator("#operations-actors-listActors");
    await list.locator(".opblock-summary-control").click();
    await list.locator("button.try-out__btn").click();
    await list.locator("button.execute").click();

    const live = list.locator(".live-responses-table tbody .response");
    await live.locator(".response-col_status").waitFor(patience);
    assert.equal((await live.locator(".response-col_status").innerText()).trim(), "200");
    const body = live.locator("pre.microlight", { hasText: "William Shatner" });
    await body.waitFor(patience);

    // The picture for README: from the title down to the response body.
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = await body.boundingBox();
    assert.ok(box);
    await page.screenshot({
      path: join(screenshotDir, "swagger-ui.png"),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 24) },
    });
  });

  test("with a wrong password the same request shows 401", async (t) => {
    await logout(page);
    await authorize(page, "user", "wrong-password");

    const list = page.locator("#operations-actors-listActors");
    await list.locator("button.execute").click();
    const status = list.locator(".live-responses-table tbody .response .response-col_status");
    await status.filter({ hasText: "401" }).waitFor(patience);
    assert.equal((await status.innerText()).trim(), "401");
    t.diagnostic(`the browser asked for credentials ${loginPrompts.length} time(s); cancelled`);
  });

  test("the page ran with no errors, no policy violations and no other origin", async () => {
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(foreignRequests, []);
  });
});

// cancelLoginPrompts answers the browser's own login prompt with "Cancel", as a person
// would: a 401 with "WWW-Authenticate: Basic" makes chromium ask for credentials even for
// Swagger UI's fetch, and headless it would wait for an answer forever. After the cancel the
// page gets the 401 response. Returns the list of URLs that prompted, filled as they come.
async function cancelLoginPrompts(context, page) {
  const prompted = [];
  const cdp = await context.newCDPSession(page);
  cdp.on("Fetch.requestPaused", ({ requestId }) => {
    cdp.send("Fetch.continueRequest", { requestId }).catch(() => {});
  });
  cdp.on("Fetch.authRequired", ({ requestId, request }) => {
    prompted.push(request.url);
    cdp
      .send("Fetch.continueWithAuth", { requestId, authChallengeResponse: { response: "CancelAuth" } })
      .catch(() => {});
  });
  // Only the API's own paths: the page and its assets never ask for credentials.
  await cdp.send("Fetch.enable", {
    handleAuthRequests: true,
    patterns: [{ urlPattern: `${origin}/actors*` }],
  });
  return prompted;
}

// authorize fills Swagger UI's "Authorize" dialog for the basicAuth scheme and closes it.
async function authorize(page, username, password) {
  await page.locator(".scheme-container button.authorize").click();
  const dialog = page.locator(".modal-ux");
  await dialog.locator('input[name="username"]').fill(username);
  await dialog.locator('input[name="password"]').fill(password);
  await dialog.locator('button[type="submit"]', { hasText: "Authorize" }).click();
  await dialog.locator("button", { hasText: "Logout" }).waitFor(patience);
  await dialog.locator("button.btn-done").click();
  await dialog.waitFor({ state: "detached", ...patience });
}

// logout forgets the credentials entered before, which the page keeps until then.
async function logout(page) {
  await page.locator(".scheme-container button.authorize").click();
  const dialog = page.locator(".modal-ux");
  await dialog.locator("button", { hasText: "Logout" }).click();
  await dialog.locator("button.btn-done").click();
  await dialog.waitFor({ state: "detached", ...patience });
}
