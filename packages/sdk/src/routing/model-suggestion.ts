import { suggest } from '../config/suggest.js';
import { InvalidModelError } from '../errors/http-errors.js';
import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model } from '../protocol/catalog.js';

/** An id's letters and digits only: `claude-sonnet-4-6`, `Claude_Sonnet_4.6` and `claude-sonnet-4.6` agree. */
const squeeze = (id: string) => id.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The catalog model a mistyped id most likely means: the same id up to case and punctuation
 * (`anthropic/claude-sonnet-4-6` → `anthropic/claude-sonnet-4.6`), or one typo away (`openai/gpt4o-mini`). A
 * variant the catalog does not list is matched without it. Undefined when nothing is that close: no hint beats a
 * wrong one.
 */
export function suggestModel(id: string, models: readonly Model[]): string | undefined {
  const wanted = [squeeze(id)];
  const colon = id.indexOf(':');
  if (colon > 0) wanted.push(squeeze(id.slice(0, colon)));
  for (const key of wanted) {
    const same = models.find((m) => squeeze(m.id) === key);
    if (same) return same.id;
  }
  return suggest(
    id,
    models.map((m) => m.id),
  );
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
