import { readFileSync } from 'node:fs';
import type { CatalogData, CatalogEndpoint, CatalogModel, CatalogProvider } from '../types.js';

/** Suffixes OpenRouter accepts after a model id (§2.8 of the reference). `:free` is a separate catalog row. */
export const MODEL_VARIANTS = ['nitro', 'floor', 'online', 'thinking', 'extended', 'exacto'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** A requested id resolved to a catalog row. */
export interface ResolvedModel {
  /** The id as requested. */
  requested: string;
  /** The catalog row that serves it (alias targets followed). */
  row: CatalogModel;
  variants: ModelVariant[];
}

const SIMULATOR_ONLY = new Set(['endpoints', 'popularity', 'embedding_dimensions']);
const DEFAULT_CATALOG_URL = new URL('../../data/catalog.json', import.meta.url);

/** Catalog errors surface at start-up, never per request. */
export class CatalogError extends Error {
  readonly code = 'invalid_catalog';
  override name = 'CatalogError';
}

function priceSum(model: CatalogModel): number {
  return Number(model.pricing.prompt) + Number(model.pricing.completion);
}

/** The model list, indexed for the lookups every request needs. */
export class Catalog {
  readonly snapshotDate: string;
  readonly models: readonly CatalogModel[];
  readonly providers: readonly CatalogProvider[];
  private readonly byId = new Map<string, CatalogModel>();
  private readonly publicRows = new Map<string, Record<string, unknown>>();
  private readonly providerByName = new Map<string, CatalogProvider>();

  constructor(data: CatalogData) {
    if (!data || !Array.isArray(data.models) || !Array.isArray(data.providers)) {
      throw new CatalogError('catalog must have "models" and "providers" lists');
    }
    this.snapshotDate = data.snapshot_date;
    // Popularity order is the catalog's default order (`sort=most-popular`); rows without a rank go last.
    this.models = [...data.models].sort(
      (a, b) => (a.popularity ?? Number.MAX_SAFE_INTEGER) - (b.popularity ?? Number.MAX_SAFE_INTEGER),
    );
    this.providers = data.providers;
    for (const model of this.models) {
      if (typeof model.id !== 'string' || !Array.isArray(model.endpoints)) {
        throw new CatalogError(`catalog model ${JSON.stringify(model.id)} needs an id and an endpoints list`);
      }
      if (this.byId.has(model.id)) throw new CatalogError(`catalog has model ${model.id} twice`);
      this.byId.set(model.id, model);
      this.publicRows.set(model.id, toPublic(model));
    }
    for (const provider of data.providers) {
      this.providerByName.set(provider.name.toLowerCase(), provider);
      this.providerByName.set(provider.slug.toLowerCase(), provider);
    }
  }

  /** Loads a catalog file (default: the bundled snapshot). */
  static load(source?: string | CatalogData): Catalog {
    if (source !== undefined && typeof source !== 'string') return new Catalog(source);
    const path = source ?? DEFAULT_CATALOG_URL;
    let data: CatalogData;
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as CatalogData;
    } catch (error) {
      throw new CatalogError(`cannot load catalog ${String(path)}: ${(error as Error).message}`);
    }
    return new Catalog(data);
  }

  get(id: string): CatalogModel | undefined {
    return this.byId.get(id);
  }

  provider(nameOrSlug: string): CatalogProvider | undefined {
    return this.providerByName.get(nameOrSlug.toLowerCase());
  }

  /** Resolves variants (`:nitro`, `:online`, …) and `~…-latest` aliases; undefined for an unknown id. */
  resolve(requested: string): ResolvedModel | undefined {
    let id = requested;
    const variants: ModelVariant[] = [];
    let row = this.byId.get(id);
    while (!row) {
      const colon = id.lastIndexOf(':');
      if (colon < 0) return undefined;
      const suffix = id.slice(colon + 1) as ModelVariant;
      if (!MODEL_VARIANTS.includes(suffix)) return undefined;
      variants.unshift(suffix);
      id = id.slice(0, colon);
      row = this.byId.get(id);
    }
    if (row.alias_target) {
      const target = this.byId.get(row.alias_target.slug);
      if (!target) return undefined;
      row = target;
    }
    return { requested, row, variants };
  }

  /** The `/models` object of a row (simulator-only fields removed, `links` added). */
  publicModel(id: string): Record<string, unknown> | undefined {
    return this.publicRows.get(id);
  }

  /** The `/models/{author}/{slug}/endpoints` body; latency and throughput are null for anonymous callers. */
  endpointsBody(model: CatalogModel, authenticated: boolean): Record<string, unknown> {
    return {
      data: {
        id: model.id,
        name: model.name,
        created: model.created,
        description: model.description,
        architecture: {
          tokenizer: model.architecture.tokenizer ?? null,
          instruct_type: model.architecture.instruct_type ?? null,
          modality: model.architecture.modality,
          input_modalities: model.architecture.input_modalities,
          output_modalities: model.architecture.output_modalities,
        },
        endpoints: model.endpoints.map((endpoint) => publicEndpoint(model, endpoint, authenticated)),
      },
    };
  }

  /** Rows matching `/models` query parameters, in the requested order. */
  list(query: URLSearchParams): CatalogModel[] {
    const outputs = listParam(query, 'output_modalities') ?? ['text'];
    const inputs = listParam(query, 'input_modalities');
    const params = listParam(query, 'supported_parameters');
    const text = query.get('q')?.toLowerCase();
    let rows = this.models.filter((model) => {
      const arch = model.architecture;
      if (!outputs.includes('all') && !outputs.some((m) => arch.output_modalities.includes(m))) return false;
      if (inputs && !inputs.every((m) => arch.input_modalities.includes(m))) return false;
      if (params && !params.every((p) => model.supported_parameters.includes(p))) return false;
      if (text && !`${model.id} ${model.name} ${model.description}`.toLowerCase().includes(text)) return false;
      return true;
    });
    switch (query.get('sort')) {
      case 'newest':
        rows = [...rows].sort((a, b) => b.created - a.created);
        break;
      case 'pricing-low-to-high':
        rows = [...rows].sort((a, b) => priceSum(a) - priceSum(b));
        break;
      case 'pricing-high-to-low':
        rows = [...rows].sort((a, b) => priceSum(b) - priceSum(a));
        break;
      case 'context-high-to-low':
        rows = [...rows].sort((a, b) => (b.context_length ?? 0) - (a.context_length ?? 0));
        break;
      default:
        break;
    }
    return rows;
  }
}

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function toPublic(model: CatalogModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(model)) if (!SIMULATOR_ONLY.has(key)) out[key] = value;
  out.hugging_face_id ??= null;
  out.per_request_limits ??= null;
  out.default_parameters ??= null;
  out.supported_voices ??= null;
  out.expiration_date ??= null;
  out.links = { details: `/api/v1/models/${model.id}/endpoints` };
  return out;
}

function publicEndpoint(model: CatalogModel, endpoint: CatalogEndpoint, authenticated: boolean) {
  const shortName = model.name.includes(': ') ? model.name.slice(model.name.indexOf(': ') + 2) : model.name;
  return {
    name: `${endpoint.provider_name}: ${shortName}`,
    model_id: model.id,
    model_name: shortName,
    context_length: endpoint.context_length,
    pricing: endpoint.pricing,
    provider_name: endpoint.provider_name,
    tag: endpoint.tag,
    quantization: endpoint.quantization,
    max_completion_tokens: endpoint.max_completion_tokens,
    max_prompt_tokens: endpoint.max_prompt_tokens,
    supported_parameters: endpoint.supported_parameters,
    status: endpoint.status ?? 0,
    uptime_last_30m: endpoint.uptime_last_30m,
    uptime_last_5m: endpoint.uptime_last_5m,
    uptime_last_1d: endpoint.uptime_last_1d,
    supports_implicit_caching: endpoint.supports_implicit_caching,
    supports_tool_choice: endpoint.supports_tool_choice,
    latency_last_30m: authenticated ? endpoint.latency_last_30m : null,
    throughput_last_30m: authenticated ? endpoint.throughput_last_30m : null,
  };
}
