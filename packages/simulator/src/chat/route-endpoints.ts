import type { Catalog, ResolvedModel } from '../catalog/catalog.js';
import { type SimError, simError } from '../http/sim-error.js';
import type { CatalogEndpoint } from '../types.js';
import type { Rng } from '../util/prng.js';

/** Request parameters that `provider.require_parameters` checks against each endpoint. */
const ROUTABLE_PARAMETERS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'top_a',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'max_tokens',
  'max_completion_tokens',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'prediction',
  'seed',
  'response_format',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'include_reasoning',
  'reasoning',
  'reasoning_effort',
  'web_search_options',
  'verbosity',
];

const ROUTING_DOCS =
  'To learn more about provider routing, visit: https://openrouter.ai/docs/guides/routing/provider-selection';

export interface ProviderPreferences {
  order?: string[];
  allow_fallbacks?: boolean;
  require_parameters?: boolean;
  data_collection?: 'allow' | 'deny';
  zdr?: boolean;
  only?: string[];
  ignore?: string[];
  quantizations?: string[];
  sort?: string | { by?: string | null; partition?: string | null };
  max_price?: Record<string, number | string>;
  [key: string]: unknown;
}

export interface RouteInput {
  catalog: Catalog;
  model: ResolvedModel;
  request: Record<string, unknown>;
  prefs: ProviderPreferences | undefined;
  promptTokens: number;
  rng: Rng;
}

export type RouteResult = { ok: true; endpoints: CatalogEndpoint[] } | { ok: false; error: SimError };

function perMillion(price: unknown): number {
  return Number(price ?? 0) * 1_000_000;
}

/** Whether `name` (display name, slug or tag, as users write them) designates this endpoint. */
export function providerMatches(catalog: Catalog, endpoint: CatalogEndpoint, name: string): boolean {
  const wanted = name.toLowerCase();
  const tag = endpoint.tag.toLowerCase();
  if (endpoint.provider_name.toLowerCase() === wanted || tag === wanted) return true;
  // A base slug matches all of a provider's endpoints (deepinfra ⊇ deepinfra/turbo), tier tags excepted.
  if (tag.startsWith(`${wanted}/`) && !/\/(priority|flex)$/.test(tag)) return true;
  return catalog.provider(endpoint.provider_name)?.slug.toLowerCase() === wanted;
}

function sentParameters(request: Record<string, unknown>): string[] {
  return ROUTABLE_PARAMETERS.filter((name) => {
    const value = request[name];
    if (value === undefined || value === null) return false;
    return !(Array.isArray(value) && value.length === 0);
  });
}

function sortKey(by: string): (e: CatalogEndpoint) => number {
  switch (by) {
    case 'price':
      return (e) => perMillion(e.pricing.prompt) + perMillion(e.pricing.completion);
    case 'throughput':
      return (e) => -(e.throughput_last_30m?.p50 ?? 0);
    case 'latency':
      return (e) => e.latency_last_30m?.p50 ?? Number.MAX_SAFE_INTEGER;
    default:
      // exacto: quality first — the most reliable endpoints, then the fastest.
      return (e) => -(e.uptime_last_1d ?? 0) * 1000 - (e.throughput_last_30m?.p50 ?? 0);
  }
}

/** OpenRouter's default load balancing: stable endpoints weighted by inverse square of price, then by price. */
function loadBalance(endpoints: CatalogEndpoint[], rng: Rng): CatalogEndpoint[] {
  // Each price is parsed once, not at every comparison of the sorts below (it showed in throughput profiles).
  const price = sortKey('price');
  const priced = (list: CatalogEndpoint[]) => list.map((e) => ({ e, price: price(e) }));
  const byPrice = (a: { price: number }, b: { price: number }) => a.price - b.price;
  const stable = endpoints.filter((e) => (e.uptime_last_5m ?? 100) >= 90);
  const unstable = endpoints.filter((e) => (e.uptime_last_5m ?? 100) < 90);
  const rest = priced(stable).sort(byPrice);
  const ordered: { e: CatalogEndpoint }[] = [];
  if (rest.length > 0) {
    const weights = rest.map((p) => 1 / (p.price + 0.01) ** 2);
    let draw = rng.next() * weights.reduce((a, b) => a + b, 0);
    let chosen = 0;
    for (; chosen < rest.length - 1; chosen++) {
      draw -= weights[chosen] ?? 0;
      if (draw < 0) break;
    }
    ordered.push(...rest.splice(chosen, 1));
  }
  return [...ordered, ...rest, ...priced(unstable).sort(byPrice)].map((p) => p.e);
}

/** The real 400 for a prompt that no endpoint can hold. */
export function contextError(context: number, prompt: number, output: number): SimError {
  return {
    status: 400,
    message:
      `This endpoint's maximum context length is ${context} tokens. However, you requested about ` +
      `${prompt + output} tokens (${prompt} of text input, ${output} in the output). Please reduce the length of ` +
      'either one, or use the "middle-out" transform to compress your prompt automatically.',
    metadata: { provider_name: null },
    extra: { error_type: 'context_length_exceeded' },
  };
}

/** The endpoints that may serve `model`, best first, after applying the `provider` preferences. */
export function routeEndpoints(input: RouteInput): RouteResult {
  const { catalog, model, request, prefs = {}, promptTokens } = input;
  const id = model.row.id;
  let endpoints = [...model.row.endpoints];
  if (endpoints.length === 0) return { ok: false, error: simError(404, `No endpoints found for ${id}.`) };

  const matchesAny = (e: CatalogEndpoint, names: string[]) => names.some((n) => providerMatches(catalog, e, n));
  if (prefs.only) endpoints = endpoints.filter((e) => matchesAny(e, prefs.only ?? []));
  if (prefs.ignore) endpoints = endpoints.filter((e) => !matchesAny(e, prefs.ignore ?? []));
  if (prefs.quantizations) endpoints = endpoints.filter((e) => prefs.quantizations?.includes(e.quantization ?? ''));
  if (endpoints.length === 0) {
    return {
      ok: false,
      error: simError(404, `No allowed providers are available for the selected model. ${ROUTING_DOCS}`),
    };
  }
  if (prefs.data_collection === 'deny' || prefs.zdr === true) {
    endpoints = endpoints.filter((e) => {
      const provider = catalog.provider(e.provider_name);
      if (prefs.data_collection === 'deny' && provider?.may_train_on_data) return false;
      return !(prefs.zdr === true && provider?.retains_prompts);
    });
    if (endpoints.length === 0) {
      return {
        ok: false,
        error: simError(
          404,
          'No endpoints found matching your data policy (Free model training). Configure: https://openrouter.ai/settings/privacy',
        ),
      };
    }
  }
  if (prefs.max_price) {
    const max = prefs.max_price;
    endpoints = endpoints.filter(
      (e) =>
        (max.prompt === undefined || perMillion(e.pricing.prompt) <= Number(max.prompt)) &&
        (max.completion === undefined || perMillion(e.pricing.completion) <= Number(max.completion)) &&
        (max.request === undefined || Number(e.pricing.request ?? 0) <= Number(max.request)) &&
        (max.image === undefined || Number(e.pricing.image ?? 0) <= Number(max.image)),
    );
    if (endpoints.length === 0) {
      return { ok: false, error: simError(404, `No endpoints found for ${id} within your max_price. ${ROUTING_DOCS}`) };
    }
  }
  const sent = sentParameters(request);
  if (prefs.require_parameters) {
    endpoints = endpoints.filter((e) => sent.every((p) => e.supported_parameters.includes(p)));
    if (endpoints.length === 0) {
      return {
        ok: false,
        error: simError(404, `No endpoints found that can handle the requested parameters. ${ROUTING_DOCS}`),
      };
    }
  }
  // Soft preferences that apply even without require_parameters (reference §2.3).
  if (sent.includes('tools')) {
    endpoints = endpoints.filter((e) => e.supported_parameters.includes('tools'));
    if (endpoints.length === 0) {
      return { ok: false, error: simError(404, `No endpoints found that support tool use. ${ROUTING_DOCS}`) };
    }
    const choice = request.tool_choice;
    const kind = typeof choice === 'string' ? choice : choice ? 'function' : undefined;
    if (kind === 'auto' || kind === 'none' || kind === 'required' || kind === 'function') {
      endpoints = endpoints.filter((e) => e.supports_tool_choice?.[kind] !== false);
      if (endpoints.length === 0) {
        return {
          ok: false,
          error: simError(404, `No endpoints found that support the provided 'tool_choice' value. ${ROUTING_DOCS}`),
        };
      }
    }
  }
  if (sent.includes('response_format')) {
    const supporting = endpoints.filter(
      (e) =>
        e.supported_parameters.includes('response_format') || e.supported_parameters.includes('structured_outputs'),
    );
    if (supporting.length > 0) endpoints = supporting;
  }
  const output = Number(request.max_completion_tokens ?? request.max_tokens ?? 0);
  const fitting = endpoints.filter((e) => promptTokens + output <= e.context_length);
  if (fitting.length === 0) {
    const widest = endpoints.reduce((a, b) => (b.context_length > a.context_length ? b : a));
    return { ok: false, error: contextError(widest.context_length, promptTokens, output) };
  }
  endpoints = fitting;

  const variantSort = model.variants.includes('nitro')
    ? 'throughput'
    : model.variants.includes('floor')
      ? 'price'
      : model.variants.includes('exacto')
        ? 'exacto'
        : undefined;
  const sortBy = typeof prefs.sort === 'string' ? prefs.sort : (prefs.sort?.by ?? variantSort);
  let ordered: CatalogEndpoint[];
  if (prefs.order && prefs.order.length > 0) {
    const first: CatalogEndpoint[] = [];
    for (const name of prefs.order) {
      for (const e of endpoints) if (!first.includes(e) && providerMatches(catalog, e, name)) first.push(e);
    }
    const rest =
      prefs.allow_fallbacks === false
        ? []
        : loadBalance(
            endpoints.filter((e) => !first.includes(e)),
            input.rng,
          );
    ordered = [...first, ...rest];
    if (ordered.length === 0) {
      return {
        ok: false,
        error: simError(404, `No allowed providers are available for the selected model. ${ROUTING_DOCS}`),
      };
    }
  } else if (sortBy) {
    const key = sortKey(sortBy);
    ordered = [...endpoints].sort((a, b) => key(a) - key(b));
  } else {
    ordered = loadBalance(endpoints, input.rng);
  }
  if (prefs.allow_fallbacks === false && !(prefs.order && prefs.order.length > 0)) ordered = ordered.slice(0, 1);
  return { ok: true, endpoints: ordered };
}
