import type { Model } from '@switchyard/sdk';
import { field } from './request-errors.js';

// `GET /models` for Anthropic clients (`@anthropic-ai/sdk`'s `models.list()` / `models.retrieve()`, which send
// `anthropic-version`): the same catalog, in Anthropic's model objects and cursor pages. Ids stay OpenRouter's, which
// is what the gateway's `/messages` takes.

/** Whether a request comes from an Anthropic client (the Anthropic SDKs send this header on every request). */
export function fromAnthropicClient(headers: Record<string, unknown>): boolean {
  return typeof headers['anthropic-version'] === 'string';
}

/** One catalog row as Anthropic's `ModelInfo`. */
export function anthropicModel(model: Model): Record<string, unknown> {
  const retires = typeof model.expiration_date === 'string' ? new Date(model.expiration_date) : undefined;
  return {
    type: 'model',
    id: model.id,
    display_name: model.name,
    created_at: new Date(model.created * 1000).toISOString(),
    max_input_tokens: model.context_length,
    max_tokens: model.top_provider.max_completion_tokens ?? null,
    capabilities: null,
    line: null,
    lifecycle: 'active',
    deprecated_at: null,
    retires_at: retires && !Number.isNaN(retires.getTime()) ? retires.toISOString() : null,
  };
}

/**
 * A page of Anthropic's list: newest first, as Anthropic lists them; `limit` 1–1000 (default 20); `after_id` pages
 * forward, `before_id` back; `has_more`, `first_id` and `last_id` drive the SDK's auto-paging.
 */
export function anthropicModelPage(models: Model[], query: Record<string, unknown>): Record<string, unknown> {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw field('limit', 'an integer from 1 to 1000', query.limit);
  const rows = [...models].sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
  const at = (name: 'after_id' | 'before_id'): number => {
    const id = query[name];
    if (id === undefined) return -1;
    const index = rows.findIndex((row) => row.id === id);
    if (index < 0) throw field(name, 'the id of a listed model', id);
    return index;
  };
  const before = at('before_id');
  const start = before >= 0 ? Math.max(0, before - limit) : at('after_id') + 1;
  const end = before >= 0 ? before : Math.min(rows.length, start + limit);
  const data = rows.slice(start, end).map(anthropicModel);
  const more = before >= 0 ? start > 0 : end < rows.length;
  return {
    data,
    has_more: more,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
  };
}
