import { suggest } from '../config/suggest.js';
import { InvalidModelError } from '../errors/http-errors.js';
import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model } from '../protocol/catalog.js';

/** An id's letters and digits only: `claude-sonnet-4-6`, `Claude_Sonnet_4.6` and `claude-sonnet-4.6` agree. */
const squeeze = (id: string) => id.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The catalog model a mistyped id most likely means: the same id up to case and punctuation
 * (`anthropic/claude-sonnet-4-6` → `anthropic/claude-sonnet-4.6`), or one typo away (`openai/gpt4o-mini`); for an
 * id without its author, the model whose slug it is (`text-embedding-3-small` → `openai/text-embedding-3-small`,
 * the first the catalog lists). A variant the catalog does not list is matched without it. Undefined when nothing
 * is that close: no hint beats a wrong one.
 */
export function suggestModel(id: string, models: readonly Model[]): string | undefined {
  // Each model under the name the id is compared with: its id, or its slug when the id names no author.
  const named = new Map<string, string>();
  const bare = !id.includes('/');
  for (const m of models) {
    const name = bare ? m.id.slice(m.id.indexOf('/') + 1) : m.id;
    if (!named.has(name)) named.set(name, m.id);
  }
  const wanted = [squeeze(id)];
  const colon = id.indexOf(':');
  if (colon > 0) wanted.push(squeeze(id.slice(0, colon)));
  for (const key of wanted) {
    for (const [name, model] of named) if (squeeze(name) === key) return model;
  }
  const hit = suggest(id, named.keys());
  return hit === undefined ? undefined : named.get(hit);
}

/**
 * Adds `(did you mean "…"?)` to an unknown-model error when the catalog knows a model the id most likely meant
 * (OpenRouter's own answer names only what is wrong). Any other error is returned as it is.
 */
export function withModelSuggestion(error: SwitchyardError, models: readonly Model[] | undefined): SwitchyardError {
  if (!models || !(error instanceof InvalidModelError) || !error.model) return error;
  const hit = suggestModel(error.model, models);
  if (hit && hit !== error.model) {
    error.message += ` (did you mean "${hit}"?)`;
    error.metadata = { ...error.metadata, suggestion: hit };
  }
  return error;
}
