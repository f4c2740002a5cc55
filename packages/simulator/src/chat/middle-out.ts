/**
 * OpenRouter's "middle-out" compression: drop messages from the middle of the conversation until the prompt fits,
 * keeping the start (instructions) and the end (the question). It is on by default for endpoints with a context of
 * 8,192 tokens or less, and opt-in (`transforms: ["middle-out"]` or the `context-compression` plugin) otherwise.
 */
import { promptTokens } from './tokens.js';

type Message = Record<string, unknown>;

export function middleOutEnabled(request: Record<string, unknown>, context: number): boolean {
  const plugin = (request.plugins as Message[] | undefined)?.find((p) => p.id === 'context-compression');
  if (plugin) return plugin.enabled !== false;
  if (Array.isArray(request.transforms)) return request.transforms.includes('middle-out');
  return context <= 8192;
}

export function compressMiddleOut(request: Record<string, unknown>, budget: number): Record<string, unknown> {
  const messages = [...(request.messages as Message[])];
  let current = { ...request, messages };
  while (messages.length > 2 && promptTokens(current).total > budget) {
    messages.splice(Math.floor(messages.length / 2), 1);
    current = { ...request, messages };
  }
  return current;
}
