import { randomUUID } from "node:crypto";
import {
  type AuthorizationServerMetadata,
  authorizationUrl,
  type CallbackServer,
  type ClientRegistration,
  connectSdkClient,
  createPkce,
  type DevServer,
  discoverAuthorizationServer,
  exchangeCode,
  launchChromium,
  type Pkce,
  printServerLogOnFailure,
  registerClient,
  startCallbackServer,
  startDevServer,
  type TestBrowser,
  type TokenResponse,
} from "@repo/mcp-app/testing";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

/**
 * The sign-in and consent page in a real browser (headless Chromium): what a user sees, what each
 * button sends back to the client, and what the page refuses. The client is registered the way
 * desktop MCP clients do it (dynamic registration, loopback redirect, PKCE S256, `resource`).
 */

/** A self-chosen client name with markup: it must render as text, never as HTML. */
const CLIENT_NAME = "<b>Evil</b> & Co";

let server: DevServer;
let browser: TestBrowser;
let callback: CallbackServer;
let authServer: AuthorizationServerMetadata;
let client: ClientRegistration;
let page: Page;

beforeAll(async () => {
  [server, browser, callback] = await Promise.all([
    startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
    launchChromium(),
    startCallbackServer(),
  ]);
  authServer = await discoverAuthorizationServer(server.origin);
  client = await registerClient(authServer, { client_name: CLIENT_NAME, redirect_uris: [callback.url] });
});
afterAll(async () => {
  await Promise.all([browser?.close(), callback?.close(), server?.stop()]);
});
afterEach(async () => {
  // Closing a page hung in Chromium twice in six full CI runs here (each time another case, never
  // alone). Cleanup only: the browser is closed after the file anyway, so stop waiting after 10 s.
  await Promise.race([page?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
});
printServerLogOnFailure(() => server);

interface Attempt {
  url: URL;
  state: string;
  pkce: Pkce;
}

/** A fresh authorization request, as a client would start one. */
function beginAuthorization(): Attempt {
  const pkce = createPkce();
  const state = randomUUID();
  const url = authorizationUrl(authServer, {
    clientId: client.client_id,
    redirectUri: callback.url,
    state,
    codeChallenge: pkce.challenge,
    resource: server.origin,
  });
  return { url, state, pkce };
}

async function openConsent(attempt: Attempt) {
  page = await browser.context.newPage();
  const response = await page.goto(attempt.url.href);
  expect(response?.status()).toBe(200);
  return response;
}

async function signIn(email: string, password: string, decision: "Approve" | "Deny" = "Approve"): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: decision }).click();
}

/** The callback's query, minus the code (which is random), for exact comparison. */
function callbackParams(url: URL): Record<string, string> {
  const params = Object.fromEntries(url.searchParams);
  if (params.code) params.code = "<code>";
  return params;
}

describe("consent page in Chromium", () => {
  it("shows the client's name as text, where access will go, and the mock notice", async () => {
    await openConsent(beginAuthorization());
    expect(await page.title()).toBe(`Authorize ${CLIENT_NAME}`);
    expect(await page.locator("#client-name").textContent()).toBe(CLIENT_NAME);
    expect(await page.locator("#client-name b").count()).toBe(0);
    expect(await page.locator("#redirect-host").textContent()).toBe("127.0.0.1");
    expect(await page.locator(".notice").textContent()).toMatch(/^Mock sign-in\. This demo accepts any well-formed email/);
    expect(await page.locator(".warn").textContent()).toMatch(/^This sends access to an app on your computer\./);
  });

  it("Approve: redirects to the client's callback with a code and iss; the code buys a token that calls tools", async () => {
    const attempt = beginAuthorization();
    await openConsent(attempt);
    await signIn("ada@example.com", "correct horse");
    const landed = await callback.next();
    expect(callbackParams(landed)).toEqual({ code: "<code>", state: attempt.state, iss: server.origin });
    await page.waitForURL((url) => url.href.startsWith(callback.url));

    const exchanged = await exchangeCode(authServer, {
      clientId: client.client_id,
      redirectUri: callback.url,
      code: landed.searchParams.get("code") as string,
      verifier: attempt.pkce.verifier,
      resource: server.origin,
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as TokenResponse;
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "mcp:tools", expires_in: 3600 });

    const mcp = await connectSdkClient(`${server.origin}/mcp`, "streamable-http", undefined, {
      Authorization: `Bearer ${tokens.access_token}`,
    });
    try {
      expect(await mcp.callTool({ name: "add", arguments: { a: 40, b: 2 } })).toEqual({
        content: [{ type: "text", text: "40 + 2 = 42" }],
        structuredContent: { result: 42 },
      });
    } finally {
      await mcp.close();
    }
  });

  it("Deny: redirects to the client's callback with error=access_denied and no code", async () => {
    const attempt = beginAuthorization();
    await openConsent(attempt);
    await page.getByRole("button", { name: "Deny" }).click();
    const landed = await callback.next();
    // The page has finished landing before the test ends: closing it mid-navigation could hang.
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    expect(callbackParams(landed)).toEqual({
      error: "access_denied",
      error_description: "The user denied the request",
      state: attempt.state,
      iss: server.origin,
    });
  });

  it("an invalid email shows the same form again with a message and status 400; the request is not lost", async () => {
    const attempt = beginAuthorization();
    await openConsent(attempt);
    const callbacksBefore = callback.received.length;
    // "ada@example" passes the browser's type=email check but not the server's.
    const rejected = page.waitForResponse((response) => response.request().method() === "POST");
    await signIn("ada@example", "correct horse");
    expect((await rejected).status()).toBe(400);
    await expect.poll(() => page.locator(".error").textContent()).toBe("Enter a valid email address.");
    expect(await page.locator("#client-name").textContent()).toBe(CLIENT_NAME);
    expect(await page.getByLabel("Email").inputValue()).toBe("ada@example");
    expect(await page.getByLabel("Password").inputValue()).toBe("");
    expect(callback.received.length).toBe(callbacksBefore);

    await signIn("ada@example.com", "correct horse");
    const landed = await callback.next();
    expect(callbackParams(landed)).toEqual({ code: "<code>", state: attempt.state, iss: server.origin });
  });

  it("refuses to be framed: CSP frame-ancestors 'none' and X-Frame-Options, and Chromium obeys", async () => {
    const attempt = beginAuthorization();
    const response = await openConsent(attempt);
    const headers = response?.headers() ?? {};
    expect(headers["content-security-policy"]?.split(/;\s*/)).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");

    // A page on another origin (the callback server's) frames the consent page, next to a control
    // frame that shows framing itself works here.
    const control = callback.url.replace(/\/callback$/, "/control");
    await page.goto(control);
    await page.setContent(`<iframe id="control" src="${control}"></iframe><iframe id="consent" src="${attempt.url.href}"></iframe>`, {
      waitUntil: "load",
    });
    await expect.poll(() => page.frameLocator("#control").locator("body").textContent()).toBe("Not Found\n");
    expect(await page.frameLocator("#consent").locator("#client-name").count()).toBe(0);
  });
});
