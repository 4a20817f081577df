import { countSlowly } from "./count.js";
import { usageGuide } from "./guide.js";
import { mathLesson } from "./lesson.js";

/** The extras every demo server offers next to its own tools: a long-running tool, a guide and a prompt. */
export const demoTools = [countSlowly] as const;
export const demoResources = [usageGuide] as const;
export const demoPrompts = [mathLesson] as const;
