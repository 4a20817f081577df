declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./fixture-worker.js");
  }
  interface Env {
    OAUTH_KV: KVNamespace;
  }
}
