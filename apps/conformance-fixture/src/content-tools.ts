import { type ContentBlock, defineTool, type ToolResult } from "@repo/mcp-core";
import { sleep } from "@repo/mcp-tools";
import * as z from "zod";
import { PNG_BASE64, WAV_BASE64 } from "./media.js";

/** The content-type and utility fixtures the suite calls by name (tools-call-* scenarios). */

const noArguments = z.object({});
const fixture = { readOnlyHint: true, openWorldHint: false, destructiveHint: false } as const;
const rich = (content: ContentBlock[]): ToolResult<never, ContentBlock> => ({ content });

export const contentTools = [
  defineTool({
    name: "test_simple_text",
    description: "Returns one text block (tools-call-simple-text).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () => ({ content: [{ type: "text", text: "This is a simple text response for testing." }] }),
  }),
  defineTool({
    name: "test_image_content",
    description: "Returns one PNG image block (tools-call-image).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () => rich([{ type: "image", data: PNG_BASE64, mimeType: "image/png" }]),
  }),
  defineTool({
    name: "test_audio_content",
    description: "Returns one WAV audio block (tools-call-audio).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () => rich([{ type: "audio", data: WAV_BASE64, mimeType: "audio/wav" }]),
  }),
  defineTool({
    name: "test_embedded_resource",
    description: "Returns an embedded text resource (tools-call-embedded-resource).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () =>
      rich([
        {
          type: "resource",
          resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
        },
      ]),
  }),
  defineTool({
    name: "test_multiple_content_types",
    description: "Returns text, image and embedded resource blocks together (tools-call-mixed-content).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () =>
      rich([
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: PNG_BASE64, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ]),
  }),
  defineTool({
    name: "test_tool_with_logging",
    description: "Sends three info log notifications 50 ms apart while it runs (tools-call-with-logging).",
    inputSchema: noArguments,
    annotations: fixture,
    async handler(_args, ctx) {
      await ctx.log("info", "Tool execution started");
      await sleep(50, ctx.signal);
      await ctx.log("info", "Tool processing data");
      await sleep(50, ctx.signal);
      await ctx.log("info", "Tool execution completed");
      return { content: [{ type: "text", text: "Tool with logging executed successfully" }] };
    },
  }),
  defineTool({
    name: "test_logging_tool",
    description: "Logs once at info level; on 2026-07-28 the log is sent only when the request set a log level (server-stateless).",
    inputSchema: noArguments,
    annotations: fixture,
    async handler(_args, ctx) {
      await ctx.log("info", "test_logging_tool ran");
      return { content: [{ type: "text", text: "Logged once." }] };
    },
  }),
  defineTool({
    name: "test_tool_with_progress",
    description: "Reports progress 0, 50 and 100 of 100, 50 ms apart, when the call carries a progress token (tools-call-with-progress).",
    inputSchema: noArguments,
    annotations: fixture,
    async handler(_args, ctx) {
      for (const progress of [0, 50, 100]) {
        if (progress > 0) await sleep(50, ctx.signal);
        await ctx.progress(progress, 100, `Completed step ${progress} of 100`);
      }
      return { content: [{ type: "text", text: "Progress reported: 0, 50, 100 of 100." }] };
    },
  }),
  defineTool({
    name: "test_param_header",
    description:
      "Echoes a region that clients also send as the Mcp-Param-Region header, which the server checks against the body (http-custom-header-server-validation).",
    inputSchema: z.object({
      region: z.string().describe("A region name, mirrored in the Mcp-Param-Region header").meta({ "x-mcp-header": "Region" }),
    }),
    annotations: fixture,
    handler: ({ region }) => ({ content: [{ type: "text", text: `Region: ${region}` }] }),
  }),
  defineTool({
    name: "test_error_handling",
    description: "Always throws, to show how the server layer turns an exception into an isError result (tools-call-error).",
    inputSchema: noArguments,
    annotations: fixture,
    handler: () => {
      throw new Error("This tool intentionally returns an error for testing");
    },
  }),
];
