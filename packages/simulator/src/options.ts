import type { FaultRule } from './faults/fault-types.js';
import type { CatalogData } from './types.js';

/** Timing of simulated answers. */
export interface PaceOptions {
  /** Time to first token in ms; default: the serving endpoint's p50 latency (demo) or 0 (instant). */
  ttftMs?: number;
  /** Output speed; default: the serving endpoint's p50 throughput (demo) or unlimited (instant). */
  tokensPerSecond?: number;
  /** Upper bound for one whole answer in ms, so demo answers never drag on (default 8000). */
  maxTotalMs?: number;
}

/** `instant` for tests (no timers), `demo` for realistic pacing from each endpoint's latency and throughput. */
export type PaceSetting = 'instant' | 'demo' | PaceOptions;

/** How streams are framed; every choice is a shape seen from the real service. */
export interface StreamShape {
  /** `: OPENROUTER PROCESSING` comments before the first chunk (default 1). */
  processingComments?: number;
  /** Also one comment after every N chunks (default 0 = never). */
  commentEvery?: number;
  /** Where usage goes: its own chunk with `choices: []` (`no-choices`, the documented default), its own chunk
   * with one empty choice (`empty-choice`, seen 2025–early 2026), or on the finish chunk (`with-finish`). */
  usageChunk?: 'no-choices' | 'empty-choice' | 'with-finish';
  /** Content tokens per chunk (default 1). */
  chunkTokens?: number;
}

export interface KeySpec {
  key: string;
  label?: string;
  /** USD credit cap of this key; null = none (default). */
  limit?: number | null;
  limitReset?: 'daily' | 'weekly' | 'monthly' | null;
  /** Management keys may read `/credits`. */
  management?: boolean;
  /** Disabled keys are rejected like unknown ones (401 `User not found.`). */
  disabled?: boolean;
  /** USD already spent by this key. */
  usage?: number;
}

/** Behaviour that a scenario file can set. Every field is optional; see the README for defaults. */
export interface Scenario {
  /** Seed of every generated answer and of probabilistic faults (default 0). */
  seed?: number | string;
  pace?: PaceSetting;
  stream?: StreamShape;
  /** `/generation?id=` answers 404 for this long after a request finishes (default 0). */
  generationDelayMs?: number;
  /**
   * A non-streamed answer that takes longer than this is sent as OpenRouter sends a slow one: status and headers
   * after this many ms, then a newline every this many ms until the JSON (which JSON parsers skip). The status is
   * committed by then, so a failure rides in a 200 body. 0 = headers with the answer. Default 1000; `instant` pacing
   * never waits, so never pads.
   */
  nonStreamKeepAliveMs?: number;
  /** Account credits in USD (default 1000); spending past them gives 402. */
  credits?: number;
  keys?: KeySpec[];
  /** Accept any `sk-or-…` key not listed in `keys` (default true); otherwise only listed keys pass. */
  openKeys?: boolean;
  /** Free-variant limits per key (defaults 20 per minute; 1000 per day, or 50 when credits < 10). */
  freeTier?: { perMinute?: number; perDay?: number };
  /** Model used when a request names none (default `openai/gpt-4o-mini`). */
  defaultModel?: string;
  /** Largest accepted request body in bytes (default 10 MiB); larger → 413. */
  maxBodyBytes?: number;
  /** Smallest prompt prefix, in tokens, that prompt caching stores (default 1024). */
  cacheMinTokens?: number;
  /** Range of generated answer lengths in tokens (default [16, 64]). */
  replyTokens?: [number, number];
  rules?: FaultRule[];
}

export interface SimulatorOptions extends Scenario {
  /** Port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** A scenario object or the path of a scenario JSON file; explicit options above win over it. */
  scenario?: Scenario | string;
  /** Another catalog: a path to a catalog JSON file or the data itself (default: the bundled snapshot). */
  catalog?: string | CatalogData;
  /** Clock in ms since the epoch (tests pin it for byte-identical bodies). */
  now?: () => number;
}
