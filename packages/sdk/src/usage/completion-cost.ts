import { catalogOf } from '../catalog/model-catalog.js';
import type { ChatCompletion, ChatRequest } from '../protocol/chat.js';
import type { ProviderBackend } from '../providers/provider.js';
import { type Cost, type Prices, reconcileCost } from './cost.js';
import { normalizeUsage } from './usage.js';

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
  const usage = normalizeUsage(completion.usage);
  const model = completion.model || request?.model || '';
  const prices = model ? await billedPrices(backend, model, completion.provider) : undefined;
  const cost = reconcileCost(completion.usage ?? undefined, usage, prices, countImages(request?.messages));
  return cost ?? { usd: 0, source: 'computed', unpriced: true };
}
