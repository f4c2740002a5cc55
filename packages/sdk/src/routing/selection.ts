import type { Model } from '../protocol/catalog.js';
import type { ChatRequest } from '../protocol/chat.js';
import { isChatModel, perMillion } from './catalog-lookup.js';
import { preflightProblems } from './preflight.js';

export type SelectionPolicy = 'context' | 'price' | 'health';

/** How many catalog models a selection adds to the chain. */
const CANDIDATES = 3;

/**
 * Catalog models that fit a request naming no model, best first by `policy`: `context` (largest context first, as
 * users of long documents ask), `price` (cheapest prompt + completion first), `health` (lowest health score first,
 * i.e. best recent latency and error rate; unknown models are neutral). Models that cannot take the request
 * (context, parameters, modalities) are left out.
 */
export function selectModels(
  models: readonly Model[],
  request: ChatRequest,
  promptTokens: number,
  policy: SelectionPolicy,
  healthScore: (model: string) => number,
): string[] {
  const price = (m: Model) =>
    (perMillion(m.pricing.prompt) ?? Number.MAX_VALUE) + (perMillion(m.pricing.completion) ?? Number.MAX_VALUE);
  const fits = models.filter(
    (m) => isChatModel(m) && !m.id.endsWith(':free') && preflightProblems(request, m, promptTokens).length === 0,
  );
  const sorted = [...fits].sort((a, b) => {
    if (policy === 'price') return price(a) - price(b) || (b.context_length ?? 0) - (a.context_length ?? 0);
    if (policy === 'health') return healthScore(a.id) - healthScore(b.id) || price(a) - price(b);
    return (b.context_length ?? 0) - (a.context_length ?? 0) || price(a) - price(b);
  });
  return sorted.slice(0, CANDIDATES).map((m) => m.id);
}
