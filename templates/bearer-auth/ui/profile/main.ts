// The profile card: shows the user get_user_data returned to the model, and refreshes it on request
// with another get_user_data call made through the host. The profile comes from the user backend,
// so it is written only as text (textContent), never parsed as HTML.
import { App } from "@modelcontextprotocol/ext-apps";

type CallToolResult = Awaited<ReturnType<App["callServerTool"]>>;

/** The structured content of get_user_data (`User` in src/user-data.ts). */
interface User {
  id: number | string;
  name: string;
  email: string;
  role: string;
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const card = element<HTMLElement>("card");
const initials = element<HTMLSpanElement>("initials");
const name = element<HTMLHeadingElement>("name");
const details = element<HTMLDListElement>("details");
const email = element<HTMLElement>("email");
const role = element<HTMLElement>("role");
const id = element<HTMLElement>("id");
const error = element<HTMLParagraphElement>("error");
const refresh = element<HTMLButtonElement>("refresh");
const status = element<HTMLParagraphElement>("status");

function isUser(value: unknown): value is User {
  const user = value as Partial<User> | undefined;
  return (
    (typeof user?.id === "number" || typeof user?.id === "string") &&
    typeof user.name === "string" &&
    typeof user.email === "string" &&
    typeof user.role === "string"
  );
}

/** The text a result carries: the error message of a failed call. */
function textOf(outcome: CallToolResult): string {
  return outcome.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join(" ");
}

/** Up to two letters from the name's first words, for the badge. */
function initialsOf(fullName: string): string {
  const letters = fullName
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0] ?? "");
  return letters.join("").toUpperCase();
}

/** Shows a get_user_data result: the user, or the call's error in place of the details. */
function show(outcome: CallToolResult): boolean {
  const user = outcome.structuredContent;
  const ok = outcome.isError !== true && isUser(user);
  card.setAttribute("aria-busy", "false");
  card.classList.toggle("error", !ok);
  details.hidden = !ok;
  error.hidden = ok;
  if (ok) {
    name.textContent = user.name;
    initials.textContent = initialsOf(user.name);
    email.textContent = user.email;
    role.textContent = user.role;
    id.textContent = String(user.id);
    error.textContent = "";
  } else {
    name.textContent = "Profile unavailable";
    initials.textContent = "!";
    error.textContent = outcome.isError === true ? textOf(outcome) || "get_user_data failed." : "get_user_data returned no profile.";
  }
  return ok;
}

const app = new App({ name: "profile-card", version: "1.0.0" });

// The host may send the result before connect() settles: the status then keeps saying where it came from.
let received = false;
app.ontoolresult = (outcome) => {
  received = true;
  const ok = show(outcome);
  status.textContent = ok ? "From the model's get_user_data call." : "The model's get_user_data call failed.";
};

async function reload(): Promise<void> {
  if (refresh.disabled) return;
  refresh.disabled = true;
  card.setAttribute("aria-busy", "true");
  status.textContent = "Calling get_user_data…";
  try {
    const ok = show(await app.callServerTool({ name: "get_user_data", arguments: {} }));
    status.textContent = ok ? "Refreshed by get_user_data." : "get_user_data failed.";
  } catch (failure) {
    card.setAttribute("aria-busy", "false");
    status.textContent = `The host could not call get_user_data: ${failure instanceof Error ? failure.message : String(failure)}`;
  } finally {
    refresh.disabled = false;
  }
}
refresh.addEventListener("click", reload);

app
  .connect()
  .then(() => {
    if (!received) status.textContent = `Connected to ${app.getHostVersion()?.name ?? "the host"}.`;
    refresh.disabled = false;
  })
  .catch((failure: unknown) => {
    status.textContent = `Not connected to a host: ${failure instanceof Error ? failure.message : String(failure)}`;
  });
