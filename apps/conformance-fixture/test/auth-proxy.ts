import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback reverse proxy that adds an Authorization header to MCP requests (/mcp, /sse), so a
 * black-box client without auth options (the conformance CLI) can test an authenticated server.
 * A request addressed to the proxy is forwarded as addressed to the server (its Host becomes the
 * server's, so tokens issued for the server's own origin are valid through the proxy); any other
 * Host, and every other header, passes through untouched, so DNS-rebinding checks stay meaningful.
 */
export interface AuthProxy {
  /** e.g. http://127.0.0.1:41235 */
  origin: string;
  /** The header value to add (e.g. "Bearer abc"); undefined adds nothing. */
  authorization: string | undefined;
  close(): Promise<void>;
}

const isMcpPath = (path: string) => path === "/mcp" || path === "/sse" || path.startsWith("/sse/");

export async function startAuthProxy(target: string): Promise<AuthProxy> {
  const upstream = new URL(target);
  const proxy: AuthProxy = { origin: "", authorization: undefined, close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://proxy.invalid").pathname;
    const headers = { ...req.headers };
    if (headers.host === new URL(proxy.origin).host) headers.host = upstream.host;
    if (proxy.authorization && isMcpPath(path) && !headers.authorization) headers.authorization = proxy.authorization;
    const outgoing = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
    });
    outgoing.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("proxy: upstream unavailable\n");
    });
    // A client that hangs up (a cancelled SSE stream) hangs up on the server too.
    res.on("close", () => outgoing.destroy());
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
