import type { SimError } from '../http/sim-error.js';
import { BoundedMap } from '../util/bounded-map.js';

interface Window {
  start: number;
  count: number;
}

/**
 * OpenRouter's limits on `:free` variants, per key across all free models: N requests per minute and a daily
 * cap (50, or 1000 once ≥ $10 of credits were bought). The 429 carries `X-RateLimit-*` (reset in epoch ms) and
 * no `Retry-After`, as observed.
 */
export class FreeTierLimiter {
  // One window per key that used a free model; bounded like the keys themselves (see accounts.ts).
  private readonly minute = new BoundedMap<string, Window>(10_000);
  private readonly day = new BoundedMap<string, Window>(10_000);

  constructor(
    private readonly perMinute: number,
    private readonly perDay: () => number,
    private readonly now: () => number,
  ) {}

  /** Counts one request; returns the 429 to send when over a limit. */
  take(key: string): SimError | undefined {
    const now = this.now();
    const minuteStart = now - (now % 60_000);
    const dayStart = now - (now % 86_400_000);
    const perDay = this.perDay();
    const m = this.current(this.minute, key, minuteStart);
    const d = this.current(this.day, key, dayStart);
    if (d.count >= perDay) {
      const name = perDay >= 1000 ? 'free-models-per-day-high-balance' : 'free-models-per-day';
      const hint = perDay >= 1000 ? '' : ' Add 10 credits to unlock 1000 free model requests per day';
      return limited(
        `Rate limit exceeded: ${name}.${hint}`,
        perDay,
        dayStart + 86_400_000,
        'openrouter_free_tier_daily',
      );
    }
    if (m.count >= this.perMinute) {
      return limited(
        'Rate limit exceeded: free-models-per-min. ',
        this.perMinute,
        minuteStart + 60_000,
        'openrouter_free_tier_minute',
      );
    }
    m.count++;
    d.count++;
    return undefined;
  }

  /** Today's free-model request count for `GET /key`'s `free_model_daily_requests`. */
  daily(key: string): { limit: number; used: number; remaining: number } {
    const now = this.now();
    const window = this.day.get(key);
    const used = window && window.start === now - (now % 86_400_000) ? window.count : 0;
    const limit = this.perDay();
    return { limit, used, remaining: Math.max(0, limit - used) };
  }

  private current(map: BoundedMap<string, Window>, key: string, start: number): Window {
    let window = map.get(key);
    if (!window || window.start !== start) {
      window = { start, count: 0 };
      map.set(key, window);
    }
    return window;
  }
}

function limited(message: string, limit: number, resetMs: number, source: string): SimError {
  const headers = {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(resetMs),
  };
  return {
    status: 429,
    message,
    metadata: { headers, provider_name: null, limit_source: source },
    headers,
    retryable: true,
  };
}
