import { beforeEach, onTestFailed } from "vitest";

/** Registers, for every test in scope, a dump of the tail of the server's log when the test fails. */
export function printServerLogOnFailure(server: () => { logs?(): string } | undefined, chars = 4000): void {
  beforeEach(() => {
    onTestFailed(() => {
      const output = server()?.logs?.();
      if (output) console.log(`--- last ${chars} characters of the server log ---\n${output.slice(-chars)}`);
    });
  });
}
