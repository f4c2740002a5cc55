import type { Model, ModelEndpoints, ModelPricing } from '../protocol/catalog.js';
import { formatFemto, parseUsd } from '../usage/money.js';

/**
 * Catalog rows made safe to use. OpenRouter-compatible servers (a proxy, a self-hosted router, OpenRouter on a bad
 * day) send `/models` rows with parts missing or null, prices as numbers, non-objects in the list. Every request
 * reads the catalog (routing, preflight, worst-case cost), so one odd row must not turn every call into a crash:
 * rows without a string `id` are dropped, so are repeats of an id, and missing parts get neutral defaults — text in and out, no known
 * limits, no listed parameters (preflight then checks none) — while the rest of a row is kept as sent. A missing
 * prompt or completion price is not a neutral 0 (that would list the model as free, sort it cheapest and bill it
 * $0): it is written `UNKNOWN_PRICE`.
 */
export function normaliseModels(rows: readonly unknown[]): Model[] {
  const out: Model[] = [];
  // A listing that repeats an id (a merging proxy) keeps its first row: lookups already answer with it, and a list,
  // a count or a gateway's `/models` that showed the model twice would disagree with them.
  const seen = new Set<string>();
  for (const row of rows) {
    const model = normaliseModel(row);
    if (model && !seen.has(model.id)) {
      seen.add(model.id);
      out.push(model);
    }
  }
  return out;
}

type Row = Record<string, unknown>;

const isObject = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

/** A positive token count, from a number or a numeric string; otherwise null. */
function count(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : null;
}

/**
 * How a price the row does not give (absent, null, not a number) is written: OpenRouter's own placeholder for
 * routers, whose price is not known in advance. Every reader already treats it as unknown rather than free: `free`
 * filters and price sorts (`pricesOf(...).variable`), price filters, selection, and cost (`unpriced`).
 */
export const UNKNOWN_PRICE = '-1';

/** A price as the decimal string the catalog uses (numbers written out exactly; a negative placeholder as is);
 * undefined when it is no amount at all. */
function price(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() !== '' && Number.isFinite(Number(value)) ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value))
    return value < 0 ? String(value) : formatFemto(parseUsd(value));
  return undefined;
}

/** Pricing fields that are not prices: kept as sent. */
const NOT_PRICES = new Set(['discount', 'overrides', 'min_prompt_tokens', 'utc_start', 'utc_end']);

/** The price fields of `value` as decimal strings; fields that are no amount are dropped. */
function prices(value: Row): Row {
  const out: Row = { ...value };
  for (const [key, raw] of Object.entries(out)) {
    if (NOT_PRICES.has(key)) continue;
    const text = price(raw);
    if (text === undefined) delete out[key];
    else out[key] = text;
  }
  return out;
}

/**
 * Tiered prices (`overrides`: a long prompt's, or a time window's) keep their conditions as sent and their prices
 * written as the base prices are; entries that are not objects are dropped.
 */
function overrides(value: unknown): Row[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isObject).map(prices);
}

function pricing(value: unknown): ModelPricing {
  const out = prices(isObject(value) ? value : {});
  const tiers = overrides(out.overrides);
  if (tiers === undefined) delete out.overrides;
  else out.overrides = tiers;
  out.prompt ??= UNKNOWN_PRICE;
  out.completion ??= UNKNOWN_PRICE;
  return out as ModelPricing;
}

function normaliseModel(row: unknown): Model | undefined {
  if (!isObject(row) || typeof row.id !== 'string' || row.id === '') return undefined;
  const arch = isObject(row.architecture) ? row.architecture : {};
  const top = isObject(row.top_provider) ? row.top_provider : {};
  const inputs = strings(arch.input_modalities) ?? ['text'];
  const outputs = strings(arch.output_modalities) ?? ['text'];
  const model: Model = {
    ...row,
    id: row.id,
    name: typeof row.name === 'string' && row.name !== '' ? row.name : row.id,
    created: typeof row.created === 'number' && Number.isFinite(row.created) ? row.created : 0,
    context_length: count(row.context_length),
    architecture: {
      ...arch,
      modality: typeof arch.modality === 'string' ? arch.modality : `${inputs.join('+')}->${outputs.join('+')}`,
      input_modalities: inputs,
      output_modalities: outputs,
    },
    pricing: pricing(row.pricing),
    top_provider: { ...top, is_moderated: top.is_moderated === true },
    supported_parameters: strings(row.supported_parameters) ?? [],
  };
  // Limits are read with `?? undefined`: absent stays absent, anything else becomes a count or null.
  for (const limit of ['context_length', 'max_completion_tokens'] as const)
    if (limit in top) model.top_provider[limit] = count(top[limit]);
  if (typeof arch.tokenizer !== 'string') delete model.architecture.tokenizer;
  if (row.reasoning !== undefined && !isObject(row.reasoning)) delete model.reasoning;
  return model;
}

/** A model's endpoints listing with only object rows, each with a provider name and a pricing object. */
export function normaliseEndpoints(listing: ModelEndpoints): ModelEndpoints {
  const endpoints = listing.endpoints.filter(isObject).map((endpoint) => ({
    ...endpoint,
    provider_name: typeof endpoint.provider_name === 'string' ? endpoint.provider_name : String(endpoint.name ?? ''),
    pricing: pricing(endpoint.pricing),
    supported_parameters: strings(endpoint.supported_parameters) ?? [],
  }));
  return { ...listing, endpoints: endpoints as unknown as ModelEndpoints['endpoints'] };
}
