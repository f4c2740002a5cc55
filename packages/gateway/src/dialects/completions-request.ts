import { bodyObject, field, invalidField } from './request-errors.js';

/**
 * Legacy completions fields a chat completion cannot honour. The gateway serves `POST /completions` with a chat
 * model, so each of these would be dropped without a word; a client relying on one gets a 400 naming it instead.
 * Absent and `null` are always fine, as is the value that asks for nothing (`n: 1`, `echo: false`, `suffix: ""`).
 */
const UNSUPPORTED: readonly { name: string; harmless: (value: unknown) => boolean; why: string }[] = [
  { name: 'n', harmless: (v) => v === 1, why: 'one completion per request; send one request per completion' },
  { name: 'best_of', harmless: (v) => v === 1, why: 'one completion per request, nothing to choose the best of' },
  { name: 'echo', harmless: (v) => v === false, why: 'the prompt is not echoed back in the answer' },
  { name: 'suffix', harmless: (v) => v === '', why: 'no text is inserted before a suffix (no fill-in-the-middle)' },
  { name: 'logprobs', harmless: (v) => v === false, why: 'log probabilities are not returned' },
  // Chat fields a client may add by mistake: their answers (tool calls, a conversation) have no text-completion form.
  { name: 'messages', harmless: () => false, why: "send 'prompt' here, or 'messages' to POST /chat/completions" },
  {
    name: 'tools',
    harmless: () => false,
    why: 'a text completion cannot carry tool calls; use POST /chat/completions',
  },
  { name: 'tool_choice', harmless: () => false, why: 'a text completion cannot carry tool calls' },
];

/** The one prompt of a request: a string, or an array of exactly one string (what the `openai` client may send). */
function promptText(prompt: unknown): string {
  const text = Array.isArray(prompt) && prompt.length === 1 ? prompt[0] : prompt;
  if (typeof text === 'string' && text !== '') return text;
  if (Array.isArray(prompt) && prompt.some((p) => typeof p === 'number' || Array.isArray(p))) {
    throw invalidField('prompt', "'prompt' as token ids is not supported on /completions: send the prompt as text");
  }
  if (Array.isArray(prompt) && prompt.length > 1) {
    throw invalidField('prompt', `'prompt' holds ${prompt.length} prompts; /completions takes one per request`);
  }
  throw field('prompt', 'a non-empty string or an array of one string', prompt);
}

/**
 * A legacy text-completions body as the chat body the gateway's pipeline serves: the prompt becomes the one user
 * message, every other parameter (sampling, `stop`, `seed`, `max_tokens`, `stream`, `stream_options`, `models`,
 * `provider`, `response_format`, OpenRouter's own fields) is carried over unchanged.
 */
export function chatBodyFromCompletion(body: unknown): Record<string, unknown> {
  const b = bodyObject(body);
  const content = promptText(b.prompt);
  for (const { name, harmless, why } of UNSUPPORTED) {
    const value = b[name];
    if (value !== undefined && value !== null && !harmless(value))
      throw invalidField(name, `'${name}' is not supported on /completions: ${why}`);
  }
  const { prompt: _prompt, n: _n, best_of: _bestOf, echo: _echo, suffix: _suffix, logprobs: _logprobs, ...rest } = b;
  return { ...rest, messages: [{ role: 'user', content }] };
}
