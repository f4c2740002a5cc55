import { field, invalidField as invalid } from './request-errors.js';

// Model ids on the Messages route: Anthropic clients name models their own way, and OpenRouter's skin adds
// `fallbacks`; both end up as the OpenRouter ids and `models` list the chat pipeline routes on.

/**
 * OpenRouter's `fallbacks: [{model}]` (at most 3, each entry only its `model`, not with `models`: reference §6.5) as
 * chat's `models` fallback list. Anthropic's per-attempt overrides (`max_tokens`, `thinking`, …) are refused as
 * OpenRouter refuses them, rather than dropped. Anthropic's `"default"` asks for the model's server-defined default
 * fallbacks, and for the model alone where it has none: here that is no list, so the gateway's own configured
 * fallback chain applies as on any request that names none.
 */
export function fallbackModels(fallbacks: unknown, body: Record<string, unknown>): string[] {
  if (fallbacks === 'default') return [];
  if (body.models !== undefined && body.models !== null) {
    throw invalid('fallbacks', "'fallbacks' cannot be combined with 'models'; send one of them");
  }
  if (!Array.isArray(fallbacks) || fallbacks.length > 3)
    throw field('fallbacks', 'an array of at most 3 {model}, or "default"', fallbacks);
  return fallbacks.map((f, i) => {
    const entry = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    const { model } = entry;
    if (typeof model !== 'string' || model === '') throw field(`fallbacks[${i}].model`, 'a model id', model);
    for (const [key, value] of Object.entries(entry)) {
      if (key !== 'model' && value !== undefined && value !== null) {
        throw invalid(`fallbacks[${i}].${key}`, `'fallbacks[${i}].${key}': fallback entries take only 'model'`);
      }
    }
    return model;
  });
}

/**
 * Anthropic's own model ids, which Claude Code and the Anthropic SDK's examples send (`claude-sonnet-4-5-20250929`),
 * as OpenRouter's (`anthropic/claude-sonnet-4.5`): the author added, the version's dash made a dot, the snapshot date
 * dropped. Ids with an author, other bare ids and the caller's own aliases (`named`) are left as they are.
 */
export function openRouterModel(model: string, named: (name: string) => boolean = () => false): string {
  if (!model.startsWith('claude-') || named(model)) return model;
  return `anthropic/${model.replace(/-(\d{8}|latest)$/, '').replace(/(\d+)-(\d)(?=-|$)/, '$1.$2')}`;
}

/** Whether `name` is one of the caller's own model names in the SDK configuration (`[aliases]`, `[models.<name>]`). */
export function isConfiguredName(
  config: { aliases: Record<string, string>; models: Record<string, unknown> },
  name: string,
): boolean {
  return Object.hasOwn(config.aliases, name) || Object.hasOwn(config.models, name);
}
