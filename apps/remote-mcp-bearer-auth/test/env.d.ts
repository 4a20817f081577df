declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.js");
  }
  interface Env {
    MCP_SSE_SESSION: DurableObjectNamespace;
    USER_API: Fetcher;
    API_KEYS: string;
    BEARER_VALIDATOR: string;
  }
}
