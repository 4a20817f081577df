import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What the host answers for one path: a JSON document (served as is), or a raw handler. */
export type Served = object | ((request: IncomingMessage, response: ServerResponse) => void);

/**
 * A loopback HTTPS host for Client ID Metadata Documents, as a client publishes its document on
 * its own site. Its certificate is made for this run (openssl) and trusted by `wrangler dev`
 * through NODE_EXTRA_CA_CERTS (miniflare adds it to workerd's trusted CAs): start the dev server
 * with {@link DocumentHost.trustEnv}.
 */
export interface DocumentHost {
  /** e.g. https://localhost:41234 */
  origin: string;
  /** Environment for the dev server that fetches from this host. */
  trustEnv: Record<string, string>;
  /** Serves `served` at `path` (default: a fresh path); returns its URL. */
  serve(served: Served, path?: string): string;
  /** The paths requested so far, in order. */
  requested: string[];
  close(): Promise<void>;
}

/** A self-signed certificate for localhost and 127.0.0.1, valid for two days. */
function certificate(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"],
      ...["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-keyout", keyFile, "-out", certFile],
    ],
    { stdio: "pipe" },
  );
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

export async function startDocumentHost(): Promise<DocumentHost> {
  const dir = mkdtempSync(join(tmpdir(), "cimd-host-"));
  // Self-signed, so the certificate is its own trust anchor.
  const { key, cert, certFile } = certificate(dir);
  const routes = new Map<string, Served>();
  const requested: string[] = [];
  const server = createServer({ key, cert }, (request, response) => {
    const path = request.url ?? "/";
    requested.push(path);
    const served = routes.get(path);
    if (served === undefined) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("no such document");
    } else if (typeof served === "function") {
      served(request, response);
    } else {
      // no-store: the provider would otherwise keep a document per its Cache-Control.
      response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(served));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("document host has no address");
  const origin = `https://localhost:${address.port}`;
  let next = 0;
  return {
    origin,
    trustEnv: { NODE_EXTRA_CA_CERTS: certFile },
    requested,
    serve(served, path = `/clients/${++next}/client.json`) {
      routes.set(path, served);
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
