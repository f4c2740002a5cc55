import { field, invalidField as invalid } from './request-errors.js';

// Model ids on the Messages route: Anthropic clients name models their own way, and OpenRouter's skin adds
// `fallbacks`; both end up as the OpenRouter ids and `models` list the chat pipeline routes on.

/** OpenRouter's `fallbacks: [{model}]` (at most 3) as chat's `models` fallback list. */
export function fallbackModels(fallbacks: unknown, body: Record<string, unknown>): string[] {
  if (body.models !== undefined && body.models !== null) {
    throw invalid('fallbacks', "'fallbacks' cannot be combined with 'models'; send one of them");
  }
  if (!Array.isArray(fallbacks) || fallbacks.length > 3)
    throw field('fallbacks', 'an array of at most 3 {model}', fallbacks);
  return fallbacks.map((f, i) => {
    const model = (f as { model?: unknown } | null)?.model;
    if (typeof model !== 'string' || model === '') throw field(`fallbacks[${i}].model`, 'a model id', model);
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
