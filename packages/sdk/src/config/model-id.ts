import { ConfigError } from '../errors/client-errors.js';

// OpenRouter model ids (reference §2.8). Checking their shape locally turns a typo into an immediate error naming
// the setting, instead of a 400 "is not a valid model ID" on the first request.

const SEGMENT = '[a-z0-9][a-z0-9._-]*';
/** `author/slug` plus any number of `:variant` suffixes (`:free`, `:free:online`). */
const PLAIN = new RegExp(`^${SEGMENT}/${SEGMENT}(?::[a-z]+)*$`);
/** `~author/family-latest`: OpenRouter's moving alias for the newest model of a family. */
const LATEST = new RegExp(`^~${SEGMENT}/${SEGMENT}$`);
/** `@preset/slug` or `author/slug@preset/slug`: a preset saved in the OpenRouter dashboard. */
const PRESET = new RegExp(`^(?:${SEGMENT}/${SEGMENT}(?::[a-z]+)*)?@preset/${SEGMENT}$`);

/**
 * Whether `id` has the shape of an OpenRouter model id: `author/slug[:variant]` (lowercase letters, digits, `.`, `-`,
 * `_`), routers such as `openrouter/auto`, `~author/slug` aliases, or presets. Says nothing about whether it exists.
 */
export function isModelId(id: string): boolean {
  return PLAIN.test(id) || LATEST.test(id) || PRESET.test(id);
}

/**
 * Model names for OpenAI-compatible servers (Ollama's `llama3.1:8b`, OpenAI's `gpt-4o`) follow no common grammar:
 * anything printable without whitespace is accepted.
 */
export function isLooseModelId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && !/[\s\u0000-\u001f\u007f]/.test(id);
}

/** Why `id` is not a model id, with a hint when a likely fix exists; undefined when it is fine. */
export function modelIdProblem(id: string): string | undefined {
  if (isModelId(id)) return undefined;
  const base = 'expected author/slug[:variant] (e.g. "openai/gpt-4o-mini"), openrouter/auto, ~author/slug or an alias';
  if (id.trim() !== id) return `${base}; remove the surrounding spaces`;
  if (isModelId(id.toLowerCase())) return `${base}; model ids are lowercase: "${id.toLowerCase()}"`;
  if (!id.includes('/')) return `${base}; OpenRouter ids include the author, e.g. "openai/${id}"`;
  return base;
}

/**
 * Follows `aliases` from `id` to a model id (`fast` → `openai/gpt-4o-mini`); returns `id` itself when it is not an
 * alias. Aliases may point at other aliases; a cycle is a ConfigError.
 */
export function resolveAlias(id: string, aliases: Record<string, string> | undefined): string {
  if (!aliases) return id;
  const seen: string[] = [];
  let current = id;
  while (Object.hasOwn(aliases, current)) {
    if (seen.includes(current)) throw new ConfigError(`Alias cycle: ${[...seen, current].join(' → ')}`);
    seen.push(current);
    current = aliases[current]!;
  }
  return current;
}
