import { SwitchyardError } from '../errors/switchyard-error.js';
import type { SchemaIssue } from './json-schema-validate.js';
import type { ObjectRound } from './structured-output.js';
import type { ToolFailure, ToolLoopResult } from './tool-types.js';

/** `extractJson` / `extractXml` found nothing usable; `text` is what they were given. */
export class ExtractionError extends SwitchyardError {
  static override readonly kind: string = 'ExtractionError';
  override readonly code: string = 'extraction_failed';
  constructor(
    message: string,
    readonly text: string,
  ) {
    super(message);
  }
}

/** A schema cannot be used (no JSON Schema for a Standard Schema, not a schema at all, a bad tool name). */
export class InvalidSchemaError extends SwitchyardError {
  static override readonly kind: string = 'InvalidSchemaError';
  override readonly code: string = 'invalid_schema';
}

/** `sy.object()` got no valid object after its repairs: the last output, its problems and every round. */
export class StructuredOutputError extends SwitchyardError {
  static override readonly kind: string = 'StructuredOutputError';
  override readonly code: string = 'structured_output_invalid';
  /** The model's last answer, as text. */
  readonly output: string;
  /** Why the last answer was rejected (parse or validation problems). */
  readonly issues: SchemaIssue[];
  /** Every model call: its text, its issues and its ChatResult. */
  readonly rounds: ObjectRound[];
  constructor(message: string, rounds: ObjectRound[]) {
    const last = rounds[rounds.length - 1];
    super(message, { model: last?.result.model, provider: last?.result.provider });
    this.output = last?.text ?? '';
    this.issues = last?.issues ?? [];
    this.rounds = rounds;
  }
}

/** A tool loop stopped at a limit (`maxSteps`, `maxCost`) before the model gave its final answer. `result` holds
 * everything so far: steps, messages, usage and cost. */
export class ToolLoopLimitError extends SwitchyardError {
  static override readonly kind: string = 'ToolLoopLimitError';
  constructor(
    message: string,
    readonly result: ToolLoopResult,
  ) {
    super(message, { model: result.model, provider: result.provider });
  }
}

/** The loop reached `maxSteps` model calls and the model still wanted tools. */
export class ToolLoopMaxStepsError extends ToolLoopLimitError {
  static override readonly kind: string = 'ToolLoopMaxStepsError';
  override readonly code: string = 'tool_loop_max_steps';
}

/** The loop's cost reached `maxCost` (USD, all steps and failed attempts counted) before the next step. */
export class ToolLoopMaxCostError extends ToolLoopLimitError {
  static override readonly kind: string = 'ToolLoopMaxCostError';
  override readonly code: string = 'tool_loop_max_cost';
}

/** With `onToolError: 'throw'`: a tool threw, was unknown, or got invalid arguments. */
export class ToolCallError extends SwitchyardError {
  static override readonly kind: string = 'ToolCallError';
  override readonly code: string = 'tool_call_failed';
  constructor(
    readonly failure: ToolFailure,
    readonly result: ToolLoopResult,
  ) {
    super(failure.message, { model: result.model, provider: result.provider, cause: failure.cause });
  }
}
