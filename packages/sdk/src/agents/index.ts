/**
 * `@switchyard/sdk/agents` — the tool-call loop, structured output and extraction helpers. A separate entry point,
 * so that the main bundle stays small; importing it also enables `sy.runTools()`, `sy.streamTools()` and
 * `sy.object()` on every Switchyard client.
 */
import { installAgents } from './toolkit.js';
import { agentsToolkit } from './toolkit-impl.js';

installAgents(agentsToolkit);

export {
  ExtractionError,
  InvalidSchemaError,
  StructuredOutputError,
  ToolCallError,
  ToolLoopLimitError,
  ToolLoopMaxCostError,
  ToolLoopMaxStepsError,
} from './agent-errors.js';
export { extractJson } from './extract-json.js';
export { extractXml, extractXmlAll } from './extract-xml.js';
export { formatIssues, type JsonSchema, type SchemaIssue, validateJsonSchema } from './json-schema-validate.js';
export { type ConversationInput, conversationMessages } from './message-conversion.js';
export { type InferSchema, type ResolvedSchema, resolveSchema, type SchemaLike } from './schema.js';
export {
  isStandardSchema,
  type StandardIssue,
  type StandardOutput,
  type StandardResult,
  type StandardSchemaProps,
  type StandardSchemaV1,
  standardJsonSchema,
} from './standard-schema.js';
export {
  generateObject,
  type ObjectOptions,
  type ObjectResult,
  type ObjectRound,
  type StructuredMode,
  structuredMode,
} from './structured-output.js';
export { runTools, streamTools, tool } from './tool-loop.js';
export type {
  RunToolsOptions,
  ToolContext,
  ToolDefinition,
  ToolFailure,
  ToolLoopEvent,
  ToolLoopResult,
  ToolLoopStopReason,
  ToolLoopStream,
  ToolResultRecord,
  ToolSet,
  ToolStep,
} from './tool-types.js';
