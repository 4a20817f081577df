const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for a URL hostname that names this machine: localhost (and its subdomains), 127.0.0.1 or [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || hostname.endsWith(".localhost");
}
