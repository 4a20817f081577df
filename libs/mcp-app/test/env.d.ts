/// <reference types="@cloudflare/vitest-plugin/types" />

declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./fixture-worker.js");
  }
  interface Env {
    MCP_SSE_SESSION: DurableObjectNamespace;
    ALLOWED_ORIGINS: string;
  }
}
