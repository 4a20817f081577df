import { type FakeGitHub, SESSION_COOKIE } from "./fake-github.js";

export interface SignInChoice {
  /** On this server's consent page (default approve). */
  consent?: "approve" | "deny";
  /** On GitHub's authorize page (default allow). */
  github?: "allow" | "deny";
  /** Stop when GitHub redirects to the server's /callback, and return that URL unvisited. */
  stopAtCallback?: boolean;
}

export interface SignInTrace {
  /** Where the browser ended: the client's redirect URI (with code or error), or /callback when stopped there. */
  landed: URL;
  /** Whether this server showed its consent page on the way. */
  consentShown: boolean;
  /** Every URL visited, in order. */
  visited: URL[];
}

const unescapeHtml = (value: string) => value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/**
 * A browser without JavaScript, for a GitHub sign-in against a fake GitHub (fake-github.ts): cookies
 * kept per origin, redirects followed by hand, the server's consent form (libs/auth-handlers) posted
 * and GitHub's authorize page clicked the way a person would.
 */
export class HttpBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** `login` is who is signed in at (the fake) GitHub in this browser. */
  constructor(
    private readonly github: FakeGitHub,
    login = "octocat",
  ) {
    this.jar(github.origin).set(SESSION_COOKIE, login);
  }

  private jar(origin: string): Map<string, string> {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    return jar;
  }

  /** One request with this browser's cookies for the URL's origin; redirects are not followed. */
  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const jar = this.jar(url.origin);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set("Cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual", signal: AbortSignal.timeout(15_000) });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(/;\s*/);
      const index = pair.indexOf("=");
      if (index <= 0) continue;
      if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) jar.delete(pair.slice(0, index));
      else jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  }

  /** Plays the user from the client's authorization URL to wherever the browser lands. */
  async signIn(authorizationUrl: URL, choice: SignInChoice = {}): Promise<SignInTrace> {
    const server = authorizationUrl.origin;
    const visited: URL[] = [];
    let consentShown = false;
    let url = authorizationUrl;
    for (let hop = 0; hop < 12; hop++) {
      const callback = url.origin === server && url.pathname === "/callback";
      if ((url.origin !== server && url.origin !== this.github.origin) || (callback && choice.stopAtCallback)) {
        return { landed: url, consentShown, visited };
      }
      visited.push(url);
      let response = await this.fetch(url);
      if (response.status === 200 && url.origin === server) {
        consentShown = true;
        const handle = /name="handle" value="([^"]+)"/.exec(await response.text())?.[1];
        if (!handle) throw new Error(`no consent form at ${url}`);
        response = await this.fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server },
          body: new URLSearchParams({ handle, decision: choice.consent ?? "approve" }),
        });
      } else if (response.status === 200) {
        const id = choice.github === "deny" ? "cancel" : "authorize";
        const href = new RegExp(`id="${id}" href="([^"]+)"`).exec(await response.text())?.[1];
        if (!href) throw new Error(`no ${id} link on GitHub's page at ${url}`);
        url = new URL(unescapeHtml(href), url);
        continue;
      }
      const location = response.headers.get("location");
      if (response.status !== 302 || !location) {
        throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 400)}`);
      }
      url = new URL(location, url);
    }
    throw new Error(`sign-in did not finish within 12 hops: ${visited.join(" -> ")}`);
  }

  /** The `browse` function MCP test clients take: sign in with the defaults, return where the browser landed. */
  readonly browse = async (authorizationUrl: URL): Promise<URL> => (await this.signIn(authorizationUrl)).landed;
}
