import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback OAuth redirect target, like the one a desktop MCP client runs while the user signs in. */
export interface CallbackServer {
  /** e.g. http://127.0.0.1:41234/callback: register this as the redirect URI. */
  url: string;
  /** Every callback URL received so far, oldest first. */
  received: URL[];
  /** Resolves with the next callback (or one already received and not yet taken); rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<URL>;
  close(): Promise<void>;
}

/** Starts a callback server on a free loopback port; it answers its path with a small page and anything else with 404. */
export async function startCallbackServer(path = "/callback"): Promise<CallbackServer> {
  const received: URL[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", `http://${request.headers.host}`);
    if (request.method !== "GET" || url.pathname !== path) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
      return;
    }
    received.push(url);
    response
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
      .end("<!doctype html><title>Signed in</title><p>You may close this window.</p>");
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const next = async (timeoutMs = 15_000): Promise<URL> => {
    const deadline = Date.now() + timeoutMs;
    while (taken >= received.length) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no callback on ${path} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return received[taken++] as URL;
  };

  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    next,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
