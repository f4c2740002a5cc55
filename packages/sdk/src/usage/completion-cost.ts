import { type BilledPricing, catalogOf, catalogWaitMs } from '../catalog/model-catalog.js';
import { within } from '../catalog/within.js';
import type { ChatCompletion, ChatRequest, WireUsage } from '../protocol/chat.js';
import type { ProviderBackend } from '../providers/provider.js';
import { type Cost, type Prices, reconcileCost } from './cost.js';
import { tieredPrices } from './price-tiers.js';
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
 * backends without one (OpenAI-compatible servers), their configured prices. The answer is complete: its cost
 * waits for prices at most the catalog's `waitMs` (then list prices, or none). Never throws.
 */
export async function billedPrices(
  backend: ProviderBackend,
  model: string,
  provider: string | undefined,
): Promise<BilledPricing> {
  const catalog = catalogOf(backend);
  if (catalog) return catalog.billedPrices(model, provider);
  return { pricing: (await within(backend.prices(model), catalogWaitMs(backend))) as BilledPricing['pricing'] };
}

/**
 * The Cost of a completion: OpenRouter's reported `usage.cost` when present, with our computation from every
 * price component beside it (`computedUsd`, `driftUsd`) and the prompt cache's `savingsUsd`; else the computation
 * alone; `unpriced` when neither is known (no usage, or a price the usage needs is unknown). `listPrices` when the
 * model's list prices stood in for the serving endpoint's.
 */
export async function completionCost(
  backend: ProviderBackend,
  completion: ChatCompletion,
  request?: ChatRequest,
): Promise<Cost> {
  const known = completionCostNow(backend, completion, request);
  if (known) return known;
  const model = completion.model || request?.model || '';
  return costWith(completion, model ? await billedPrices(backend, model, completion.provider) : undefined, request);
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
  return known && costWith(completion, known, request, usage);
}

/** Whether an answer said how many tokens it used (an explicit 0 counts; a missing or empty `usage` does not). */
function counted(wire: WireUsage | null | undefined): boolean {
  return wire?.prompt_tokens != null || wire?.completion_tokens != null || wire?.total_tokens != null;
}

function costWith(
  completion: ChatCompletion,
  billed: BilledPricing | undefined,
  request?: ChatRequest,
  usage?: Usage,
): Cost {
  const wire = completion.usage ?? undefined;
  // Without token counts a computation would price 0 tokens at $0: only a reported cost can say what it cost.
  const tokens = usage ?? normalizeUsage(wire);
  const listed = counted(wire) ? (billed?.pricing as Prices | undefined) : undefined;
  const prices = listed && tieredPrices(listed, tokens.promptTokens);
  const cost = reconcileCost(wire, tokens, prices, countImages(request?.messages));
  if (!cost) return { usd: 0, source: 'computed', unpriced: true };
  if (billed?.listPrices && cost.computedUsd !== undefined) cost.listPrices = true;
  return cost;
}
