import type { PaceSetting } from '../options.js';
import type { CatalogEndpoint } from '../types.js';
import type { Pacing } from './write-stream.js';

/** Time to first token and per-token delay for an answer of `tokens` tokens from `endpoint`. */
export function pacingFor(pace: PaceSetting, endpoint: CatalogEndpoint, tokens: number): Pacing {
  if (pace === 'instant') return { ttftMs: 0, msPerToken: 0 };
  const demo = pace === 'demo';
  const custom = demo ? {} : pace;
  const ttftMs = custom.ttftMs ?? (demo ? Math.round((endpoint.latency_last_30m?.p50 ?? 0.5) * 1000) : 0);
  const tps = custom.tokensPerSecond ?? (demo ? (endpoint.throughput_last_30m?.p50 ?? 50) : Number.POSITIVE_INFINITY);
  let msPerToken = Number.isFinite(tps) && tps > 0 ? 1000 / tps : 0;
  const maxTotal = custom.maxTotalMs ?? (demo ? 8000 : Number.POSITIVE_INFINITY);
  if (tokens > 0 && ttftMs + tokens * msPerToken > maxTotal) msPerToken = Math.max(0, (maxTotal - ttftMs) / tokens);
  return { ttftMs, msPerToken };
}
