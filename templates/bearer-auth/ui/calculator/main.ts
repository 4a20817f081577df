// The calculator view: shows what the model computed with `calculate`, and lets the user compute
// more; every calculation is a `calculate` call to the server, made through the host.
import { App } from "@modelcontextprotocol/ext-apps";

type CallToolResult = Awaited<ReturnType<App["callServerTool"]>>;
type Operation = "add" | "subtract" | "multiply" | "divide";

const SYMBOLS: Record<Operation, string> = { add: "+", subtract: "−", multiply: "×", divide: "÷" };

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const calculator = element<HTMLFieldSetElement>("calculator");
const a = element<HTMLInputElement>("a");
const b = element<HTMLInputElement>("b");
const operation = element<HTMLSelectElement>("operation");
const equals = element<HTMLButtonElement>("equals");
const display = element<HTMLOutputElement>("display");
const expression = element<HTMLSpanElement>("expression");
const result = element<HTMLElement>("result");
const history = element<HTMLOListElement>("history");
const status = element<HTMLParagraphElement>("status");

interface Calculation {
  operation: Operation;
  a: number;
  b: number;
}

function isCalculation(value: unknown): value is Calculation {
  const args = value as Partial<Calculation> | undefined;
  return typeof args?.a === "number" && typeof args.b === "number" && typeof args.operation === "string" && args.operation in SYMBOLS;
}

/** The text a result carries: the error message of a failed call. */
function textOf(outcome: CallToolResult): string {
  return outcome.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join(" ");
}

/** Shows one calculation and its outcome, and adds it to the history (newest first). */
function show(input: Calculation, outcome: CallToolResult): void {
  const written = `${input.a} ${SYMBOLS[input.operation]} ${input.b}`;
  const value = (outcome.structuredContent as { result?: unknown } | undefined)?.result;
  const failed = outcome.isError === true || typeof value !== "number";
  display.classList.toggle("error", failed);
  expression.textContent = `${written} =`;
  result.textContent = failed ? textOf(outcome) || "No result" : String(value);
  const entry = document.createElement("li");
  entry.textContent = failed ? `${written}: ${result.textContent}` : `${written} = ${value}`;
  history.prepend(entry);
}

const app = new App({ name: "calculator", version: "1.0.0" });

// What the model called the tool with, then what the server answered: the host sends both.
let lastInput: Calculation | undefined;
app.ontoolinput = ({ arguments: args }) => {
  if (!isCalculation(args)) return;
  lastInput = args;
  a.value = String(args.a);
  b.value = String(args.b);
  operation.value = args.operation;
};
app.ontoolresult = (outcome) => {
  if (lastInput) show(lastInput, outcome);
};

// A click or Enter, not a form submission: hosts' sandboxes may not allow forms.
async function compute(): Promise<void> {
  if (equals.disabled || !a.checkValidity() || !b.checkValidity()) return;
  const input: Calculation = { operation: operation.value as Operation, a: a.valueAsNumber, b: b.valueAsNumber };
  equals.disabled = true;
  status.textContent = `Calling calculate…`;
  try {
    show(input, await app.callServerTool({ name: "calculate", arguments: { ...input } }));
    status.textContent = "Computed by the server's calculate tool.";
  } catch (error) {
    status.textContent = `The host could not call calculate: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    equals.disabled = false;
  }
}
equals.addEventListener("click", compute);
calculator.addEventListener("keydown", (event) => {
  if (event.key === "Enter") void compute();
});

app
  .connect()
  .then(() => {
    status.textContent = `Connected to ${app.getHostVersion()?.name ?? "the host"}.`;
    equals.disabled = false;
  })
  .catch((error: unknown) => {
    status.textContent = `Not connected to a host: ${error instanceof Error ? error.message : String(error)}`;
  });
equals.disabled = true;
