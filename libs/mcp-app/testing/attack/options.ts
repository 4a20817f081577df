import type { DevServer } from "../dev-server.js";
import type { Browse } from "../oauth-flow.js";

/** How the app under test authenticates, and what the suite needs to attack it. */
export type AttackAuth =
  | { style: "public" }
  /** Its own OAuth server; `browse` plays the user (default: the mock sign-in page). */
  | { style: "oauth"; browse?: Browse }
  | {
      style: "bearer";
      /** A credential allowed to call every tool. */
      token: string;
      /** A valid credential without the tools scope. */
      unscopedToken: string;
      /** A valid credential used only by the rate-limit case, so its counter starts at zero. */
      rateLimitToken: string;
      /** A valid credential used only by the SSE session-cap case, so it holds no other session. */
      sessionCapToken: string;
    };

/** A running app: DevServer from startDevServer() fits. */
export interface AttackServer extends Pick<DevServer, "origin" | "logs" | "stop"> {
  /** Stops and starts the app on the same port and state (durability case). */
  restart(): Promise<unknown>;
}

export interface AttackOptions {
  /** Names the describe block, e.g. the app's package name. */
  name: string;
  /**
   * Starts the app once for the whole suite, with fresh state and these extra vars (the suite's
   * OTLP receiver as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, so span attributes are checked for secrets too); stopped after it.
   */
  start: (vars: Record<string, string>) => Promise<AttackServer>;
  auth: AttackAuth;
  /** The app's wrangler.jsonc, whose `ratelimits` are the limits the rate-limit cases prove. */
  wranglerConfig: URL;
  /** Secrets the app was configured with (client secrets, upstream tokens), never to be shown or logged. */
  secrets?: () => readonly string[];
}
