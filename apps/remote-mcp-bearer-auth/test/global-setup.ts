import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { seededState } from "./dev.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A D1 state directory with example-user-api's migrations and demo seed; servers run on copies. */
    seededState: string;
  }
}

/** Seeds the user backend's database once for every e2e file (it takes two wrangler runs). */
export default async function setup(project: TestProject) {
  const dir = await seededState();
  project.provide("seededState", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
