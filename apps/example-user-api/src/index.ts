import { describeError, log, RequestTrace, withRequestFields } from "@repo/mcp-core";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { type User, userById, userForToken } from "./users.js";

type AppEnv = { Bindings: Env; Variables: { user: User } };

const app = new Hono<AppEnv>();

const problem = (error: string, message: string) => ({ error, message });

// One log line per request, in the caller's trace when it sent a valid `traceparent` (the MCP
// server does): trace_id is the caller's, parent_span_id the span that made the call.
app.use((c, next) => {
  const started = Date.now();
  const trace = new RequestTrace(`${c.req.method} ${c.req.path}`, c.req.header("traceparent"), c.req.header("tracestate"));
  return withRequestFields(
    {},
    async () => {
      await next();
      log({
        app: "example-user-api",
        method: c.req.method,
        route: c.req.path,
        status: c.res.status,
        ms: Date.now() - started,
        parent_span_id: trace.remoteParentId,
      });
    },
    trace,
  );
});

// Every route but the index needs a token of a user; hono answers 401 (missing or unknown token)
// and 400 (malformed Authorization header) with a Bearer challenge.
const authenticated = bearerAuth<AppEnv>({
  verifyToken: async (token, c) => {
    const user = await userForToken(c.env.DB, token);
    if (user) c.set("user", user);
    return user !== null;
  },
  noAuthenticationHeader: { message: problem("unauthorized", "Send Authorization: Bearer <token>.") },
  invalidAuthenticationHeader: { message: problem("invalid_request", "The Authorization header must be: Bearer <token>.") },
  invalidToken: { message: problem("invalid_token", "This token is unknown or revoked.") },
});

app.get("/", (c) => c.json({ name: "example-user-api", endpoints: ["GET /me", "GET /users/:id"] }));

/** Whose token this is: the MCP server's way to validate a token and to read the caller's profile. */
app.get("/me", authenticated, (c) => c.json(c.get("user")));

/** Any user for admins; your own record for everyone else. */
app.get("/users/:id", authenticated, async (c) => {
  const id = Number(c.req.param("id"));
  if (!Number.isSafeInteger(id) || id < 1) return c.json(problem("not_found", "No such user."), 404);
  const caller = c.get("user");
  if (caller.role !== "admin" && caller.id !== id) return c.json(problem("forbidden", "Only admins may read other users."), 403);
  const user = await userById(c.env.DB, id);
  return user ? c.json(user) : c.json(problem("not_found", "No such user."), 404);
});

app.notFound((c) => c.json(problem("not_found", "No such route."), 404));
app.onError((error, c) => {
  // The bearer challenges arrive as HTTPExceptions that carry their response; anything else is a bug.
  if (error instanceof HTTPException) return error.getResponse();
  log({ app: "example-user-api", event: "unhandled", error: describeError(error) });
  return c.json(problem("internal", "Internal error."), 500);
});

export default app;
