import { lazyModule } from '../errors/chunk-load.js';
import { AbortError } from '../errors/client-errors.js';
import { InvalidModelError } from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model, ModelEndpoints, ModelPricing } from '../protocol/catalog.js';
import type { ProviderBackend } from '../providers/provider.js';
import { findModel, modelById } from '../routing/catalog-lookup.js';
import type { RoutingEvents } from '../routing/events.js';
import { type ExactPrices, pricesOf } from './prices.js';
import type { CatalogQuery } from './query.js';
import { type Copy, type Freshness, Revalidating } from './revalidating.js';
import { within } from './within.js';

/** Search and sort: loaded on first use (a lazy chunk in browser bundles); most apps never search the catalog. */
const loadQuery = lazyModule("the SDK's catalog search", () => import('./query.js'));
/** Cleaning of fetched listings: loaded with the first fetch, which is asynchronous anyway. */
const loadNormalise = lazyModule("the SDK's catalog reader", () => import('./normalise-model.js'));
const normalisedModels = async (rows: readonly unknown[]): Promise<Model[]> =>
  (await loadNormalise()).normaliseModels(rows);

/** Default time a fetched catalog is served without asking the network again. */
export const CATALOG_TTL_MS = 60 * 60 * 1000;
/** A failed catalog fetch is remembered this long, so an unreachable catalog does not cost every request a call. */
export const CATALOG_FAILURE_TTL_MS = 60 * 1000;
/**
 * Default longest time a request waits for a listing it only consults: the model list for preflight, the price
 * guard and selection, a model's endpoints or list for the prices of an answer's cost. The network's own timeouts
 * are far longer (30 s until headers): a slow or hung `/models` must not hold every chat back by that much when the
 * chat can go ahead without it.
 */
export const CATALOG_WAIT_MS = 2000;

/** Where the catalog's data comes from (the provider's `/models` and `/models/{id}/endpoints`). */
export interface CatalogSource {
  /** The provider's name, for messages. */
  name: string;
  /** The API root the catalog belongs to; it names the disk cache file. */
  baseURL(): Promise<string>;
  /** Every model, chat and embedding models alike. */
  models(): Promise<Model[]>;
  /** One model's provider endpoints; absent when the provider has no such listing. */
  endpoints?(id: string): Promise<ModelEndpoints>;
}

/** The key of the model list among the listings a consulting wait tracks (model ids key their endpoints). */
const LIST = '/models';
/**
 * Models whose endpoints are cached at once (OpenRouter lists a few hundred). Ids come from callers — a gateway's
 * clients may ask for any — and each unknown one would otherwise keep its remembered failure for good.
 */
const MAX_ENDPOINT_LISTINGS = 2_000;

/** How the catalog caches (`catalog` in the client options, `[catalog]` in switchyard.toml). */
export interface CatalogOptions {
  /** How long a fetched list (and a model's endpoints) is served before it is refreshed. Default 1 h. */
  ttlMs?: number;
  /** How long a failed fetch is remembered before the network is tried again. Default 60 s. */
  failureTtlMs?: number;
  /**
   * How long a request waits for a listing that is not in memory yet when it only consults it (chats and streams:
   * the list for preflight, the price guard and selection; a model's endpoints and list for the prices of an
   * answer's cost). After it the request goes on without: no preflight or price guard, or a cost at the model's
   * list prices (`cost.listPrices`) or `unpriced`. The fetch carries on in the background, and later requests use
   * its result (or its remembered failure); while a fetch that outlasted one such wait still runs, requests do not
   * wait for it again. `list()`, `get()`, `endpoints()` and the other calls that ask for the catalog itself still
   * wait for it. 0 = no bound. Default 2 000 ms (`CATALOG_WAIT_MS`).
   */
  waitMs?: number;
  /** A directory for a copy on disk (Node, Bun, Deno only; ignored elsewhere). Default none. */
  cacheDir?: string;
  /** The clock (tests). Default `Date.now`. */
  now?: () => number;
  /** Where `catalog_stale` events go (the client's routing events). */
  events?: RoutingEvents;
}

/** The prices an answer was billed at (see `ModelCatalog.billedPrices`). */
export interface BilledPricing {
  /** The prices; undefined when unknown (the model is not listed, or no listing could be had in time). */
  pricing: ModelPricing | undefined;
  /** The answer names its upstream provider, but that endpoint's prices were not known (not listed, its listing
   * failed or did not arrive within `waitMs`): these are the model's list prices, standing in. */
  listPrices?: true;
}

/** The state of the cached model list (`sy.models.status()`). */
export interface CatalogStatus {
  /** When the list being served was fetched from the network (epoch ms); absent before the first list. */
  fetchedAt?: number;
  /** The list being served is older than the TTL: a refresh is running or failed (see `lastError`). */
  stale: boolean;
  /**
   * Where the last `list()` (or anything built on it) got its answer: `network` (it waited for a fetch), `memory`
   * (the copy this client fetched earlier), `disk` (the copy in `cacheDir`, written by an earlier run) or `none`
   * (nothing listed yet).
   */
  source: 'network' | 'memory' | 'disk' | 'none';
  /** Why the last fetch failed, while that failure is the latest news. */
  lastError?: string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Rejects with an AbortError when `signal` fires first; the shared fetch behind `promise` carries on. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError('The request was aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('The request was aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The model catalog of the client's provider (`sy.models`): `/models` with every output modality (no key needed on
 * OpenRouter), cached in memory for `catalog.ttlMs` (1 h) and optionally on disk (`catalog.cacheDir`). After the
 * TTL the cached list is served at once while a background fetch refreshes it (stale-while-revalidate). When a
 * refresh fails (offline), the last copy — memory, else disk — keeps being served, flagged: `status().stale`,
 * `status().lastError` and a `catalog_stale` routing event. Failures are remembered for a minute, so an unreachable
 * catalog costs one call a minute, not one per request. Per-model endpoints are cached the same way.
 */
export class ModelCatalog {
  private options: Required<Omit<CatalogOptions, 'cacheDir' | 'events'>> & Pick<CatalogOptions, 'cacheDir' | 'events'>;
  private readonly cell: Revalidating<Model[]>;
  private readonly endpointCells = new Map<string, Revalidating<ModelEndpoints>>();
  private lastSource: CatalogStatus['source'] = 'none';
  private diskLoad: Promise<void> | undefined;
  /** `diskLoad` once it has settled: from then on a list without a copy no longer waits for the disk. */
  private diskLoaded: Promise<void> | undefined;
  /** Listings (`LIST`, or a model id for its endpoints) whose fetch outlasted a consulting wait and still runs. */
  private readonly late = new Set<string>();

  constructor(
    private readonly source: CatalogSource,
    options: CatalogOptions = {},
  ) {
    this.options = {
      ttlMs: CATALOG_TTL_MS,
      failureTtlMs: CATALOG_FAILURE_TTL_MS,
      waitMs: CATALOG_WAIT_MS,
      now: Date.now,
    };
    this.configure(options);
    const freshness = (): Freshness => this.options;
    this.cell = new Revalidating(() => this.source.models().then(normalisedModels), freshness, {
      fetched: (copy) => void this.saveToDisk(copy),
      failed: (error, stale) => {
        if (stale) this.options.events?.emit('catalog_stale', { reason: message(error), fetchedAt: stale.fetchedAt });
      },
    });
  }

  /** Changes how the catalog caches (the client applies its `catalog` settings and events with this). */
  configure(options: CatalogOptions): this {
    const next = { ...this.options };
    if (options.ttlMs !== undefined) next.ttlMs = options.ttlMs;
    if (options.failureTtlMs !== undefined) next.failureTtlMs = options.failureTtlMs;
    if (options.waitMs !== undefined) next.waitMs = options.waitMs;
    if (options.now !== undefined) next.now = options.now;
    if (options.events !== undefined) next.events = options.events;
    if ('cacheDir' in options && options.cacheDir !== next.cacheDir) {
      next.cacheDir = options.cacheDir;
      this.diskLoad = undefined;
    }
    this.options = next;
    return this;
  }

  /** The bound of a consulting request's wait (`waitMs`), Infinity when unbounded (0). */
  get waitBoundMs(): number {
    return this.options.waitMs > 0 ? this.options.waitMs : Number.POSITIVE_INFINITY;
  }

  /**
   * `list()` for a caller that only consults the list (the routing engine's preflight, price guard and selection):
   * the models, or undefined when they cannot be had within `waitMs`. The fetch carries on and is cached.
   */
  consultList(): Promise<Model[] | undefined> {
    return this.consult(LIST, this.list(), this.waitBoundMs);
  }

  /**
   * Waits for a listing's `work` at most `ms` (undefined when it fails or is late). A fetch that outlasted one such
   * wait is not waited for again until it settles: with a hung `/models`, one call waits `waitMs`, not every call
   * until the network gives up (nor a chat twice: once to route, once to price its answer).
   */
  private consult<T>(key: string, work: Promise<T>, ms: number): Promise<T | undefined> {
    let settled = false;
    const done = () => {
      settled = true;
      this.late.delete(key);
    };
    work.then(done, done);
    return within(work, this.late.has(key) ? 0 : ms).then((value) => {
      if (!settled) this.late.add(key);
      return value;
    });
  }

  /** Every model the provider serves (chat and embedding models), in the provider's order (popularity on OpenRouter). */
  async list(options: { signal?: AbortSignal } = {}): Promise<Model[]> {
    if (!options.signal?.aborted) {
      const known = this.peekList();
      if (known) {
        if ('failure' in known) throw known.failure;
        return known.value;
      }
    }
    if (!this.cell.copy && this.options.cacheDir !== undefined) {
      if (!this.diskLoad) {
        const load = this.loadFromDisk();
        this.diskLoad = load;
        void load.then(() => {
          if (this.diskLoad === load) this.diskLoaded = load;
        });
      }
      await withSignal(this.diskLoad, options.signal);
    }
    const copy = this.cell.copy;
    const { value, waited } = await withSignal(this.cell.get(), options.signal);
    this.lastSource = waited ? 'network' : copy?.from === 'disk' ? 'disk' : 'memory';
    return value;
  }

  /**
   * What `list()` would answer without waiting for the network or the disk: the models, the remembered failure, or
   * `undefined` (a fetch or the disk copy must be waited for). Synchronous: the routing engine asks on every request.
   */
  peekList(): { value: Model[] } | { failure: unknown } | undefined {
    const copy = this.cell.copy;
    if (!copy && this.options.cacheDir !== undefined && (!this.diskLoad || this.diskLoad !== this.diskLoaded)) {
      return undefined;
    }
    const known = this.cell.peek();
    if (known && 'value' in known) this.lastSource = copy?.from === 'disk' ? 'disk' : 'memory';
    return known;
  }

  /** Fetches the list now, whatever the TTL. When that fails, the last copy is returned (flagged stale) if there
   * is one, else the error is thrown. */
  async refresh(options: { signal?: AbortSignal } = {}): Promise<Model[]> {
    try {
      const models = await withSignal(this.cell.fetchNow(), options.signal);
      this.lastSource = 'network';
      return models;
    } catch (error) {
      const copy = this.cell.copy;
      if (!copy || error instanceof AbortError) throw error;
      this.lastSource = copy.from === 'disk' ? 'disk' : 'memory';
      return copy.value;
    }
  }

  /** The state of the cached list: when it was fetched, whether it is stale, where answers come from. */
  status(): CatalogStatus {
    const copy = this.cell.copy;
    const status: CatalogStatus = { stale: copy !== undefined && this.cell.expired(), source: this.lastSource };
    if (copy && Number.isFinite(copy.fetchedAt)) status.fetchedAt = copy.fetchedAt;
    if (this.cell.failedAt !== undefined) status.lastError = message(this.cell.failure);
    return status;
  }

  /** One model by id (`:variant` suffixes resolve to their base row); InvalidModelError when unknown. */
  async get(id: string): Promise<Model> {
    const found = modelById(await this.list(), id);
    if (!found) throw new InvalidModelError(`${id} is not a valid model ID`, { status: 404, model: id });
    return found;
  }

  /**
   * `get(id)` answered from memory: `{ model }` (undefined when the listing has no such model), or `undefined` when
   * the listing must be fetched or loaded first, or its last fetch failed (`get` says how). Synchronous, for code
   * that asks on every request.
   */
  getNow(id: string): { model: Model | undefined } | undefined {
    const listed = this.peekList();
    return listed && 'value' in listed ? { model: modelById(listed.value, id) } : undefined;
  }

  /** Models matching `query` (text models unless `outputModalities` says otherwise), in its `sort` order. */
  async search(query: CatalogQuery = {}): Promise<Model[]> {
    const [models, { queryModels }] = await Promise.all([this.list(), loadQuery()]);
    return queryModels(models, query);
  }

  /** The first `n` models of `search(query)`: by default the `n` most popular text models. */
  async top(n: number, query: CatalogQuery = {}): Promise<Model[]> {
    const [models, { queryModels }] = await Promise.all([this.list(), loadQuery()]);
    return queryModels(models, { ...query, limit: n });
  }

  /** A model's exact prices (femto-dollar bigints per component, see `pricesOf`). */
  async prices(id: string): Promise<ExactPrices> {
    return pricesOf(await this.get(id));
  }

  /**
   * The provider endpoints serving a model, with their prices, uptime, latency and throughput (OpenRouter only),
   * cached like the list (same TTL, stale-while-revalidate, failures remembered for a minute).
   */
  endpoints(id: string, options: { signal?: AbortSignal } = {}): Promise<ModelEndpoints> {
    const fetchEndpoints = this.source.endpoints?.bind(this.source);
    if (!fetchEndpoints) {
      return Promise.reject(new SwitchyardError(`Provider "${this.source.name}" has no per-model endpoints listing`));
    }
    let cell = this.endpointCells.get(id);
    if (!cell) {
      cell = new Revalidating(
        async () => (await loadNormalise()).normaliseEndpoints(await fetchEndpoints(id)),
        () => this.options,
        {
          failed: (error, stale) => {
            if (!stale) return;
            const reason = `endpoints of ${id}: ${message(error)}`;
            this.options.events?.emit('catalog_stale', { reason, fetchedAt: stale.fetchedAt });
          },
        },
      );
      this.endpointCells.set(id, cell);
      // The earliest cached goes first; a fresh iterator is fine here, as this runs once per new id at most.
      if (this.endpointCells.size > MAX_ENDPOINT_LISTINGS) {
        const oldest = this.endpointCells.keys().next();
        if (!oldest.done) this.endpointCells.delete(oldest.value);
      }
    }
    return withSignal(
      cell.get().then((got) => got.value),
      options.signal,
    );
  }

  /**
   * The prices a request served by `provider` (an upstream such as `DeepInfra`) was billed at: that endpoint's
   * prices from the model's cached endpoints when the provider is known and listed, else the model's catalog
   * prices; undefined when neither is known. Served from memory once cached (a cold cache costs one fetch, shared).
   */
  async servingPrices(model: string, provider?: string): Promise<ModelPricing | undefined> {
    return (await this.pricing(model, provider, (_, work) => work.catch(() => undefined))).pricing;
  }

  /**
   * `servingPrices` for an answer already in hand, which its cost must not hold back: a listing not in memory is
   * waited for at most `waitMs` in all (then the model's list prices, else none, and the listing is cached when it
   * arrives), and the result says when list prices stood in for the serving endpoint's. Never rejects.
   */
  billedPrices(model: string, provider?: string): Promise<BilledPricing> {
    const until = Date.now() + this.waitBoundMs;
    return this.pricing(model, provider, (key, work) => this.consult(key, work, until - Date.now()));
  }

  /**
   * `billedPrices` answered from memory, or `undefined` when a listing must be fetched first. The same decisions
   * in the same order; per request this saves the promises (and the rejections of a remembered failure) of the
   * asynchronous path.
   */
  servingPricesNow(model: string, provider?: string): BilledPricing | undefined {
    const byEndpoint = this.byEndpoint(provider);
    if (byEndpoint) {
      const known = this.endpointCells.get(model)?.peek();
      if (!known) return undefined;
      const endpoint = 'value' in known ? endpointOf(known.value, byEndpoint) : undefined;
      if (endpoint) return { pricing: endpoint.pricing };
    }
    const listed = this.peekList();
    if (!listed) return undefined;
    return listPricing('value' in listed ? listed.value : undefined, model, byEndpoint);
  }

  /** The lower-cased provider whose endpoint prices apply, when the answer names one and endpoints are listed. */
  private byEndpoint(provider: string | undefined): string | undefined {
    return provider && this.source.endpoints ? provider.toLowerCase() : undefined;
  }

  /** The decisions of `servingPricesNow`, waiting for listings with `wait` (which resolves undefined on failure;
   * `key` names the listing: `LIST`, or the model id for its endpoints). */
  private async pricing(
    model: string,
    provider: string | undefined,
    wait: <T>(key: string, work: Promise<T>) => Promise<T | undefined>,
  ): Promise<BilledPricing> {
    const known = this.servingPricesNow(model, provider);
    if (known) return known;
    const byEndpoint = this.byEndpoint(provider);
    if (byEndpoint) {
      const endpoint = endpointOf(await wait(model, this.endpoints(model)), byEndpoint);
      if (endpoint) return { pricing: endpoint.pricing };
    }
    return listPricing(await wait(LIST, this.list()), model, byEndpoint);
  }

  private async loadFromDisk(): Promise<void> {
    const dir = this.options.cacheDir;
    if (dir === undefined) return;
    try {
      const baseURL = await this.source.baseURL();
      // The disk cache only exists with `cacheDir` (Node, Bun, Deno): browser bundles load it lazily, if ever.
      const { readDiskCatalog } = await import('./disk-cache.js');
      const saved = await readDiskCatalog(dir, baseURL);
      if (saved)
        this.cell.seed({ value: await normalisedModels(saved.models), fetchedAt: saved.fetchedAt, from: 'disk' });
    } catch {
      // The disk copy is a convenience; without one the network decides.
    }
  }

  private async saveToDisk(copy: Copy<Model[]>): Promise<void> {
    const dir = this.options.cacheDir;
    if (dir === undefined) return;
    try {
      const baseURL = await this.source.baseURL();
      const { writeDiskCatalog } = await import('./disk-cache.js');
      await writeDiskCatalog(dir, { version: 1, baseURL, fetchedAt: copy.fetchedAt, models: copy.value });
    } catch {
      // ignored: the next successful fetch writes again
    }
  }
}

/** The endpoint of a listing run by `provider` (lower-cased), when it has prices. */
function endpointOf(listing: ModelEndpoints | undefined, provider: string) {
  const endpoint = listing?.endpoints?.find((e) => e.provider_name?.toLowerCase() === provider);
  return endpoint?.pricing ? endpoint : undefined;
}

/** The model's list prices from `models`; flagged as standing in when an endpoint's prices were wanted. */
function listPricing(models: readonly Model[] | undefined, id: string, byEndpoint: string | undefined): BilledPricing {
  const pricing = models && (findModel(models, id) ?? models.find((m) => m.canonical_slug === id))?.pricing;
  return pricing && byEndpoint ? { pricing, listPrices: true } : { pricing };
}

/** A catalog source over any backend's `listModels()` (OpenAI-compatible servers, custom backends). */
export function backendSource(backend: () => ProviderBackend): CatalogSource {
  return {
    get name() {
      return backend().name;
    },
    baseURL: async () => (await backend().transport()).config.baseURL,
    models: () => backend().listModels(),
    endpoints: async (id) => {
      const current = backend();
      if (!current.openRouterApi) {
        throw new SwitchyardError(`Provider "${current.name}" has no per-model endpoints listing`);
      }
      const transport = await current.transport();
      const { data } = await transport.json<{ data: ModelEndpoints }>({
        method: 'GET',
        path: `/models/${id.split('/').map(encodeURIComponent).join('/')}/endpoints`,
        auth: 'public',
        context: { model: id },
      });
      return data.data;
    },
  };
}

/** The catalog a backend keeps for itself (OpenRouter-style backends delegate `listModels()` to it). */
export function catalogOf(backend: ProviderBackend): ModelCatalog | undefined {
  const own = (backend as { catalog?: unknown }).catalog;
  return own instanceof ModelCatalog ? own : undefined;
}

const wrapped = new WeakMap<ProviderBackend, ModelCatalog>();

/** How long a request waits for `backend`'s listings it only consults (its catalog's `waitMs`); Infinity = no bound. */
export function catalogWaitMs(backend: ProviderBackend): number {
  return (catalogOf(backend) ?? wrapped.get(backend))?.waitBoundMs ?? CATALOG_WAIT_MS;
}

/** The catalog behind `sy.models` for a backend, configured with the client's settings. */
export function catalogFor(backend: ProviderBackend, options: CatalogOptions): ModelCatalog {
  let catalog = catalogOf(backend) ?? wrapped.get(backend);
  if (!catalog) {
    catalog = new ModelCatalog(backendSource(() => backend));
    wrapped.set(backend, catalog);
  }
  return catalog.configure(options);
}
