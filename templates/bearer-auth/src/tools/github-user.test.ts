import type { ToolContext } from "@remote-mcp-workers/mcp-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allowedGitHubIds, githubUserData, whoamiAdmin } from "./github-user.js";

const GITHUB_TOKEN = "gho_tool_test_token";
const OCTOCAT = { id: 583231, login: "octocat", email: "octocat@example.com", name: "The Octocat", accessToken: GITHUB_TOKEN };
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
  it("answers a GitHub id on the allowlist, labelled or not", async () => {
    const result = await whoamiAdmin.handler({}, context(OCTOCAT, { ALLOWED_GITHUB_IDS: " hubot:1000 , octocat:583231" }));
    expect(result).toEqual({
      content: [{ type: "text", text: "@octocat is on this server's admin allowlist." }],
      structuredContent: { login: "octocat", admin: true },
    });
    expect((await whoamiAdmin.handler({}, context(OCTOCAT, { ALLOWED_GITHUB_IDS: "583231" }))).isError).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it("goes by the id, never the login: a new owner of a renamed login is refused, a renamed admin is not", async () => {
    // Someone registered "octocat" after the admin renamed their account: same login, another id.
    const impostor = { ...OCTOCAT, id: 99_999 };
    expect(await whoamiAdmin.handler({}, context(impostor, { ALLOWED_GITHUB_IDS: "octocat:583231" }))).toEqual(
      errorText("whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_GITHUB_IDS; @octocat (id 99999) is not on it."),
    );
    const renamed = { ...OCTOCAT, login: "octocat-renamed" };
    expect((await whoamiAdmin.handler({}, context(renamed, { ALLOWED_GITHUB_IDS: "octocat:583231" }))).isError).toBeUndefined();
  });

  it("refuses everyone else with a clear error", async () => {
    expect(await whoamiAdmin.handler({}, context(OCTOCAT, { ALLOWED_GITHUB_IDS: "1000,58323" }))).toEqual(
      errorText(
        "whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_GITHUB_IDS; @octocat (id 583231) is not on it.",
      ),
    );
    for (const env of [{}, { ALLOWED_GITHUB_IDS: " , " }, { ALLOWED_GITHUB_IDS: "octocat" }]) {
      expect(await whoamiAdmin.handler({}, context(OCTOCAT, env))).toEqual(
        errorText(
          "whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_GITHUB_IDS; ALLOWED_GITHUB_IDS is empty, so no one may call it.",
        ),
      );
    }
    expect((await whoamiAdmin.handler({}, context(undefined, { ALLOWED_GITHUB_IDS: "583231" }))).isError).toBe(true);
  });

  it("parses ALLOWED_GITHUB_IDS: ids, optionally labelled with a login; anything else is ignored", () => {
    expect([...allowedGitHubIds({ ALLOWED_GITHUB_IDS: "1, octocat:583231,,hub-ot:7 , bob, 3x" })]).toEqual([1, 583231, 7]);
    expect(allowedGitHubIds({ ALLOWED_GITHUB_IDS: 42 }).size).toBe(0);
    expect(allowedGitHubIds(undefined).size).toBe(0);
  });
});
