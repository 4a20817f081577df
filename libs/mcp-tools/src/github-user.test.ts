import type { ToolContext } from "@repo/mcp-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allowedLogins, githubUserData, whoamiAdmin } from "./github-user.js";

const GITHUB_TOKEN = "gho_tool_test_token";
const OCTOCAT = { login: "octocat", email: "octocat@example.com", name: "The Octocat", accessToken: GITHUB_TOKEN };
const GITHUB_USER = {
  login: "octocat",
  id: 583231,
  name: "The Octocat",
  email: null,
  company: "@github",
  location: "San Francisco",
  html_url: "https://github.com/octocat",
  avatar_url: "https://avatars.githubusercontent.com/u/583231",
  public_repos: 8,
  followers: 20000,
  following: 9,
  created_at: "2011-01-25T18:44:36Z",
};

function context(props: unknown, env: Record<string, unknown> = {}, signal = new AbortController().signal): ToolContext {
  return { props, scopes: ["mcp:tools"], env, signal, progress: async () => {}, log: async () => {} };
}

const errorText = (text: string) => ({ isError: true, content: [{ type: "text", text }] });

let answer: (request: Request) => Response | Promise<Response>;
let seen: Request[];
beforeEach(() => {
  seen = [];
  answer = () => Response.json(GITHUB_USER);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    seen.push(request);
    return answer(request);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("get_user_data", () => {
  it("reads /user from GitHub with the user's GitHub token and returns the profile", async () => {
    const result = await githubUserData.handler({}, context(OCTOCAT));
    expect(result).toEqual({
      content: [{ type: "text", text: "The Octocat (@octocat) https://github.com/octocat" }],
      structuredContent: {
        login: "octocat",
        id: 583231,
        name: "The Octocat",
        // GitHub hides the email on the profile; the one recorded at sign-in fills in.
        email: "octocat@example.com",
        company: "@github",
        location: "San Francisco",
        profileUrl: "https://github.com/octocat",
        publicRepos: 8,
        followers: 20000,
        following: 9,
        createdAt: "2011-01-25T18:44:36Z",
      },
    });
    expect(githubUserData.outputSchema?.safeParse(result.structuredContent).success).toBe(true);
    expect(seen.map((request) => request.url)).toEqual(["https://api.github.com/user"]);
    expect(seen[0]?.headers.get("authorization")).toBe(`Bearer ${GITHUB_TOKEN}`);
    expect(seen[0]?.headers.get("accept")).toBe("application/vnd.github+json");
    expect(seen[0]?.headers.get("user-agent")).toBeTruthy();
  });

  it("keeps a GitHub Enterprise API base path (GITHUB_API_URL)", async () => {
    await githubUserData.handler({}, context(OCTOCAT, { GITHUB_API_URL: "https://ghe.example.com/api/v3/" }));
    expect(seen.map((request) => request.url)).toEqual(["https://ghe.example.com/api/v3/user"]);
  });

  it("refuses a misconfigured GITHUB_API_URL without calling it", async () => {
    const result = await githubUserData.handler({}, context(OCTOCAT, { GITHUB_API_URL: "http://ghe.example.com/api/v3" }));
    expect(result).toEqual(errorText("GITHUB_API_URL is misconfigured on this server (it must be an https URL); ask the operator."));
    expect(seen).toEqual([]);
  });

  it.each([
    [401, "GitHub no longer accepts this sign-in (the authorization was revoked or expired). Reconnect to sign in with GitHub again."],
    [403, "GitHub answered HTTP 403 (possibly a rate limit); try again later."],
    [502, "GitHub answered HTTP 502; try again later."],
  ])("maps GitHub's HTTP %d to an error the model can relay", async (status, message) => {
    answer = () => new Response(`{"message":"secret upstream detail"}`, { status });
    expect(await githubUserData.handler({}, context(OCTOCAT))).toEqual(errorText(message));
  });

  it("reports an unreachable GitHub, a cancelled call and a body that is not a user", async () => {
    answer = () => {
      throw new TypeError("fetch failed");
    };
    expect(await githubUserData.handler({}, context(OCTOCAT))).toEqual(
      errorText("GitHub could not be reached (or did not answer within 10 s); try again later."),
    );

    const controller = new AbortController();
    controller.abort();
    answer = (request) => {
      throw request.signal.reason;
    };
    expect(await githubUserData.handler({}, context(OCTOCAT, {}, controller.signal))).toEqual(
      errorText("The request to GitHub was cancelled."),
    );

    answer = () => Response.json({ message: "not a user" });
    expect(await githubUserData.handler({}, context(OCTOCAT))).toEqual(
      errorText("GitHub answered with something that is not a user profile."),
    );
  });

  it("refuses a caller without a GitHub identity, without calling GitHub", async () => {
    const message = "This tool needs a connection signed in with GitHub; this one carries no GitHub identity.";
    for (const props of [undefined, { login: "octocat" }, { userId: "mock-ada", email: "ada@example.com" }]) {
      expect(await githubUserData.handler({}, context(props))).toEqual(errorText(message));
    }
    expect(seen).toEqual([]);
  });
});

describe("whoami_admin", () => {
  it("answers a login on the allowlist, case-insensitively", async () => {
    const result = await whoamiAdmin.handler({}, context({ ...OCTOCAT, login: "OctoCat" }, { ALLOWED_LOGINS: " hubot , octocat" }));
    expect(result).toEqual({
      content: [{ type: "text", text: "@OctoCat is on this server's admin allowlist." }],
      structuredContent: { login: "OctoCat", admin: true },
    });
    expect(seen).toEqual([]);
  });

  it("refuses everyone else with a clear error", async () => {
    expect(await whoamiAdmin.handler({}, context(OCTOCAT, { ALLOWED_LOGINS: "hubot,octo" }))).toEqual(
      errorText("whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_LOGINS; @octocat is not on it."),
    );
    for (const env of [{}, { ALLOWED_LOGINS: " , " }]) {
      expect(await whoamiAdmin.handler({}, context(OCTOCAT, env))).toEqual(
        errorText(
          "whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_LOGINS; ALLOWED_LOGINS is empty, so no one may call it.",
        ),
      );
    }
    expect((await whoamiAdmin.handler({}, context(undefined, { ALLOWED_LOGINS: "octocat" }))).isError).toBe(true);
  });

  it("parses ALLOWED_LOGINS", () => {
    expect([...allowedLogins({ ALLOWED_LOGINS: "A, b,,c " })]).toEqual(["a", "b", "c"]);
    expect(allowedLogins({ ALLOWED_LOGINS: 42 }).size).toBe(0);
    expect(allowedLogins(undefined).size).toBe(0);
  });
});
