import { catalogOf } from '../catalog/model-catalog.js';
import type { ChatCompletion, ChatRequest } from '../protocol/chat.js';
import type { ProviderBackend } from '../providers/provider.js';
import { type Cost, type Prices, reconcileCost } from './cost.js';
import { normalizeUsage, type Usage } from './usage.js';

/** Image parts in a request's messages (priced per image where a model charges for images). */
export function countImages(messages: ChatRequest['messages'] | undefined): number {
  let images = 0;
  for (const message of messages ?? []) {
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content) if ((part as { type?: unknown } | null)?.type === 'image_url') images++;
  }
  return images;
}

/**
 * The prices a completion was billed at: the serving endpoint's (matched by the upstream `provider` name in the
 * model's cached endpoints), else the model's catalog prices — both from the backend's in-memory catalog — or, for
 * backends without one (OpenAI-compatible servers), their configured prices. Never throws.
 */
export async function billedPrices(
  backend: ProviderBackend,
  model: string,
  provider: string | undefined,
): Promise<Prices | undefined> {
  const catalog = catalogOf(backend);
  if (catalog) return (await catalog.servingPrices(model, provider).catch(() => undefined)) as Prices | undefined;
  return backend.prices(model).catch(() => undefined);
}

/**
 * The Cost of a completion: OpenRouter's reported `usage.cost` when present, with our computation from every
 * price component beside it (`computedUsd`, `driftUsd`) and the prompt cache's `savingsUsd`; else the computation
 * alone; `unpriced` when neither is known.
 */
export async function completionCost(
  backend: ProviderBackend,
  completion: ChatCompletion,
  request?: ChatRequest,
): Promise<Cost> {
  const known = completionCostNow(backend, completion, request);
  if (known) return known;
  const model = completion.model || request?.model || '';
  const prices = model ? await billedPrices(backend, model, completion.provider) : undefined;
  return costWith(completion, prices, request);
}

/**
 * `completionCost` without waiting, when the prices are already in memory (the catalog's cached listings, or no
 * model to price); `undefined` when they must be fetched (or asked of a backend without a catalog). Same result.
 */
export function completionCostNow(
  backend: ProviderBackend,
  completion: ChatCompletion,
  request?: ChatRequest,
  usage?: Usage,
): Cost | undefined {
  const model = completion.model || request?.model || '';
  if (!model) return costWith(completion, undefined, request, usage);
  const known = catalogOf(backend)?.servingPricesNow(model, completion.provider);
  return known && costWith(completion, known.pricing as Prices | undefined, request, usage);
}

function costWith(completion: ChatCompletion, prices: Prices | undefined, request?: ChatRequest, usage?: Usage): Cost {
  const normalized = usage ?? normalizeUsage(completion.usage);
  const cost = reconcileCost(completion.usage ?? undefined, normalized, prices, countImages(request?.messages));
  return cost ?? { usd: 0, source: 'computed', unpriced: true };
}
