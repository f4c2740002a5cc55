import type { CatalogEndpoint } from '../types.js';
import { BoundedMap } from '../util/bounded-map.js';
import { hash32 } from '../util/prng.js';

const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;
const MAX_ENTRIES = 50_000;

export interface CacheOutcome {
  cachedTokens: number;
  cacheWriteTokens: number;
}

type Message = Record<string, unknown>;

function hasBreakpoint(message: Message | undefined): boolean {
  if (!message) return false;
  if (message.cache_control) return true;
  return Array.isArray(message.content) && message.content.some((part) => (part as Message)?.cache_control);
}

/**
 * Prompt caching as the reference describes it: explicit `cache_control` breakpoints on models that price cache
 * writes (Anthropic-style: write on first use, read afterwards), and implicit prefix caching on endpoints that
 * support it (OpenAI/DeepSeek/Gemini-style: reads only). Prefixes shorter than `minTokens` are never cached.
 */
export class PromptCache {
  private readonly entries = new BoundedMap<string, number>(MAX_ENTRIES);

  constructor(
    private readonly minTokens: number,
    private readonly now: () => number,
  ) {}

  apply(
    modelId: string,
    endpoint: CatalogEndpoint,
    request: Record<string, unknown>,
    cumulative: number[],
  ): CacheOutcome {
    const messages = (request.messages ?? []) as Message[];
    const pricing = endpoint.pricing;
    const writes = pricing.input_cache_write !== undefined;
    const reads = pricing.input_cache_read !== undefined;
    if (!reads || messages.length === 0) return { cachedTokens: 0, cacheWriteTokens: 0 };
    // No prefix shorter than minTokens is ever read or stored, so a prompt without a long enough one (most of them)
    // skips serialising and hashing every message below.
    let longestPrefix = 0;
    for (let i = 0; i < messages.length; i++) longestPrefix = Math.max(longestPrefix, cumulative[i] ?? 0);
    if (longestPrefix < this.minTokens) return { cachedTokens: 0, cacheWriteTokens: 0 };

    // Rolling hash per message boundary: prefix i covers messages[0..i].
    const keys: string[] = [];
    let h = hash32(`${modelId}|${endpoint.tag}`);
    for (const message of messages) {
      h = hash32(JSON.stringify(message), h);
      keys.push(h.toString(36));
    }
    const now = this.now();
    let longest = -1;
    for (let i = messages.length - 1; i >= 0; i--) {
      const expiry = this.entries.get(keys[i] as string);
      if (expiry !== undefined && expiry > now && (cumulative[i] ?? 0) >= this.minTokens) {
        longest = i;
        break;
      }
    }
    const cachedTokens = longest >= 0 ? (cumulative[longest] ?? 0) : 0;

    const explicitTop = request.cache_control as { ttl?: string } | undefined;
    let breakpoint = -1;
    if (writes) {
      if (explicitTop) breakpoint = messages.length - 1;
      else
        for (let i = messages.length - 1; i >= 0; i--)
          if (hasBreakpoint(messages[i])) {
            breakpoint = i;
            break;
          }
    }
    if (breakpoint >= 0) {
      const ttl = TTL_MS[(explicitTop?.ttl as keyof typeof TTL_MS) ?? '5m'] ?? TTL_MS['5m'];
      const prefix = cumulative[breakpoint] ?? 0;
      if (prefix < this.minTokens || breakpoint <= longest) return { cachedTokens, cacheWriteTokens: 0 };
      this.store(keys[breakpoint] as string, now + ttl);
      return { cachedTokens, cacheWriteTokens: prefix - cachedTokens };
    }
    if (writes || !endpoint.supports_implicit_caching) return { cachedTokens, cacheWriteTokens: 0 };
    // Implicit caching: every prefix up to the last message becomes readable by later requests.
    for (let i = 0; i < messages.length - 1; i++)
      if ((cumulative[i] ?? 0) >= this.minTokens) this.store(keys[i] as string, now + TTL_MS['5m']);
    return { cachedTokens, cacheWriteTokens: 0 };
  }

  private store(key: string, expiry: number): void {
    this.entries.set(key, expiry);
  }
}
