import type { KeySpec } from '../options.js';
import { BoundedMap } from '../util/bounded-map.js';
import { FEMTO_PER_USD, parseUsd, toUsd } from '../util/money.js';
import { hash32 } from '../util/prng.js';

/** One API key as the simulator tracks it; money in femto-dollars. */
export interface KeyRecord {
  key: string;
  label: string;
  limit: bigint | null;
  limitReset: 'daily' | 'weekly' | 'monthly' | null;
  management: boolean;
  disabled: boolean;
  usage: bigint;
  /** (period start in ms, spend in that period) for the UTC day, Monday-start week and month. */
  periods: Record<'daily' | 'weekly' | 'monthly', { start: number; spent: bigint }>;
  userId: string;
  createdAt: number;
}

const KEY_SHAPE = /^sk-or-[A-Za-z0-9_.-]+$/;
/** Keys registered on first use that are remembered at once; beyond, the earliest registered is forgotten (and
 * starts afresh if it comes back), so clients that invent a key per run cannot grow a simulator forever. */
const MAX_OPEN_KEYS = 10_000;

function periodStart(kind: 'daily' | 'weekly' | 'monthly', now: number): number {
  const d = new Date(now);
  if (kind === 'monthly') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (kind === 'daily') return day;
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

/** `sk-or-v1-abc…890` style label that never reveals the whole key. */
export function maskKey(key: string): string {
  if (key.length <= 14) return `${key.slice(0, 6)}...`;
  return `${key.slice(0, 11)}...${key.slice(-3)}`;
}

/**
 * Keys and the account's credit balance. Unknown `sk-or-…` keys are accepted and registered on first use when
 * `openKeys` is on (so any client works against the simulator out of the box); listed keys carry limits.
 */
export class Accounts {
  /** The keys of the options, kept for good. */
  private readonly keys = new Map<string, KeyRecord>();
  /** Keys accepted on first use (`openKeys`). */
  private readonly opened = new BoundedMap<string, KeyRecord>(MAX_OPEN_KEYS);
  private startsCache = { from: Number.NaN, until: Number.NaN, daily: 0, weekly: 0, monthly: 0 };
  totalCredits: bigint;
  totalUsage = 0n;

  constructor(
    specs: KeySpec[],
    credits: number,
    private readonly openKeys: boolean,
    private readonly now: () => number,
  ) {
    // A negative balance is allowed (it is how OpenRouter ends up answering 402 even for free models).
    this.totalCredits = credits < 0 ? -parseUsd(-credits) : parseUsd(credits);
    for (const spec of specs) this.keys.set(spec.key, this.record(spec));
  }

  private record(spec: KeySpec): KeyRecord {
    const now = this.now();
    const record: KeyRecord = {
      key: spec.key,
      label: spec.label ?? maskKey(spec.key),
      limit: spec.limit === undefined || spec.limit === null ? null : parseUsd(spec.limit),
      limitReset: spec.limitReset ?? null,
      management: spec.management ?? false,
      disabled: spec.disabled ?? false,
      usage: parseUsd(spec.usage ?? 0),
      periods: {
        daily: { start: periodStart('daily', now), spent: 0n },
        weekly: { start: periodStart('weekly', now), spent: 0n },
        monthly: { start: periodStart('monthly', now), spent: 0n },
      },
      userId: `user_${hash32(spec.key).toString(36)}${hash32(spec.key, 7).toString(36)}`,
      createdAt: now,
    };
    this.totalUsage += record.usage;
    return record;
  }

  /** The key record for a bearer token, or undefined when OpenRouter would answer `User not found.`. */
  authenticate(token: string): KeyRecord | undefined {
    const known = this.keys.get(token) ?? this.opened.get(token);
    if (known) return known.disabled ? undefined : known;
    if (!this.openKeys || !KEY_SHAPE.test(token)) return undefined;
    const record = this.record({ key: token });
    this.opened.set(token, record);
    return record;
  }

  private roll(record: KeyRecord): void {
    const starts = this.periodStarts(this.now());
    for (const kind of ['daily', 'weekly', 'monthly'] as const) {
      const start = starts[kind];
      if (record.periods[kind].start !== start) record.periods[kind] = { start, spent: 0n };
    }
  }

  /**
   * periodStart() of each kind for `now`, cached for the UTC day that holds it: weeks and months start on UTC day
   * boundaries, so all three are constant within a day, and roll() runs three times per chat request.
   */
  private periodStarts(now: number): Record<'daily' | 'weekly' | 'monthly', number> {
    // The instant `new Date(now)` stands for (ms are truncated), so the window test matches periodStart exactly.
    const ms = Math.trunc(now);
    let cached = this.startsCache;
    if (!(ms >= cached.from && ms < cached.until)) {
      const daily = periodStart('daily', now);
      // Capped at the last valid Date (8.64e15 ms): past it periodStart gives NaN, so nothing there is cached.
      const until = Math.min(daily + 86_400_000, 8.64e15 + 1);
      cached = { from: daily, until, daily, weekly: periodStart('weekly', now), monthly: periodStart('monthly', now) };
      this.startsCache = cached;
    }
    return cached;
  }

  /** USD (femto) this key may still spend: the smaller of its own remaining limit and the account balance. */
  remaining(record: KeyRecord): bigint {
    this.roll(record);
    const balance = this.totalCredits - this.totalUsage;
    if (record.limit === null) return balance;
    const spent = record.limitReset ? record.periods[record.limitReset].spent : record.usage;
    const own = record.limit - spent;
    return own < balance ? own : balance;
  }

  charge(record: KeyRecord, femto: bigint): void {
    if (femto <= 0n) return;
    this.roll(record);
    record.usage += femto;
    for (const kind of ['daily', 'weekly', 'monthly'] as const) record.periods[kind].spent += femto;
    this.totalUsage += femto;
  }

  /** Whether the account ever bought ≥ $10 of credits (raises the free daily cap from 50 to 1000). */
  get purchasedTen(): boolean {
    return this.totalCredits >= 10n * FEMTO_PER_USD;
  }

  /** The `GET /key` body. */
  keyInfo(record: KeyRecord): Record<string, unknown> {
    this.roll(record);
    const remaining = record.limit === null ? null : toUsd(this.remaining(record));
    return {
      data: {
        label: record.label,
        limit: record.limit === null ? null : toUsd(record.limit),
        limit_reset: record.limitReset,
        limit_remaining: remaining,
        include_byok_in_limit: false,
        usage: toUsd(record.usage),
        usage_daily: toUsd(record.periods.daily.spent),
        usage_weekly: toUsd(record.periods.weekly.spent),
        usage_monthly: toUsd(record.periods.monthly.spent),
        byok_usage: 0,
        byok_usage_daily: 0,
        byok_usage_weekly: 0,
        byok_usage_monthly: 0,
        is_free_tier: !this.purchasedTen,
        is_management_key: record.management,
        is_provisioning_key: record.management,
        creator_user_id: record.userId,
        expires_at: null,
        allowed_data_regions: ['global', 'europe', 'us'],
        organization_id: null,
        workspace_id: null,
        rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
      },
    };
  }

  /** The `GET /credits` body. */
  credits(): Record<string, unknown> {
    return { data: { total_credits: toUsd(this.totalCredits), total_usage: toUsd(this.totalUsage) } };
  }
}
