import { invalidField as invalid } from './request-errors.js';

type Item = Record<string, unknown>;

/** The query of `GET /responses/{id}/input_items` (Fastify hands over strings, or arrays for repeated names). */
export type ItemListQuery = Record<string, unknown>;

function text(query: ItemListQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, `'${name}' must be given once`);
  return value;
}

/** `limit`: 1 to 100, 20 when absent (OpenAI's bounds). */
function limitOf(query: ItemListQuery): number {
  const raw = text(query, 'limit');
  if (raw === undefined) return 20;
  const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= 100)) throw invalid('limit', "'limit' must be an integer from 1 to 100");
  return limit;
}

function cursor(items: Item[], query: ItemListQuery, name: 'after' | 'before'): number | undefined {
  const id = text(query, name);
  if (id === undefined) return undefined;
  const at = items.findIndex((item) => item.id === id);
  if (at < 0) throw invalid(name, `'${name}' names no item of this response's input (${id})`);
  return at;
}

/**
 * An input item as OpenAI lists it: a message always says `type`, `status` and its content as parts (clients may
 * send a message as `{role, content: "text"}`); other items are listed as they were sent or answered.
 */
export function listedItem(item: Item): Item {
  if ((item.type ?? 'message') !== 'message') return item;
  const assistant = item.role === 'assistant';
  const content =
    typeof item.content === 'string'
      ? [
          assistant
            ? { type: 'output_text', text: item.content, annotations: [] }
            : { type: 'input_text', text: item.content },
        ]
      : item.content;
  return { ...item, type: 'message', status: item.status ?? 'completed', content };
}

/**
 * One page of a response's input items, in OpenAI's list shape. `order` is `desc` unless asked otherwise (the
 * newest item first, as OpenAI answers); `after` and `before` are item ids of the same listing. With `before`
 * alone the page is the items just before it (paging backwards), so `has_more` then means more before.
 */
export function itemPage(items: Item[], query: ItemListQuery): Item {
  const limit = limitOf(query);
  const order = text(query, 'order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalid('order', "'order' must be 'asc' or 'desc'");
  const listed = order === 'asc' ? items : [...items].reverse();
  const after = cursor(listed, query, 'after');
  const before = cursor(listed, query, 'before');
  const start = after === undefined ? 0 : after + 1;
  const window = listed.slice(start, Math.max(start, before ?? listed.length));
  const page = before !== undefined && after === undefined ? window.slice(-limit) : window.slice(0, limit);
  const data = page.map(listedItem);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: window.length > page.length,
  };
}
