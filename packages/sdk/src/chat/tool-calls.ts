import type { ToolCall } from '../protocol/messages.js';
import type { ToolCallResult } from './types.js';

export function toToolCallResult(call: ToolCall): ToolCallResult {
  const out: ToolCallResult = { id: call.id, name: call.function.name, arguments: call.function.arguments ?? '' };
  // Zero-argument tools sometimes arrive with no arguments at all (ai-sdk #287): treat as `{}`.
  const text = out.arguments.trim() === '' ? '{}' : out.arguments;
  try {
    out.input = JSON.parse(text);
  } catch (error) {
    out.parseError = (error as Error).message;
  }
  return out;
}
