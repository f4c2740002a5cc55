import type { CatalogEndpoint } from '../types.js';
import { BoundedMap } from '../util/bounded-map.js';
import { hash32 } from '../util/prng.js';

const IDLE_MS = 10 * 60_000;
const MAX_ENTRIES = 50_000;

type Message = Record<string, unknown>;

/**
 * OpenRouter's sticky routing for prompt caching: once a conversation was served by a caching endpoint, later
 * turns go to the same provider (so its cache is warm), until 10 minutes of idleness or an explicit `order`.
 * The conversation is `session_id`, else `prompt_cache_key`, else the first system and first other message.
 */
export class StickyRouting {
  private readonly entries = new BoundedMap<string, { tag: string; expires: number }>(MAX_ENTRIES);

  constructor(private readonly now: () => number) {}

  key(apiKey: string, model: string, request: Record<string, unknown>): string {
    const messages = (request.messages ?? []) as Message[];
    const explicit = request.session_id ?? request.prompt_cache_key;
    const conversation =
      typeof explicit === 'string'
        ? explicit
        : JSON.stringify([
            messages.find((m) => m.role === 'system' || m.role === 'developer') ?? null,
            messages.find((m) => m.role !== 'system' && m.role !== 'developer') ?? null,
          ]);
    return `${apiKey}|${model}|${hash32(conversation).toString(36)}`;
  }

  /** Moves the remembered endpoint to the front. */
  apply(key: string, endpoints: CatalogEndpoint[]): CatalogEndpoint[] {
    const entry = this.entries.get(key);
    if (!entry || entry.expires < this.now()) return endpoints;
    const at = endpoints.findIndex((e) => e.tag === entry.tag);
    if (at <= 0) return endpoints;
    return [endpoints[at] as CatalogEndpoint, ...endpoints.slice(0, at), ...endpoints.slice(at + 1)];
  }

  remember(key: string, endpoint: CatalogEndpoint): void {
    if (endpoint.pricing.input_cache_read === undefined) return;
    this.entries.set(key, { tag: endpoint.tag, expires: this.now() + IDLE_MS });
  }
}
