declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.js");
  }
  interface Env {
    MCP_SSE_SESSION: DurableObjectNamespace;
  }
}

/** Vite's raw import: a file's text, bundled into the test. */
declare module "*.md?raw" {
  const text: string;
  export default text;
}
