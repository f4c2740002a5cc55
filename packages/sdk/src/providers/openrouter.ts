import type { ResolvedConfig } from '../config/options.js';
import type { Model, ModelList } from '../protocol/catalog.js';
import { buildHeaders } from '../transport/headers.js';
import { Transport } from '../transport/transport.js';
import type { ProviderBackend, ProviderMetadata } from './provider.js';
import { registerProvider } from './registry.js';

export const OPENROUTER_METADATA: ProviderMetadata = {
  name: 'OpenRouter',
  company: 'OpenRouter, Inc.',
  region: 'global',
  dataLocation: "routed to the serving model provider (see each endpoint's data policy)",
  kind: 'cloud',
};

const CATALOG_TTL_MS = 60 * 60 * 1000;
/** A failed catalog fetch is remembered this long, so an unreachable catalog does not cost every request a call. */
const CATALOG_FAILURE_TTL_MS = 60 * 1000;

export function openRouterTransport(config: ResolvedConfig, baseURL: string, apiKey: string | undefined): Transport {
  return new Transport({
    baseURL,
    fetch: config.fetch,
    headers: buildHeaders({ ...config, apiKey }),
    keyRequired: true,
    missingKeyMessage:
      'No OpenRouter API key. Set OPENROUTER_API_KEY (or pass apiKey, or set api_key under [openrouter] in ' +
      'switchyard.toml). To try switchyard without a key, set DEV_MODE=true to use the built-in simulator.',
    headersTimeoutMs: config.timeouts.headersMs,
  });
}

/** Shared by backends that speak OpenRouter's API (the real service and the simulator). */
export class OpenRouterApiBackend implements ProviderBackend {
  readonly openRouterApi = true;
  private catalog: { at: number; ttl: number; models: Promise<Model[]> } | undefined;

  constructor(
    readonly name: string,
    readonly type: string,
    readonly metadata: ProviderMetadata,
    private readonly open: () => Promise<Transport>,
  ) {}

  transport(): Promise<Transport> {
    return this.open();
  }

  async isAvailable(): Promise<boolean> {
    try {
      const transport = await this.open();
      if (!transport.config.headers.authorization) return false;
      await transport.json({ method: 'GET', path: '/key', deadlineMs: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** `/models` with every output modality (chat and embedding models), cached for an hour in memory. */
  listModels(signal?: AbortSignal): Promise<Model[]> {
    if (this.catalog && Date.now() - this.catalog.at < this.catalog.ttl) return this.catalog.models;
    const query = { output_modalities: 'all' };
    const models = this.open()
      .then((t) => t.json<ModelList>({ method: 'GET', path: '/models', query, auth: 'public', signal }))
      .then(({ data }) => {
        if (!Array.isArray(data?.data)) throw new Error('the /models answer has no data list');
        return data.data;
      });
    const entry = { at: Date.now(), ttl: CATALOG_TTL_MS, models };
    this.catalog = entry;
    models.catch(() => {
      entry.ttl = CATALOG_FAILURE_TTL_MS;
    });
    return models;
  }

  async prices(model: string) {
    const models = await this.listModels().catch(() => [] as Model[]);
    const bare = model.replace(/:(nitro|floor|online|exacto|thinking|extended)$/, '');
    return models.find((m) => m.id === model || m.id === bare)?.pricing;
  }

  async close(): Promise<void> {}
}

registerProvider('openrouter', ({ config, name, settings }) => {
  const transport = openRouterTransport(config, settings?.baseURL ?? config.baseURL, settings?.apiKey ?? config.apiKey);
  return new OpenRouterApiBackend(name, 'openrouter', OPENROUTER_METADATA, async () => transport);
});
