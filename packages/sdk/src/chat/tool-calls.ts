import type { ToolCall } from '../protocol/messages.js';
import type { ToolCallResult } from './types.js';

/**
 * A tool call's arguments as the JSON text the API promises. Some providers send an object instead (or nothing): an
 * object is its JSON text, anything else that is not a string is none.
 */
export function argumentsText(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : '';
}

export function toToolCallResult(call: ToolCall): ToolCallResult {
  const fn = call.function as ToolCall['function'] | undefined;
  const out: ToolCallResult = { id: call.id, name: fn?.name ?? '', arguments: argumentsText(fn?.arguments) };
  // Zero-argument tools sometimes arrive with no arguments at all (ai-sdk #287): treat as `{}`.
  const text = out.arguments.trim() === '' ? '{}' : out.arguments;
  try {
    out.input = JSON.parse(text);
  } catch (error) {
    out.parseError = (error as Error).message;
  }
  return out;
}
